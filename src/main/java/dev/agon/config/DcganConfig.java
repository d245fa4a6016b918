package dev.agon.config;

/** Sizes of the DCGAN pair (Radford et al. 2016). */
public record DcganConfig(
    @Doc(
            "Channels of the first discriminator convolution and the last generator one; the"
                + " other layers use multiples of it (channels).")
        @Min(1)
        @Max(1024)
        int width,
    @Doc("Batch norm in the discriminator (must be false for wgan-gp critics).")
        boolean discriminatorBatchNorm) {}
