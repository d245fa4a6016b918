package dev.agon.nn;

/**
 * The geometry of a 2-D convolution over square kernels: an image {@code [channels, height, width]}
 * read by a {@code kernel x kernel} window with {@code stride} and zero {@code padding} on every
 * side gives a grid {@code outHeight x outWidth} of windows, {@code out = (in + 2 padding - kernel)
 * / stride + 1} (PyTorch's {@code Conv2d}; a transposed convolution uses the same geometry from its
 * output image to its input grid).
 */
record ConvGeometry(
    int channels,
    int height,
    int width,
    int kernel,
    int stride,
    int padding,
    int outHeight,
    int outWidth) {

  ConvGeometry {
    if (channels <= 0 || height <= 0 || width <= 0) {
      throw new IllegalArgumentException(
          "image dimensions must be positive: " + channels + "x" + height + "x" + width);
    }
    if (kernel <= 0 || stride <= 0 || padding < 0) {
      throw new IllegalArgumentException(
          "need kernel > 0, stride > 0, padding >= 0: " + kernel + ", " + stride + ", " + padding);
    }
    if (outHeight <= 0 || outWidth <= 0) {
      throw new IllegalArgumentException(
          "no output: kernel "
              + kernel
              + " with padding "
              + padding
              + " does not fit "
              + height
              + "x"
              + width);
    }
  }

  /** The convolution geometry of an image with the given window. */
  static ConvGeometry of(int channels, int height, int width, int kernel, int stride, int padding) {
    int oh = Math.floorDiv(height + 2 * padding - kernel, stride) + 1;
    int ow = Math.floorDiv(width + 2 * padding - kernel, stride) + 1;
    return new ConvGeometry(channels, height, width, kernel, stride, padding, oh, ow);
  }

  /** Rows of the column matrix: {@code channels * kernel * kernel}. */
  int patchSize() {
    return channels * kernel * kernel;
  }

  /** Windows per image: {@code outHeight * outWidth}. */
  int gridSize() {
    return outHeight * outWidth;
  }

  /** Pixels per image channel. */
  int imageSize() {
    return height * width;
  }
}
