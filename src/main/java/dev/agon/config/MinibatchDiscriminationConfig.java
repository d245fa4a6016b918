package dev.agon.config;

/**
 * Minibatch discrimination (Salimans et al. 2016, Sec. 3.2), inserted before the discriminator's
 * final linear layer.
 */
public record MinibatchDiscriminationConfig(
    @Doc("Add the minibatch-discrimination layer to D.") boolean enabled,
    @Doc("Number of kernels B (features added per sample).") @Min(1) int kernels,
    @Doc("Dimension C of each kernel.") @Min(1) int kernelDim) {}
