package dev.agon.eval;

import java.util.Locale;

/**
 * Inception Score (Salimans et al. 2016, "Improved Techniques for Training GANs", Sec. 4): IS =
 * exp(E_x KL(p(y|x) ‖ p(y))), where p(y|x) are a classifier's class probabilities for a generated
 * sample and p(y) is their mean over the samples. As in the reference code the N samples are cut
 * into {@code splits} contiguous parts (part i is rows [i·N/splits, (i+1)·N/splits)), the score is
 * computed on each part with that part's own p(y), and the result is the mean and the population
 * standard deviation ({@code np.std}) of the per-part scores.
 *
 * <p>Ranges from 1 (every sample gets the same prediction) to K (confident predictions spread
 * uniformly over K classes). Terms use p·log p with 0·log 0 = 0, so zero probabilities are safe.
 * Each row is divided by its sum (rows must be non-negative with a positive sum). Cost O(N·K).
 */
public final class InceptionScore {
  private InceptionScore() {}

  /** Default number of splits, as in the reference code. */
  public static final int DEFAULT_SPLITS = 10;

  /**
   * @param mean mean of the per-split scores
   * @param std population standard deviation of the per-split scores
   * @param scores the per-split scores
   * @param n samples scored
   */
  public record Result(double mean, double std, double[] scores, int n) {
    public int splits() {
      return scores.length;
    }

    public String summary() {
      return String.format(
          Locale.ROOT, "IS %.3f ± %.3f (%d samples, %d splits)", mean, std, n, scores.length);
    }
  }

  /** Scores [N, K] class probabilities with {@link #DEFAULT_SPLITS} splits. */
  public static Result compute(double[][] probabilities) {
    return compute(probabilities, DEFAULT_SPLITS);
  }

  /** Scores [N, K] class probabilities over {@code splits} contiguous splits (1 ≤ splits ≤ N). */
  public static Result compute(double[][] probabilities, int splits) {
    int k = EvalArrays.columns("probabilities", probabilities);
    int n = probabilities.length;
    if (splits < 1 || splits > n) {
      throw new IllegalArgumentException(
          "splits must be in [1, " + n + "] for " + n + " samples, got " + splits);
    }
    double[][] p = normalisedRows(probabilities, k);
    double[] scores = new double[splits];
    for (int s = 0; s < splits; s++) {
      int from = (int) ((long) s * n / splits);
      int to = (int) ((long) (s + 1) * n / splits);
      double[] marginal = new double[k];
      for (int i = from; i < to; i++) {
        for (int c = 0; c < k; c++) {
          marginal[c] += p[i][c];
        }
      }
      for (int c = 0; c < k; c++) {
        marginal[c] /= to - from;
      }
      double klSum = 0;
      for (int i = from; i < to; i++) {
        double kl = 0;
        for (int c = 0; c < k; c++) {
          double pc = p[i][c];
          if (pc > 0) {
            // marginal[c] ≥ pc / (to - from) > 0 here.
            kl += pc * (Math.log(pc) - Math.log(marginal[c]));
          }
        }
        klSum += kl;
      }
      scores[s] = Math.exp(klSum / (to - from));
    }
    return new Result(EvalArrays.mean(scores), EvalArrays.populationStd(scores), scores, n);
  }

  private static double[][] normalisedRows(double[][] x, int k) {
    double[][] p = new double[x.length][k];
    for (int i = 0; i < x.length; i++) {
      double sum = 0;
      for (int c = 0; c < k; c++) {
        if (x[i][c] < 0) {
          throw new IllegalArgumentException(
              "probabilities[" + i + "][" + c + "] is negative: " + x[i][c]);
        }
        sum += x[i][c];
      }
      if (!(sum > 0)) {
        throw new IllegalArgumentException("probabilities row " + i + " sums to 0");
      }
      for (int c = 0; c < k; c++) {
        p[i][c] = x[i][c] / sum;
      }
    }
    return p;
  }
}
