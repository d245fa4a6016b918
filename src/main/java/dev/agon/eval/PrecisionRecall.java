package dev.agon.eval;

import java.util.Locale;

/**
 * Improved precision and recall (Kynkäänniemi et al. 2019, "Improved Precision and Recall Metric
 * for Assessing Generative Models"). The real manifold is the union of closed balls around each
 * real feature whose radius is the distance to its k-th nearest other real feature (k = 3 by
 * default); the fake manifold likewise. Precision is the fraction of fake samples inside the real
 * manifold (quality), recall the fraction of real samples inside the fake manifold (coverage of the
 * data). A point on a ball's boundary counts as inside.
 *
 * <p>Brute force in double: all pairwise distances within each set (for the radii) and across the
 * sets, O((N² + M² + 2NM)·D) time in tiles of 64 rows, O(N + M) memory. Fine for N, M ≤ 10,000 at D
 * = 128 (about 5·10¹⁰ multiply-adds, some tens of seconds on one core); subsample beyond that.
 */
public final class PrecisionRecall {
  private PrecisionRecall() {}

  public static final int DEFAULT_K = 3;

  public record Result(double precision, double recall, int k) {
    public String summary() {
      return String.format(
          Locale.ROOT, "precision %.3f, recall %.3f (k = %d)", precision, recall, k);
    }
  }

  public static Result compute(double[][] real, double[][] fake) {
    return compute(real, fake, DEFAULT_K);
  }

  /**
   * @param real [N, D] real features, N > k
   * @param fake [M, D] generated features, M > k
   * @param k neighbour whose distance sets each ball's radius (≥ 1)
   */
  public static Result compute(double[][] real, double[][] fake, int k) {
    EvalArrays.sameColumns("real", real, "fake", fake);
    double[] realRadii = EvalArrays.kthNeighbourSquaredRadii("real", real, k);
    double[] fakeRadii = EvalArrays.kthNeighbourSquaredRadii("fake", fake, k);
    boolean[] fakeInReal = new boolean[fake.length];
    boolean[] realInFake = new boolean[real.length];
    EvalArrays.forEachPair(
        real,
        fake,
        (i, j, d2) -> {
          if (d2 <= realRadii[i]) {
            fakeInReal[j] = true;
          }
          if (d2 <= fakeRadii[j]) {
            realInFake[i] = true;
          }
        });
    return new Result(fraction(fakeInReal), fraction(realInFake), k);
  }

  static double fraction(boolean[] flags) {
    int c = 0;
    for (boolean f : flags) {
      if (f) {
        c++;
      }
    }
    return (double) c / flags.length;
  }
}
