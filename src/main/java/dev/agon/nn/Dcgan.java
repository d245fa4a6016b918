package dev.agon.nn;

/**
 * DCGAN architectures (Radford, Metz and Chintala 2016) as {@link Sequential.Builder}s with the
 * paper's initialisation ({@link Init#DCGAN}); call {@code build(dtype, seed)} on the result.
 * Images are NCHW in {@code [-1, 1]} (tanh); the discriminator returns one logit per sample, shape
 * {@code [B, 1]}. A convolution or linear layer that feeds a batch norm has no bias (the norm's
 * shift replaces it); every other one has a bias.
 *
 * <p>28x28 (MNIST-sized), width {@code w}:
 *
 * <pre>
 * G: Linear(latent -> 2w*7*7) -> BatchNorm -> ReLU -> Reshape [2w, 7, 7]
 *    -> ConvT(2w -> w, k4 s2 p1) -> BatchNorm -> ReLU -> ConvT(w -> C, k4 s2 p1) -> Tanh
 * D: Conv(C -> w, k4 s2 p1) -> LeakyReLU 0.2 -> Conv(w -> 2w, k4 s2 p1) -> BatchNorm
 *    -> LeakyReLU 0.2 -> Flatten -> Linear(2w*7*7 -> 1)
 * </pre>
 *
 * <p>{@code 4 * 2^n} pixels (8, 16, 32, 64, 128, ...), the paper's all-convolutional layout: G
 * reshapes the latent to {@code [latent, 1, 1]}, a ConvT(k4 s1 p0) makes {@code [w 2^(n-1), 4, 4]},
 * then each ConvT(k4 s2 p1) halves the channels and doubles the size (BatchNorm, ReLU after each),
 * the last one to C channels with Tanh. D mirrors it: Conv(k4 s2 p1) from C to w (LeakyReLU 0.2, no
 * norm), each further strided Conv doubles the channels (BatchNorm, LeakyReLU 0.2) down to 4x4, and
 * a final Conv(k4 s1 p0) to 1 channel gives the logit.
 *
 * <p>With {@code batchNorm = false} the discriminator has no batch norm (WGAN-GP critics must not);
 * it is then piecewise linear. With {@code spectralNorm} every convolution and linear layer of the
 * discriminator is a {@link SpectralNorm} (Miyato et al. 2018).
 */
public final class Dcgan {
  private Dcgan() {}

  /** The paper's width (PyTorch's example {@code ngf = ndf = 64}). */
  public static final int DEFAULT_WIDTH = 64;

  /** LeakyReLU slope of the discriminator. */
  public static final double LEAKY_SLOPE = 0.2;

  /** Generator {@code [latentDim] -> [channels, imageSize, imageSize]}. */
  public static Sequential.Builder generator(
      int latentDim, int channels, int imageSize, int width) {
    return generator(latentDim, channels, imageSize, width, false);
  }

  /**
   * Generator {@code [latentDim] -> [channels, imageSize, imageSize]}; with {@code
   * virtualBatchNorm} every batch norm is a {@link VirtualBatchNorm} (Salimans et al. 2016).
   */
  public static Sequential.Builder generator(
      int latentDim, int channels, int imageSize, int width, boolean virtualBatchNorm) {
    checkCommon(channels, width);
    if (latentDim <= 0) {
      throw new IllegalArgumentException("latentDim must be positive: " + latentDim);
    }
    Sequential.Builder b = Sequential.builder(latentDim).init(Init.DCGAN);
    if (imageSize == 28) {
      b.linear(2 * width * 7 * 7, false);
      norm(b, virtualBatchNorm)
          .relu()
          .reshape(2L * width, 7, 7)
          .convTranspose2d(width, 4, 2, 1, false);
      return norm(b, virtualBatchNorm).relu().convTranspose2d(channels, 4, 2, 1).tanh();
    }
    int n = doublings(imageSize);
    b.reshape(latentDim, 1, 1).convTranspose2d(width << (n - 1), 4, 1, 0, false);
    norm(b, virtualBatchNorm).relu();
    for (int i = n - 1; i >= 1; i--) {
      b.convTranspose2d(width << (i - 1), 4, 2, 1, false);
      norm(b, virtualBatchNorm).relu();
    }
    return b.convTranspose2d(channels, 4, 2, 1).tanh();
  }

  private static Sequential.Builder norm(Sequential.Builder b, boolean virtual) {
    return virtual ? b.add((shape, dtype) -> new VirtualBatchNorm(shape)) : b.batchNorm();
  }

  /** Discriminator with batch norm. */
  public static Sequential.Builder discriminator(int channels, int imageSize, int width) {
    return discriminator(channels, imageSize, width, true);
  }

  /** Discriminator {@code [channels, imageSize, imageSize] -> [1]} (a logit). */
  public static Sequential.Builder discriminator(
      int channels, int imageSize, int width, boolean batchNorm) {
    return discriminator(channels, imageSize, width, batchNorm, false, 1);
  }

  /**
   * Discriminator {@code [channels, imageSize, imageSize] -> [outputs]}: the same trunk, spectrally
   * normalised when asked, {@code outputs} logits from its last layer (K for the semi-supervised
   * K+1 discriminator; InfoGAN's Q as further columns beside the logit, which costs {@code outputs
   * - 1} more columns of the last layer's weights and nothing else).
   */
  public static Sequential.Builder discriminator(
      int channels,
      int imageSize,
      int width,
      boolean batchNorm,
      boolean spectralNorm,
      int outputs) {
    Sequential.Builder b = features(channels, imageSize, width, batchNorm, spectralNorm);
    if (imageSize == 28) {
      return b.flatten().linear(outputs);
    }
    return b.conv2d(outputs, 4, 1, 0).flatten();
  }

  /**
   * The discriminator's convolutional trunk, without its last layer: {@code [2w, 7, 7]} for 28 x 28
   * images, {@code [w 2^(n-1), 4, 4]} for {@code 4 * 2^n}. A head goes on top (e.g. minibatch
   * discrimination and a linear logit).
   */
  public static Sequential.Builder features(
      int channels, int imageSize, int width, boolean batchNorm) {
    return features(channels, imageSize, width, batchNorm, false);
  }

  /**
   * {@link #features(int, int, int, boolean)}; with {@code spectralNorm} its convolutions and the
   * layers added to the returned builder afterwards are spectrally normalised.
   */
  public static Sequential.Builder features(
      int channels, int imageSize, int width, boolean batchNorm, boolean spectralNorm) {
    checkCommon(channels, width);
    Sequential.Builder b =
        Sequential.builder(channels, imageSize, imageSize)
            .init(Init.DCGAN)
            .spectralNorm(spectralNorm);
    if (imageSize == 28) {
      b.conv2d(width, 4, 2, 1).leakyRelu(LEAKY_SLOPE).conv2d(2 * width, 4, 2, 1, !batchNorm);
      if (batchNorm) {
        b.batchNorm();
      }
      return b.leakyRelu(LEAKY_SLOPE);
    }
    int n = doublings(imageSize);
    b.conv2d(width, 4, 2, 1).leakyRelu(LEAKY_SLOPE);
    for (int i = 1; i < n; i++) {
      b.conv2d(width << i, 4, 2, 1, !batchNorm);
      if (batchNorm) {
        b.batchNorm();
      }
      b.leakyRelu(LEAKY_SLOPE);
    }
    return b;
  }

  /** {@code n} with {@code imageSize = 4 * 2^n}, {@code n >= 1}. */
  private static int doublings(int imageSize) {
    if (imageSize < 8 || Integer.bitCount(imageSize) != 1) {
      throw new IllegalArgumentException(
          "imageSize must be 28 or 4 * 2^n (8, 16, 32, 64, ...), got " + imageSize);
    }
    return Integer.numberOfTrailingZeros(imageSize) - 2;
  }

  private static void checkCommon(int channels, int width) {
    if (channels <= 0 || width <= 0) {
      throw new IllegalArgumentException(
          "channels and width must be positive: " + channels + ", " + width);
    }
  }
}
