package dev.agon.eval;

import dev.agon.data.ImageDataset;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The classifier-free collapse indicators: {@link CollapseIndicators#features}' near-duplicate
 * ratio and pairwise distance ratio computed on raw pixels (values in [-1, 1], rows of C·H·W)
 * instead of a classifier's features, so that every image data set has them, classifier or not. A
 * totally collapsed generator (every sample the same image) scores duplicate ratio 1 and distance
 * ratio 0; samples as varied as the data score ≈ 0 and ≈ 1. Pixel distances are cruder than feature
 * distances (a shifted digit is far away), so these catch collapse onto one or a few images, not a
 * subtle loss of variety.
 *
 * <p>The real side is measured once, when built: a seeded subsample of {@code points} images (at
 * most {@value #MAX_POINTS}), O(points²·C·H·W) time and O(points·C·H·W) doubles of memory (6 MB for
 * 1,000 28 x 28 images). Each {@link #score} compares the first {@code points} generated images
 * with it, the same number as the real side, as the feature version compares equal-sized sets:
 * O(points²·C·H·W) again, about half a second for 1,000 28 x 28 images on one core.
 */
public final class PixelCollapse {
  /** Images of each side used at most. */
  public static final int MAX_POINTS = 1000;

  private final CollapseIndicators.RealSide real;
  private final int dims;
  private final String dataName;

  private PixelCollapse(CollapseIndicators.RealSide real, int dims, String dataName) {
    this.real = real;
    this.dims = dims;
    this.dataName = dataName;
  }

  /**
   * Measures {@code data}'s real side on {@code points} of its images chosen under {@code seed};
   * {@code points} must be in [2, min({@value #MAX_POINTS}, data.size())] (see {@link #points}).
   */
  public static PixelCollapse of(ImageDataset data, int points, long seed) {
    if (points < 2 || points > Math.min(MAX_POINTS, data.size())) {
      throw new IllegalArgumentException(
          "points must be in [2, " + Math.min(MAX_POINTS, data.size()) + "], got " + points);
    }
    int[] idx = EvalArrays.choose(data.size(), points, new SplittableRandom(seed));
    double[][] rows = new double[points][];
    for (int i = 0; i < points; i++) {
      rows[i] = pixels(data, idx[i]);
    }
    return new PixelCollapse(
        CollapseIndicators.realSide(rows, points, seed), data.sampleSize(), data.name());
  }

  /**
   * The images each side uses for a request of {@code wanted}: at most {@value #MAX_POINTS} and the
   * data set's size; below 2 the indicators cannot be computed.
   */
  public static int points(int wanted, ImageDataset data) {
    return Math.min(Math.min(wanted, MAX_POINTS), data.size());
  }

  /** Images each side uses. */
  public int points() {
    return real.count();
  }

  /**
   * The indicators of the first {@link #points()} of {@code n} generated images, {@code pixels}
   * holding them as row-major [n, C·H·W] floats (n ≥ points).
   */
  public CollapseIndicators.FeatureResult score(float[] pixels, int n) {
    int m = points();
    if (n < m || pixels.length < (long) m * dims) {
      throw new IllegalArgumentException(
          "need " + m + " images of " + dims + " values, got " + n + " in " + pixels.length);
    }
    double[][] fake = new double[m][dims];
    for (int i = 0; i < m; i++) {
      for (int t = 0; t < dims; t++) {
        fake[i][t] = pixels[i * dims + t];
      }
    }
    return CollapseIndicators.features(real, fake);
  }

  /** What is compared, for a report's protocol entry. */
  public String protocol() {
    return String.format(
        Locale.ROOT,
        "pixel space: %d generated images against %d of %s (seeded); near-duplicate threshold the"
            + " real images' 1st-percentile nearest-neighbour distance (%.4f)",
        points(),
        points(),
        dataName,
        real.threshold());
  }

  private static double[] pixels(ImageDataset data, int i) {
    double[] row = new double[data.sampleSize()];
    int t = 0;
    for (int c = 0; c < data.channels(); c++) {
      for (int y = 0; y < data.height(); y++) {
        for (int x = 0; x < data.width(); x++) {
          row[t++] = data.pixel(i, c, y, x);
        }
      }
    }
    return row;
  }
}
