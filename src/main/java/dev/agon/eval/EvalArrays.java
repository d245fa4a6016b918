package dev.agon.eval;

import dev.agon.tensor.DenseAccess;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Shared checks and loops of the evaluation metrics: argument validation of [N, D] row-major
 * matrices, blocked pairwise squared Euclidean distances, k-th nearest-neighbour radii and seeded
 * subsets. Package-private; everything is in double and deterministic.
 */
final class EvalArrays {
  private EvalArrays() {}

  /** Rows of the first set per distance tile. */
  static final int TILE_ROWS = 256;

  /** Rows of the second set per distance tile (a tile of products is 256 × 2048 doubles, 4 MB). */
  static final int TILE_COLUMNS = 2048;

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
   * Visits every pair (i, j) of {@code a} × {@code b} with its squared Euclidean distance; for each
   * i the j are visited in increasing order. The distances come in tiles of {@link #TILE_ROWS} ×
   * {@link #TILE_COLUMNS} from ‖a‖² + ‖b‖² − 2·a·bᵀ, the products by one BLAS matrix multiply per
   * tile (double precision; a result below 0 from rounding is clamped to 0, and the absolute error
   * is about 1e-16 · (‖a‖² + ‖b‖²)). O(|a|·|b|·D) multiply-adds at BLAS speed, O((|a| + |b|)·D +
   * tile) memory, allocated once per call.
   */
  static void forEachPair(double[][] a, double[][] b, PairConsumer consumer) {
    if (a.length == 0 || b.length == 0) {
      return;
    }
    double[] na = squaredNorms(a);
    double[] nb = squaredNorms(b);
    INDArray am = matrix(a, 0, a.length);
    INDArray bm = matrix(b, 0, b.length);
    double[] tile = new double[TILE_ROWS * TILE_COLUMNS];
    // One product buffer per tile shape (at most four: full, and the short last row/column
    // tiles), reused: ND4J frees native memory only when the GC collects its arrays.
    Map<Long, INDArray> products = new HashMap<>();
    for (int i0 = 0; i0 < a.length; i0 += TILE_ROWS) {
      int i1 = Math.min(a.length, i0 + TILE_ROWS);
      int h = i1 - i0;
      INDArray at = am.get(NDArrayIndex.interval(i0, i1), NDArrayIndex.all());
      for (int j0 = 0; j0 < b.length; j0 += TILE_COLUMNS) {
        int j1 = Math.min(b.length, j0 + TILE_COLUMNS);
        int w = j1 - j0;
        INDArray bt = bm.get(NDArrayIndex.interval(j0, j1), NDArrayIndex.all());
        INDArray dots =
            products.computeIfAbsent(
                ((long) h << 32) | w, k -> Nd4j.create(DataType.DOUBLE, new long[] {h, w}, 'c'));
        Nd4j.gemm(at, bt, dots, false, true, 1.0, 0.0);
        DenseAccess.read(dots, tile);
        for (int i = i0; i < i1; i++) {
          int row = (i - i0) * w;
          for (int j = j0; j < j1; j++) {
            double d2 = na[i] + nb[j] - 2 * tile[row + j - j0];
            consumer.accept(i, j, d2 > 0 ? d2 : 0);
          }
        }
      }
    }
  }

  /** Rows {@code [from, to)} of {@code x} as a c-order DOUBLE matrix. */
  static INDArray matrix(double[][] x, int from, int to) {
    int d = x[from].length;
    double[] flat = new double[(to - from) * d];
    for (int i = from; i < to; i++) {
      System.arraycopy(x[i], 0, flat, (i - from) * d, d);
    }
    return Nd4j.create(flat, new long[] {to - from, d}, 'c');
  }

  /** ‖x_i‖² of each row. */
  static double[] squaredNorms(double[][] x) {
    double[] n = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double s = 0;
      for (double v : x[i]) {
        s += v * v;
      }
      n[i] = s;
    }
    return n;
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
