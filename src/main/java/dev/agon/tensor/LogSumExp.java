package dev.agon.tensor;

/**
 * {@code log sum_j exp(v_j)} of a run of doubles, shifted by its maximum so that it is finite for
 * any finite values (e.g. ±1e4): the normaliser of a softmax and of its cross-entropy, which the
 * K+1 discriminator, InfoGAN's categorical code and the classifier all take per row. O(k).
 */
public final class LogSumExp {
  private LogSumExp() {}

  /** {@code log sum exp} of {@code v[from .. from + k)} ({@code k >= 1}). */
  public static double of(double[] v, int from, int k) {
    double m = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < k; j++) {
      m = Math.max(m, v[from + j]);
    }
    double s = 0;
    for (int j = 0; j < k; j++) {
      s += Math.exp(v[from + j] - m);
    }
    return m + Math.log(s);
  }
}
