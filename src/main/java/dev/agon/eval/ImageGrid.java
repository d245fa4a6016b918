package dev.agon.eval;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Draws images as one PNG grid: {@code n} images of {@code [C, H, W]} floats in [-1, 1] (values
 * outside are clipped), row-major, {@code cols} per row, each enlarged {@code scale} times (nearest
 * neighbour) and separated by a 2-pixel dark border. One or three channels.
 */
public final class ImageGrid {
  private static final int BORDER = 2;
  private static final int BACKGROUND = 0x202020;

  private ImageGrid() {}

  /**
   * Writes the grid to {@code file} as PNG.
   *
   * @param pixels {@code n * c * h * w} values, image after image, NCHW
   */
  public static void writePng(
      Path file, float[] pixels, int n, int c, int h, int w, int cols, int scale)
      throws IOException {
    if (c != 1 && c != 3) {
      throw new IllegalArgumentException("images must have 1 or 3 channels, got " + c);
    }
    if (n < 1 || cols < 1 || scale < 1 || (long) n * c * h * w > pixels.length) {
      throw new IllegalArgumentException(
          "bad grid: n=" + n + " cols=" + cols + " scale=" + scale + " for " + pixels.length);
    }
    int rows = (n + cols - 1) / cols;
    int cell = BORDER;
    int width = cols * (w * scale + cell) + cell;
    int height = rows * (h * scale + cell) + cell;
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        img.setRGB(x, y, BACKGROUND);
      }
    }
    int plane = h * w;
    for (int i = 0; i < n; i++) {
      int x0 = cell + (i % cols) * (w * scale + cell);
      int y0 = cell + (i / cols) * (h * scale + cell);
      int base = i * c * plane;
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int p = base + y * w + x;
          int r = level(pixels[p]);
          int g = c == 3 ? level(pixels[p + plane]) : r;
          int b = c == 3 ? level(pixels[p + 2 * plane]) : r;
          int rgb = (r << 16) | (g << 8) | b;
          for (int dy = 0; dy < scale; dy++) {
            for (int dx = 0; dx < scale; dx++) {
              img.setRGB(x0 + x * scale + dx, y0 + y * scale + dy, rgb);
            }
          }
        }
      }
    }
    if (!ImageIO.write(img, "png", file.toFile())) {
      throw new IOException("no PNG writer available");
    }
  }

  /** [-1, 1] to 0..255, rounded, clipped; NaN draws black. */
  static int level(float v) {
    if (!(v > -1f)) {
      return 0;
    }
    if (v >= 1f) {
      return 255;
    }
    return Math.round((v + 1f) * 127.5f);
  }
}
