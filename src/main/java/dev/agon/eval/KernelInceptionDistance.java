package dev.agon.eval;

import dev.agon.tensor.DenseAccess;
import java.util.Locale;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Kernel Inception Distance (Bińkowski et al. 2018, "Demystifying MMD GANs"): the unbiased estimate
 * of the squared MMD between real and generated features with the cubic polynomial kernel k(x, y) =
 * (xᵀy / d + 1)³, averaged over {@code subsets} random subsets of m = min(subsetSize, N, M) rows
 * drawn without replacement from each set:
 *
 * <pre>
 *   MMD²_u = Σ_{i≠j} k(x_i, x_j) / (m(m−1)) + Σ_{i≠j} k(y_i, y_j) / (m(m−1)) − 2 Σ_{i,j} k(x_i, y_j) / m²
 * </pre>
 *
 * <p>The estimate is unbiased, so it can be slightly negative when the distributions agree. The
 * result is the mean and the population standard deviation over the subsets. Subsets come from one
 * {@link SplittableRandom} seeded with {@code seed}, so the value is reproducible. Cost O(subsets ·
 * m² · D) multiply-adds, done by BLAS matrix multiplies.
 */
public final class KernelInceptionDistance {
  private KernelInceptionDistance() {}

  public static final int DEFAULT_SUBSETS = 100;
  public static final int DEFAULT_SUBSET_SIZE = 1000;

  /**
   * @param mean mean of the per-subset MMD² estimates
   * @param std their population standard deviation
   * @param subsets subsets averaged
   * @param subsetSize rows per subset actually used (after clipping to the sample counts)
   */
  public record Result(double mean, double std, int subsets, int subsetSize) {
    public String summary() {
      return String.format(
          Locale.ROOT, "KID %.5f ± %.5f (%d subsets of %d)", mean, std, subsets, subsetSize);
    }
  }

  /** KID with the defaults (100 subsets of 1000) and seed 0. */
  public static Result compute(double[][] real, double[][] fake) {
    return compute(real, fake, DEFAULT_SUBSETS, DEFAULT_SUBSET_SIZE, 0L);
  }

  /**
   * @param real [N, D] real features
   * @param fake [M, D] generated features
   * @param subsets number of subsets (≥ 1)
   * @param subsetSize rows per subset, clipped to min(N, M); the clipped size must be ≥ 2
   * @param seed seed of the subset choice
   */
  public static Result compute(
      double[][] real, double[][] fake, int subsets, int subsetSize, long seed) {
    int d = EvalArrays.sameColumns("real", real, "fake", fake);
    if (subsets < 1) {
      throw new IllegalArgumentException("subsets must be at least 1, got " + subsets);
    }
    if (subsetSize < 2) {
      throw new IllegalArgumentException("subsetSize must be at least 2, got " + subsetSize);
    }
    int m = Math.min(subsetSize, Math.min(real.length, fake.length));
    if (m < 2) {
      throw new IllegalArgumentException(
          "need at least 2 real and 2 fake rows, got " + real.length + " and " + fake.length);
    }
    SplittableRandom random = new SplittableRandom(seed);
    double[] estimates = new double[subsets];
    // Scratch reused by every subset: ND4J frees native memory only when the GC runs.
    INDArray xm = Nd4j.create(DataType.DOUBLE, new long[] {m, d}, 'c');
    INDArray ym = Nd4j.create(DataType.DOUBLE, new long[] {m, d}, 'c');
    INDArray product = Nd4j.create(DataType.DOUBLE, new long[] {m, m}, 'c');
    double[] gram = new double[m * m];
    double[] flat = new double[m * d];
    for (int s = 0; s < subsets; s++) {
      fill(xm, flat, EvalArrays.select(real, EvalArrays.choose(real.length, m, random)));
      fill(ym, flat, EvalArrays.select(fake, EvalArrays.choose(fake.length, m, random)));
      estimates[s] = mmd2Unbiased(xm, ym, d, product, gram);
    }
    return new Result(EvalArrays.mean(estimates), EvalArrays.populationStd(estimates), subsets, m);
  }

  /**
   * The unbiased MMD² of two equal-sized sets under the cubic kernel; the three Gram matrices come
   * from BLAS matrix multiplies (double precision), the kernel and the sums from plain loops.
   */
  static double mmd2Unbiased(double[][] x, double[][] y, int d) {
    int m = x.length;
    return mmd2Unbiased(
        EvalArrays.matrix(x, 0, m),
        EvalArrays.matrix(y, 0, m),
        d,
        Nd4j.create(DataType.DOUBLE, new long[] {m, m}, 'c'),
        new double[m * m]);
  }

  /** As above on [m, d] matrices, with {@code product} ([m, m]) and {@code gram} as scratch. */
  private static double mmd2Unbiased(
      INDArray xm, INDArray ym, int d, INDArray product, double[] gram) {
    int m = (int) xm.size(0);
    double kxx = kernelSum(xm, xm, d, product, gram, true);
    double kyy = kernelSum(ym, ym, d, product, gram, true);
    double kxy = kernelSum(xm, ym, d, product, gram, false);
    return (kxx + kyy) / ((double) m * (m - 1)) - 2 * kxy / ((double) m * m);
  }

  /** Σ k(a_i, b_j) over all pairs, or over i ≠ j when {@code offDiagonal}. */
  private static double kernelSum(
      INDArray a, INDArray b, int d, INDArray product, double[] gram, boolean offDiagonal) {
    int m = (int) a.size(0);
    Nd4j.gemm(a, b, product, false, true, 1.0, 0.0);
    DenseAccess.read(product, gram);
    double sum = 0;
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < m; j++) {
        if (offDiagonal && i == j) {
          continue;
        }
        double t = gram[i * m + j] / d + 1;
        sum += t * t * t;
      }
    }
    return sum;
  }

  /** Writes the rows of {@code x} into the [m, d] matrix {@code into}, through {@code flat}. */
  private static void fill(INDArray into, double[] flat, double[][] x) {
    int d = x[0].length;
    for (int i = 0; i < x.length; i++) {
      System.arraycopy(x[i], 0, flat, i * d, d);
    }
    DenseAccess.write(into, flat);
  }

  /** k(x, y) = (xᵀy / d + 1)³. */
  static double kernel(double[] x, double[] y, int d) {
    double dot = 0;
    for (int t = 0; t < d; t++) {
      dot += x[t] * y[t];
    }
    double b = dot / d + 1;
    return b * b * b;
  }
}
