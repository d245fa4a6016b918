package dev.agon.eval;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Shared checks and loops of the evaluation metrics: argument validation of [N, D] row-major
 * matrices, blocked pairwise squared Euclidean distances, k-th nearest-neighbour radii and seeded
 * subsets. Package-private; everything is in double and deterministic.
 */
final class EvalArrays {
  private EvalArrays() {}

  /** Rows per tile side of the blocked distance loop (a tile of B rows stays in cache). */
  static final int BLOCK = 64;

  /** Checks that {@code x} is a non-empty rectangular matrix of finite values; returns D. */
  static int columns(String name, double[][] x) {
    if (x == null || x.length == 0) {
      throw new IllegalArgumentException(name + " must have at least one row");
    }
    int d = x[0] == null ? 0 : x[0].length;
    if (d == 0) {
      throw new IllegalArgumentException(name + " rows must have at least one column");
    }
    for (int i = 0; i < x.length; i++) {
      if (x[i] == null || x[i].length != d) {
        throw new IllegalArgumentException(
            name
                + " is not rectangular: row "
                + i
                + " has "
                + (x[i] == null ? 0 : x[i].length)
                + " columns, row 0 has "
                + d);
      }
      for (int j = 0; j < d; j++) {
        if (!Double.isFinite(x[i][j])) {
          throw new IllegalArgumentException(
              name + "[" + i + "][" + j + "] is not finite: " + x[i][j]);
        }
      }
    }
    return d;
  }

  /** Checks two matrices share their column count; returns it. */
  static int sameColumns(String a, double[][] x, String b, double[][] y) {
    int dx = columns(a, x);
    int dy = columns(b, y);
    if (dx != dy) {
      throw new IllegalArgumentException(a + " has " + dx + " columns but " + b + " has " + dy);
    }
    return dx;
  }

  /** Copies a row-major float array of n rows of d columns into double rows. */
  static double[][] rows(float[] data, int d) {
    if (d <= 0) {
      throw new IllegalArgumentException("columns must be positive, got " + d);
    }
    if (data.length % d != 0) {
      throw new IllegalArgumentException(
          "length " + data.length + " is not a multiple of the " + d + " columns");
    }
    double[][] x = new double[data.length / d][d];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < d; j++) {
        x[i][j] = data[i * d + j];
      }
    }
    return x;
  }

  static double squaredDistance(double[] a, double[] b) {
    double s = 0;
    for (int t = 0; t < a.length; t++) {
      double diff = a[t] - b[t];
      s += diff * diff;
    }
    return s;
  }

  /** Receives the squared distance of row i of the first set to row j of the second. */
  @FunctionalInterface
  interface PairConsumer {
    void accept(int i, int j, double squaredDistance);
  }

  /**
   * Visits every pair (i, j) of {@code a} × {@code b} with its squared Euclidean distance, in tiles
   * of {@link #BLOCK} × {@link #BLOCK} rows so that both tiles stay in cache. For each i the j are
   * visited in increasing order. O(|a|·|b|·D) time, O(1) extra memory.
   */
  static void forEachPair(double[][] a, double[][] b, PairConsumer consumer) {
    for (int i0 = 0; i0 < a.length; i0 += BLOCK) {
      int i1 = Math.min(a.length, i0 + BLOCK);
      for (int j0 = 0; j0 < b.length; j0 += BLOCK) {
        int j1 = Math.min(b.length, j0 + BLOCK);
        for (int i = i0; i < i1; i++) {
          double[] ai = a[i];
          for (int j = j0; j < j1; j++) {
            consumer.accept(i, j, squaredDistance(ai, b[j]));
          }
        }
      }
    }
  }

  /**
   * Squared distance of each row of {@code x} to its k-th nearest other row (the row itself
   * excluded by index; exact duplicates count as neighbours at distance 0). Needs k < N.
   */
  static double[] kthNeighbourSquaredRadii(String name, double[][] x, int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1, got " + k);
    }
    if (x.length <= k) {
      throw new IllegalArgumentException(
          name + " needs more than k = " + k + " rows, got " + x.length);
    }
    // best[i*k .. i*k+k-1]: the k smallest squared distances of row i so far, ascending.
    double[] best = new double[x.length * k];
    Arrays.fill(best, Double.POSITIVE_INFINITY);
    forEachPair(
        x,
        x,
        (i, j, d2) -> {
          if (i == j) {
            return;
          }
          int base = i * k;
          if (d2 >= best[base + k - 1]) {
            return;
          }
          int p = k - 1;
          while (p > 0 && best[base + p - 1] > d2) {
            best[base + p] = best[base + p - 1];
            p--;
          }
          best[base + p] = d2;
        });
    double[] radii = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      radii[i] = best[i * k + k - 1];
    }
    return radii;
  }

  /** m distinct indices of [0, n), uniformly at random (partial Fisher–Yates). */
  static int[] choose(int n, int m, SplittableRandom random) {
    int[] perm = new int[n];
    for (int i = 0; i < n; i++) {
      perm[i] = i;
    }
    for (int i = 0; i < m; i++) {
      int j = i + random.nextInt(n - i);
      int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    return Arrays.copyOf(perm, m);
  }

  static double[][] select(double[][] x, int[] idx) {
    double[][] out = new double[idx.length][];
    for (int i = 0; i < idx.length; i++) {
      out[i] = x[idx[i]];
    }
    return out;
  }

  static double mean(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s / v.length;
  }

  /** Population standard deviation (divides by n, as numpy's {@code np.std}). */
  static double populationStd(double[] v) {
    double m = mean(v);
    double s = 0;
    for (double x : v) {
      s += (x - m) * (x - m);
    }
    return Math.sqrt(s / v.length);
  }
}
