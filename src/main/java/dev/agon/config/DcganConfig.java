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
        boolean discriminatorBatchNorm) {

  /**
   * Whether the DCGAN pair takes square images of {@code pixels} per side: 28 (the MNIST layout) or
   * 4 * 2^n with n >= 1 (the paper's all-convolutional one), as {@code nn.Dcgan} builds them.
   */
  public static boolean supportsImageSize(long pixels) {
    return pixels == 28 || (pixels >= 8 && Long.bitCount(pixels) == 1);
  }
}
