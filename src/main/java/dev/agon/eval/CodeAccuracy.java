package dev.agon.eval;

import java.util.Arrays;

/**
 * How well an unsupervised categorical code matches labels (InfoGAN, Chen et al. 2016, Sec. 7.1):
 * the accuracy of the best one-to-one mapping of code values to classes, the assignment problem the
 * Hungarian algorithm solves. Solved exactly by dynamic programming over subsets of classes: {@code
 * O(K * classes * 2^classes)}, microseconds for 10 classes; refused above 20 classes.
 */
public final class CodeAccuracy {
  private CodeAccuracy() {}

  /**
   * @param accuracy matched samples over all samples, in [0, 1]
   * @param classOf the class each code value maps to (distinct)
   */
  public record Result(double accuracy, int[] classOf) {}

  /**
   * The best one-to-one mapping for {@code confusion[v][c]} = samples of code value v classified as
   * c; needs at least as many classes as values.
   */
  public static Result best(long[][] confusion) {
    int k = confusion.length;
    if (k == 0) {
      throw new IllegalArgumentException("no code values");
    }
    int classes = confusion[0].length;
    if (classes > 20 || k > classes) {
      throw new IllegalArgumentException(
          k + " code values onto " + classes + " classes: need values <= classes <= 20");
    }
    long total = 0;
    for (long[] row : confusion) {
      if (row.length != classes) {
        throw new IllegalArgumentException("ragged confusion matrix");
      }
      for (long x : row) {
        if (x < 0) {
          throw new IllegalArgumentException("negative count " + x);
        }
        total += x;
      }
    }
    // best[mask]: the most matches of values 0 .. popcount(mask)-1 onto exactly the classes in
    // mask; from[mask] the class the last of those values took.
    int states = 1 << classes;
    long[] best = new long[states];
    int[] from = new int[states];
    Arrays.fill(best, -1);
    best[0] = 0;
    for (int mask = 0; mask < states; mask++) {
      int v = Integer.bitCount(mask);
      if (best[mask] < 0 || v >= k) {
        continue;
      }
      for (int c = 0; c < classes; c++) {
        if ((mask & (1 << c)) == 0) {
          int next = mask | (1 << c);
          long value = best[mask] + confusion[v][c];
          if (value > best[next]) {
            best[next] = value;
            from[next] = c;
          }
        }
      }
    }
    int end = -1;
    for (int mask = 0; mask < states; mask++) {
      if (Integer.bitCount(mask) == k && (end < 0 || best[mask] > best[end])) {
        end = mask;
      }
    }
    int[] classOf = new int[k];
    for (int mask = end, v = k - 1; v >= 0; v--) {
      classOf[v] = from[mask];
      mask &= ~(1 << from[mask]);
    }
    return new Result(total == 0 ? Double.NaN : (double) best[end] / total, classOf);
  }
}
