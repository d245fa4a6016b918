package dev.agon.nn;

/**
 * Plain-Java loops of the convolution layers over {@link Heap} arrays (FLOAT and DOUBLE versions of
 * each, identical but for the element type).
 *
 * <p>Layouts: images {@code [B, C, H, W]} (NCHW, c-order); column matrices {@code [C*k*k, B*OH*OW]}
 * with row {@code (c*k + ki)*k + kj} and column {@code (b*OH + oh)*OW + ow}, the value of image
 * {@code b} at {@code (c, oh*stride - pad + ki, ow*stride - pad + kj)} (0 outside the image);
 * channel-major matrices {@code [C, B*P]} with column {@code b*P + q}.
 */
final class Kernels {
  private Kernels() {}

  /** First output column {@code ow} whose input column {@code ow*s - p + kj} is {@code >= 0}. */
  private static int lo(int p, int kj, int s) {
    return Math.max(0, Math.floorDiv(p - kj + s - 1, s));
  }

  /** One past the last output column whose input column is {@code < w}. */
  private static int hi(int w, int p, int kj, int s, int ow) {
    return Math.max(0, Math.min(ow, Math.floorDiv(w - 1 + p - kj, s) + 1));
  }

  /** Column matrix of the batch {@code img} ({@code batch} images) into {@code cols}. */
  static void im2col(Heap img, int batch, ConvGeometry g, Heap cols) {
    Parallel.range(
        g.channels(),
        (long) g.patchSize() * batch * g.gridSize(),
        (from, to) -> {
          if (img.f != null) {
            im2col(img.f, batch, g, cols.f, from, to);
          } else {
            im2col(img.d, batch, g, cols.d, from, to);
          }
        });
  }

  /** Adds the column matrix {@code cols} back onto the images {@code img} (the adjoint). */
  static void col2im(Heap cols, int batch, ConvGeometry g, Heap img) {
    Parallel.range(
        g.channels(),
        (long) g.patchSize() * batch * g.gridSize(),
        (from, to) -> {
          if (img.f != null) {
            col2im(cols.f, batch, g, img.f, from, to);
          } else {
            col2im(cols.d, batch, g, img.d, from, to);
          }
        });
  }

  private static void im2col(
      float[] x, int batch, ConvGeometry g, float[] cols, int cFrom, int cTo) {
    final int c0 = g.channels();
    final int h = g.height();
    final int w = g.width();
    final int k = g.kernel();
    final int s = g.stride();
    final int p = g.padding();
    final int oh = g.outHeight();
    final int ow = g.outWidth();
    final int grid = oh * ow;
    final int n = batch * grid;
    for (int c = cFrom; c < cTo; c++) {
      for (int ki = 0; ki < k; ki++) {
        for (int kj = 0; kj < k; kj++) {
          final int row = (c * k + ki) * k + kj;
          final int owLo = lo(p, kj, s);
          final int owHi = hi(w, p, kj, s, ow);
          for (int b = 0; b < batch; b++) {
            final int xBase = (b * c0 + c) * h * w;
            final int rowBase = row * n + b * grid;
            for (int y = 0; y < oh; y++) {
              final int ih = y * s - p + ki;
              final int dst = rowBase + y * ow;
              if (ih < 0 || ih >= h || owLo >= owHi) {
                java.util.Arrays.fill(cols, dst, dst + ow, 0f);
                continue;
              }
              for (int x0 = 0; x0 < owLo; x0++) {
                cols[dst + x0] = 0f;
              }
              final int src = xBase + ih * w - p + kj;
              if (s == 1) {
                System.arraycopy(x, src + owLo, cols, dst + owLo, owHi - owLo);
              } else {
                for (int x0 = owLo; x0 < owHi; x0++) {
                  cols[dst + x0] = x[src + x0 * s];
                }
              }
              for (int x0 = owHi; x0 < ow; x0++) {
                cols[dst + x0] = 0f;
              }
            }
          }
        }
      }
    }
  }

  private static void im2col(
      double[] x, int batch, ConvGeometry g, double[] cols, int cFrom, int cTo) {
    final int c0 = g.channels();
    final int h = g.height();
    final int w = g.width();
    final int k = g.kernel();
    final int s = g.stride();
    final int p = g.padding();
    final int oh = g.outHeight();
    final int ow = g.outWidth();
    final int grid = oh * ow;
    final int n = batch * grid;
    for (int c = cFrom; c < cTo; c++) {
      for (int ki = 0; ki < k; ki++) {
        for (int kj = 0; kj < k; kj++) {
          final int row = (c * k + ki) * k + kj;
          final int owLo = lo(p, kj, s);
          final int owHi = hi(w, p, kj, s, ow);
          for (int b = 0; b < batch; b++) {
            final int xBase = (b * c0 + c) * h * w;
            final int rowBase = row * n + b * grid;
            for (int y = 0; y < oh; y++) {
              final int ih = y * s - p + ki;
              final int dst = rowBase + y * ow;
              if (ih < 0 || ih >= h || owLo >= owHi) {
                java.util.Arrays.fill(cols, dst, dst + ow, 0.0);
                continue;
              }
              for (int x0 = 0; x0 < owLo; x0++) {
                cols[dst + x0] = 0.0;
              }
              final int src = xBase + ih * w - p + kj;
              if (s == 1) {
                System.arraycopy(x, src + owLo, cols, dst + owLo, owHi - owLo);
              } else {
                for (int x0 = owLo; x0 < owHi; x0++) {
                  cols[dst + x0] = x[src + x0 * s];
                }
              }
              for (int x0 = owHi; x0 < ow; x0++) {
                cols[dst + x0] = 0.0;
              }
            }
          }
        }
      }
    }
  }

  private static void col2im(
      float[] cols, int batch, ConvGeometry g, float[] x, int cFrom, int cTo) {
    final int c0 = g.channels();
    final int h = g.height();
    final int w = g.width();
    final int k = g.kernel();
    final int s = g.stride();
    final int p = g.padding();
    final int oh = g.outHeight();
    final int ow = g.outWidth();
    final int grid = oh * ow;
    final int n = batch * grid;
    for (int c = cFrom; c < cTo; c++) {
      for (int ki = 0; ki < k; ki++) {
        for (int kj = 0; kj < k; kj++) {
          final int row = (c * k + ki) * k + kj;
          final int owLo = lo(p, kj, s);
          final int owHi = hi(w, p, kj, s, ow);
          for (int b = 0; b < batch; b++) {
            final int xBase = (b * c0 + c) * h * w;
            final int rowBase = row * n + b * grid;
            for (int y = 0; y < oh; y++) {
              final int ih = y * s - p + ki;
              if (ih < 0 || ih >= h) {
                continue;
              }
              final int src = rowBase + y * ow;
              final int dst = xBase + ih * w - p + kj;
              for (int x0 = owLo; x0 < owHi; x0++) {
                x[dst + x0 * s] += cols[src + x0];
              }
            }
          }
        }
      }
    }
  }

  private static void col2im(
      double[] cols, int batch, ConvGeometry g, double[] x, int cFrom, int cTo) {
    final int c0 = g.channels();
    final int h = g.height();
    final int w = g.width();
    final int k = g.kernel();
    final int s = g.stride();
    final int p = g.padding();
    final int oh = g.outHeight();
    final int ow = g.outWidth();
    final int grid = oh * ow;
    final int n = batch * grid;
    for (int c = cFrom; c < cTo; c++) {
      for (int ki = 0; ki < k; ki++) {
        for (int kj = 0; kj < k; kj++) {
          final int row = (c * k + ki) * k + kj;
          final int owLo = lo(p, kj, s);
          final int owHi = hi(w, p, kj, s, ow);
          for (int b = 0; b < batch; b++) {
            final int xBase = (b * c0 + c) * h * w;
            final int rowBase = row * n + b * grid;
            for (int y = 0; y < oh; y++) {
              final int ih = y * s - p + ki;
              if (ih < 0 || ih >= h) {
                continue;
              }
              final int src = rowBase + y * ow;
              final int dst = xBase + ih * w - p + kj;
              for (int x0 = owLo; x0 < owHi; x0++) {
                x[dst + x0 * s] += cols[src + x0];
              }
            }
          }
        }
      }
    }
  }

  /** {@code [B, C, P]} to {@code [C, B*P]}. */
  static void toChannelMajor(Heap src, int batch, int channels, int plane, Heap dst) {
    int n = batch * plane;
    Parallel.range(
        channels,
        (long) n * channels,
        (cFrom, cTo) -> {
          for (int b = 0; b < batch; b++) {
            for (int c = cFrom; c < cTo; c++) {
              int at = (b * channels + c) * plane;
              int to = c * n + b * plane;
              if (src.f != null) {
                System.arraycopy(src.f, at, dst.f, to, plane);
              } else {
                System.arraycopy(src.d, at, dst.d, to, plane);
              }
            }
          }
        });
  }

  /** {@code [C, B*P]} to {@code [B, C, P]}, adding {@code bias[c]} ({@code bias} may be null). */
  static void fromChannelMajor(Heap src, int batch, int channels, int plane, Heap bias, Heap dst) {
    int n = batch * plane;
    Parallel.range(
        channels,
        (long) n * channels,
        (cFrom, cTo) -> {
          for (int b = 0; b < batch; b++) {
            for (int c = cFrom; c < cTo; c++) {
              int at = c * n + b * plane;
              int to = (b * channels + c) * plane;
              if (src.f != null) {
                if (bias == null) {
                  System.arraycopy(src.f, at, dst.f, to, plane);
                } else {
                  float v = bias.f[c];
                  float[] s = src.f;
                  float[] d = dst.f;
                  for (int q = 0; q < plane; q++) {
                    d[to + q] = s[at + q] + v;
                  }
                }
              } else {
                if (bias == null) {
                  System.arraycopy(src.d, at, dst.d, to, plane);
                } else {
                  double v = bias.d[c];
                  double[] s = src.d;
                  double[] d = dst.d;
                  for (int q = 0; q < plane; q++) {
                    d[to + q] = s[at + q] + v;
                  }
                }
              }
            }
          }
        });
  }

  /** Adds {@code bias[c]} to every value of channel {@code c} of {@code [B, C, P]}. */
  static void addChannelBias(Heap x, int batch, int channels, int plane, Heap bias) {
    Parallel.range(
        channels,
        (long) batch * channels * plane,
        (cFrom, cTo) -> {
          for (int b = 0; b < batch; b++) {
            for (int c = cFrom; c < cTo; c++) {
              int at = (b * channels + c) * plane;
              if (x.f != null) {
                float v = bias.f[c];
                float[] d = x.f;
                for (int q = 0; q < plane; q++) {
                  d[at + q] += v;
                }
              } else {
                double v = bias.d[c];
                double[] d = x.d;
                for (int q = 0; q < plane; q++) {
                  d[at + q] += v;
                }
              }
            }
          }
        });
  }

  /** {@code out[c] = sum over b, q of x[b, c, q]} for {@code [B, C, P]}, summed in double. */
  static void channelSums(Heap x, int batch, int channels, int plane, double[] out) {
    java.util.Arrays.fill(out, 0, channels, 0.0);
    Parallel.range(
        channels,
        (long) batch * channels * plane,
        (cFrom, cTo) -> {
          for (int b = 0; b < batch; b++) {
            for (int c = cFrom; c < cTo; c++) {
              int at = (b * channels + c) * plane;
              double s = 0;
              if (x.f != null) {
                float[] d = x.f;
                for (int q = 0; q < plane; q++) {
                  s += d[at + q];
                }
              } else {
                double[] d = x.d;
                for (int q = 0; q < plane; q++) {
                  s += d[at + q];
                }
              }
              out[c] += s;
            }
          }
        });
  }
}
