package dev.agon.config;

/** The two networks and the latent space that feeds the generator. */
public record ModelConfig(
    @Doc("Network family: mlp, dcgan or goodfellow2014.") Architecture architecture,
    @Doc(
            "Dimension of the generator input z ~ N(0, I); bounded so that G's input layer stays"
                + " allocatable (what the networks need is checked against the heap at start).")
        @Min(1)
        @Max(65536)
        int latentDim,
    @Doc("mlp generator: latent-dim inputs, one output per data dimension.") NetConfig generator,
    @Doc(
            "mlp discriminator: one input per data dimension, 1 output (a logit; K logits for"
                + " objective.kind = semi-supervised).")
        NetConfig discriminator,
    @Doc("dcgan sizes.") DcganConfig dcgan,
    @Doc("goodfellow2014 sizes.") Goodfellow2014Config goodfellow2014,
    @Doc(
            "Spectral normalization (Miyato et al. 2018) of every linear, convolution and maxout"
                + " layer of the discriminator: W / sigma(W), sigma from one power iteration per"
                + " update, its vectors part of the checkpoint.")
        boolean spectralNorm,
    @Doc(
            "InfoGAN codes fed to G beside z (G's input grows by categorical + continuous) and the"
                + " Q head that predicts them from D's last features (D's last layer grows by as"
                + " many output columns).")
        InfoGanConfig infogan,
    @Doc(
            "Class-conditional GAN: G gets the class beside z, D is a projection discriminator"
                + " (Miyato and Koyama 2018). Needs data.labels = all; the classes are"
                + " objective.classes.")
        boolean conditional,
    @Doc(
            "Packing (PacGAN, Lin et al. 2018): D judges packs of this many samples, all real or all"
                + " fake, joined along the first sample dimension (an image's channels, a vector's"
                + " features); 1 is no packing. schedule.batch-size must be a multiple of it.")
        @Min(1)
        @Max(64)
        int pack) {}
