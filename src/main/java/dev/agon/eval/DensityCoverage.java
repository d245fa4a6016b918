package dev.agon.eval;

import java.util.Locale;

/**
 * Density and coverage (Naeem et al. 2020, "Reliable Fidelity and Diversity Metrics for Generative
 * Models"), with k = 5 by default. With real features X_1..X_N, fakes Y_1..Y_M and B(X_i, r_i) the
 * closed ball around X_i of radius r_i = NND_k(X_i), the distance to its k-th nearest other real
 * feature:
 *
 * <ul>
 *   <li>density = (1 / (kM)) Σ_j Σ_i 1[Y_j ∈ B(X_i, r_i)] — how many real neighbourhoods a fake
 *       falls in, on average, over k; about 1 when fakes follow the real distribution, above 1 when
 *       they crowd dense real regions, unbounded;
 *   <li>coverage = (1/N) Σ_i 1[∃ j: Y_j ∈ B(X_i, r_i)] — the fraction of real neighbourhoods that
 *       hold at least one fake, in [0, 1].
 * </ul>
 *
 * <p>Unlike precision/recall, only the real set's neighbourhoods are used, so outlying fakes do not
 * inflate anything. Brute force in double, O((N² + NM)·D) time in tiles of 64 rows, O(N + M)
 * memory; fine for N, M ≤ 10,000 at D = 128.
 */
public final class DensityCoverage {
  private DensityCoverage() {}

  public static final int DEFAULT_K = 5;

  public record Result(double density, double coverage, int k) {
    public String summary() {
      return String.format(
          Locale.ROOT, "density %.3f, coverage %.3f (k = %d)", density, coverage, k);
    }
  }

  public static Result compute(double[][] real, double[][] fake) {
    return compute(real, fake, DEFAULT_K);
  }

  /**
   * @param real [N, D] real features, N > k
   * @param fake [M, D] generated features
   * @param k neighbour whose distance sets each real ball's radius (≥ 1)
   */
  public static Result compute(double[][] real, double[][] fake, int k) {
    EvalArrays.sameColumns("real", real, "fake", fake);
    double[] radii = EvalArrays.kthNeighbourSquaredRadii("real", real, k);
    long[] inside = new long[1];
    boolean[] covered = new boolean[real.length];
    EvalArrays.forEachPair(
        real,
        fake,
        (i, j, d2) -> {
          if (d2 <= radii[i]) {
            inside[0]++;
            covered[i] = true;
          }
        });
    return new Result(
        (double) inside[0] / ((double) k * fake.length), PrecisionRecall.fraction(covered), k);
  }
}
