package dev.agon.config;

/** The two networks and the latent space that feeds the generator. */
public record ModelConfig(
    @Doc("Dimension of the generator input z ~ N(0, I).") @Min(1) int latentDim,
    @Doc("Generator network: latent-dim inputs, 2 outputs (a data point).") NetConfig generator,
    @Doc("Discriminator network: 2 inputs, 1 output (a logit).") NetConfig discriminator) {}
