package dev.agon.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Images from a directory of PNG and JPEG files ({@code .png}, {@code .jpg}, {@code .jpeg}, any
 * case), decoded with {@link ImageIO}.
 *
 * <p>Layout: either the image files sit directly in the directory (no labels), or the directory
 * holds one subfolder per class with the images directly inside (label = index of the folder in
 * name order, as {@link #classes} lists them). A directory holding both images and folders is an
 * error. Hidden entries (names starting with a dot) and other files are ignored; files are read in
 * name order, so the data set is the same on every machine.
 *
 * <p>Each image becomes a {@code size×size} image: the shorter side is scaled to {@code size} (the
 * longer side in proportion, rounded), then the centre {@code size×size} is cropped. Resampling is
 * separable: area averaging when shrinking (each output pixel is the exact mean of the source area
 * it covers) and bilinear interpolation when enlarging (pixel centres aligned, edges clamped).
 * Grayscale is the Rec. 601 luma {@code 0.299 R + 0.587 G + 0.114 B} (as PIL's {@code
 * convert("L")}); RGB keeps three channels. Results are rounded to 8 bits and held as bytes; 16-bit
 * samples are scaled to 8 bits, alpha is ignored. A file that cannot be decoded is a {@link
 * DatasetException} naming it. Cost: one decode and one resample per image, all in memory.
 */
public final class ImageFolderDataset {
  private ImageFolderDataset() {}

  /** The images of {@code dir} as {@code [N, 1 or 3, size, size]}; {@code rgb}: three channels. */
  public static ImageDataset load(Path dir, int size, boolean rgb) {
    if (size < 1) {
      throw new IllegalArgumentException("image size must be >= 1, got " + size);
    }
    List<Path> classDirs = new ArrayList<>();
    List<Path> loose = new ArrayList<>();
    split(dir, classDirs, loose);
    if (!classDirs.isEmpty() && !loose.isEmpty()) {
      throw new DatasetException(
          dir
              + ": holds both images (e.g. "
              + loose.get(0).getFileName()
              + ") and class folders (e.g. "
              + classDirs.get(0).getFileName()
              + "); put every image in a class folder, or none");
    }
    List<Path> files = new ArrayList<>(loose);
    List<Integer> labels = new ArrayList<>();
    for (int c = 0; c < classDirs.size(); c++) {
      List<Path> inner = new ArrayList<>();
      split(classDirs.get(c), new ArrayList<>(), inner);
      for (Path p : inner) {
        files.add(p);
        labels.add(c);
      }
    }
    if (files.isEmpty()) {
      throw new DatasetException(
          dir + ": no PNG or JPEG images (.png, .jpg, .jpeg) here or in its class folders");
    }
    int channels = rgb ? 3 : 1;
    int plane = size * size;
    if ((long) files.size() * channels * plane > Integer.MAX_VALUE) {
      throw new DatasetException(dir + ": " + files.size() + " images are too many to hold");
    }
    HeapBudget.check(
        dir,
        String.format(
            java.util.Locale.ROOT,
            "its %,d images at %dx%dx%d",
            files.size(),
            channels,
            size,
            size),
        (long) files.size() * channels * plane);
    byte[] pixels = new byte[files.size() * channels * plane];
    for (int i = 0; i < files.size(); i++) {
      Decoded img = decode(files.get(i), rgb);
      for (int c = 0; c < channels; c++) {
        float[] out = resizeCrop(img.planes[c], img.width, img.height, size);
        int at = (i * channels + c) * plane;
        for (int k = 0; k < plane; k++) {
          pixels[at + k] = (byte) Math.max(0, Math.min(255, Math.round(out[k])));
        }
      }
    }
    int[] lab = null;
    if (!classDirs.isEmpty()) {
      lab = labels.stream().mapToInt(Integer::intValue).toArray();
    }
    String name = dir.toAbsolutePath().normalize().getFileName() + "";
    return ImageDataset.wrapUint8(name, pixels, files.size(), channels, size, size, lab);
  }

  /** The class folder names of {@code dir} in label order; empty when it has none. */
  public static List<String> classes(Path dir) {
    List<Path> classDirs = new ArrayList<>();
    split(dir, classDirs, new ArrayList<>());
    List<String> out = new ArrayList<>();
    for (Path p : classDirs) {
      out.add(p.getFileName().toString());
    }
    return out;
  }

  /** Sorted visible subdirectories and image files of {@code dir}. */
  private static void split(Path dir, List<Path> dirs, List<Path> images) {
    if (!Files.isDirectory(dir)) {
      throw new DatasetException(dir + ": no such directory");
    }
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s.sorted()::iterator) {
        String n = p.getFileName().toString();
        if (n.startsWith(".")) {
          continue;
        }
        if (Files.isDirectory(p)) {
          dirs.add(p);
        } else if (Files.isRegularFile(p) && isImageName(n)) {
          images.add(p);
        }
      }
    } catch (IOException e) {
      throw new DatasetException(dir + ": cannot list: " + e, e);
    }
  }

  private static boolean isImageName(String n) {
    String l = n.toLowerCase(Locale.ROOT);
    return l.endsWith(".png") || l.endsWith(".jpg") || l.endsWith(".jpeg");
  }

  /** A decoded image: channel planes (1 luma or 3 RGB), values 0..255, row-major. */
  private record Decoded(int width, int height, float[][] planes) {}

  private static Decoded decode(Path file, boolean rgb) {
    BufferedImage img;
    try {
      img = ImageIO.read(file.toFile());
    } catch (IOException | RuntimeException e) {
      throw new DatasetException(file + ": cannot read image: " + e.getMessage(), e);
    }
    if (img == null) {
      throw new DatasetException(file + ": not a readable PNG or JPEG image");
    }
    int w = img.getWidth();
    int h = img.getHeight();
    int n = w * h;
    float[] r = new float[n];
    float[] g = new float[n];
    float[] b = new float[n];
    ColorModel cm = img.getColorModel();
    if (cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY && !(cm instanceof IndexColorModel)) {
      // Read gray samples as stored: getRGB would convert linear gray to sRGB and change them.
      int max = (1 << cm.getComponentSize(0)) - 1;
      int[] s = img.getRaster().getSamples(0, 0, w, h, 0, new int[n]);
      for (int k = 0; k < n; k++) {
        float v = s[k] * 255f / max;
        r[k] = v;
        g[k] = v;
        b[k] = v;
      }
    } else {
      int[] argb = img.getRGB(0, 0, w, h, new int[n], 0, w);
      for (int k = 0; k < n; k++) {
        r[k] = (argb[k] >> 16) & 0xff;
        g[k] = (argb[k] >> 8) & 0xff;
        b[k] = argb[k] & 0xff;
      }
    }
    if (rgb) {
      return new Decoded(w, h, new float[][] {r, g, b});
    }
    float[] y = new float[n];
    for (int k = 0; k < n; k++) {
      y[k] = 0.299f * r[k] + 0.587f * g[k] + 0.114f * b[k];
    }
    return new Decoded(w, h, new float[][] {y});
  }

  /** Shorter side to {@code size}, centre crop to size×size (see the class comment). */
  static float[] resizeCrop(float[] src, int w, int h, int size) {
    double s = (double) size / Math.min(w, h);
    int rw = Math.max(size, (int) Math.round(w * s));
    int rh = Math.max(size, (int) Math.round(h * s));
    Taps xs = taps(w, rw, (rw - size) / 2, size);
    Taps ys = taps(h, rh, (rh - size) / 2, size);
    // Horizontal pass over every source row, then vertical.
    float[] tmp = new float[h * size];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < size; x++) {
        double acc = 0;
        for (int t = 0; t < xs.weights[x].length; t++) {
          acc += xs.weights[x][t] * src[y * w + xs.start[x] + t];
        }
        tmp[y * size + x] = (float) acc;
      }
    }
    float[] out = new float[size * size];
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        double acc = 0;
        for (int t = 0; t < ys.weights[y].length; t++) {
          acc += ys.weights[y][t] * tmp[(ys.start[y] + t) * size + x];
        }
        out[y * size + x] = (float) acc;
      }
    }
    return out;
  }

  /** For each of {@code count} outputs: first source index and the weights from there on. */
  private record Taps(int[] start, double[][] weights) {}

  /**
   * Taps for resampling {@code n} source pixels to {@code m}, keeping outputs {@code offset ..
   * offset+count−1}: area weights when shrinking (m ≤ n), bilinear when enlarging.
   */
  private static Taps taps(int n, int m, int offset, int count) {
    int[] start = new int[count];
    double[][] weights = new double[count][];
    double scale = (double) m / n;
    for (int o = 0; o < count; o++) {
      int x = o + offset;
      if (scale <= 1) {
        double a = x / scale;
        double b = Math.min(n, (x + 1) / scale);
        int i0 = (int) Math.floor(a);
        int i1 = Math.min(n, (int) Math.ceil(b));
        double[] wt = new double[i1 - i0];
        for (int i = i0; i < i1; i++) {
          wt[i - i0] = (Math.min(b, i + 1) - Math.max(a, i)) / (b - a);
        }
        start[o] = i0;
        weights[o] = wt;
      } else {
        double c = (x + 0.5) / scale - 0.5;
        int i0 = (int) Math.floor(c);
        double t = c - i0;
        if (i0 < 0) {
          start[o] = 0;
          weights[o] = new double[] {1};
        } else if (i0 >= n - 1) {
          start[o] = n - 1;
          weights[o] = new double[] {1};
        } else {
          start[o] = i0;
          weights[o] = new double[] {1 - t, t};
        }
      }
    }
    return new Taps(start, weights);
  }
}
