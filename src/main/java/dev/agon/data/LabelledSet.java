package dev.agon.data;

import dev.agon.tensor.Seeds;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The labelled examples of a run ({@code data.labels}): all of a data set's images, or {@code
 * perClass} of each class drawn under {@code seed}; the rest of the data set counts as unlabelled.
 *
 * <p>Draw: for each class c = 0..K−1 (K = largest label + 1), the images of class c in data-set
 * order are shuffled by a Fisher–Yates pass over a {@link SplittableRandom} seeded with {@code
 * Seeds.mix(seed, STREAM_LABEL_DRAW, c)} and the first {@code perClass} kept; the union is sorted.
 * So the set is a pure function of (labels, perClass, seed): one seed is one label draw, another
 * seed draws independently, and a class's draw does not depend on the other classes. Cost: one pass
 * over the labels and one shuffle per class (milliseconds for 60,000 images), once per run.
 *
 * @param perClass N per class, or {@code 0} for all images
 * @param seed the draw's seed ({@code data.label-seed}; unused for all)
 * @param indices the chosen data-set indices, ascending (owned: never modified)
 */
public record LabelledSet(int perClass, long seed, int[] indices) {
  /** Every image of {@code data} (which must have labels). */
  public static LabelledSet all(ImageDataset data) {
    requireLabels(data, "all");
    int[] idx = new int[data.size()];
    Arrays.setAll(idx, i -> i);
    return new LabelledSet(0, 0L, idx);
  }

  /**
   * {@code perClass} images of each class of {@code data} drawn under {@code seed}; a {@link
   * DatasetException} naming {@code data.labels} when the data set has no labels or a class holds
   * fewer images.
   */
  public static LabelledSet draw(ImageDataset data, int perClass, long seed) {
    if (perClass < 1) {
      throw new IllegalArgumentException("perClass must be >= 1, got " + perClass);
    }
    requireLabels(data, Integer.toString(perClass));
    int[] labels = data.labels();
    int classes = Arrays.stream(labels).max().orElse(-1) + 1;
    int[] count = new int[classes];
    for (int l : labels) {
      count[l]++;
    }
    for (int c = 0; c < classes; c++) {
      if (count[c] < perClass) {
        throw new DatasetException(
            "data.labels = "
                + perClass
                + " per class is more than class "
                + c
                + " of "
                + data.name()
                + " holds ("
                + count[c]
                + " images; the smallest class holds "
                + Arrays.stream(count).min().orElse(0)
                + ")");
      }
    }
    int[][] members = new int[classes][];
    for (int c = 0; c < classes; c++) {
      members[c] = new int[count[c]];
    }
    int[] fill = new int[classes];
    for (int i = 0; i < labels.length; i++) {
      members[labels[i]][fill[labels[i]]++] = i;
    }
    int[] out = new int[classes * perClass];
    for (int c = 0; c < classes; c++) {
      int[] m = members[c];
      // Only the first perClass positions are needed: a partial Fisher–Yates from the front.
      SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, Seeds.STREAM_LABEL_DRAW, c));
      for (int i = 0; i < perClass; i++) {
        int j = i + rng.nextInt(m.length - i);
        int t = m[i];
        m[i] = m[j];
        m[j] = t;
      }
      System.arraycopy(m, 0, out, c * perClass, perClass);
    }
    Arrays.sort(out);
    return new LabelledSet(perClass, seed, out);
  }

  /** Number of labelled examples. */
  public int size() {
    return indices.length;
  }

  /** Whether {@code other} names the same examples (settings aside). */
  public boolean sameExamples(LabelledSet other) {
    return Arrays.equals(indices, other.indices);
  }

  private static void requireLabels(ImageDataset data, String value) {
    if (!data.hasLabels()) {
      throw new DatasetException(
          "data.labels = "
              + value
              + " needs labels, but "
              + data.name()
              + " has none (IDX: a *-labels-idx1-ubyte file beside the images; image folder:"
              + " one subfolder per class; use data.labels = none)");
    }
  }
}
