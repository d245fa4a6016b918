package dev.agon.eval;

import java.util.Locale;

/**
 * The Jensen–Shannon reading of the GAN value (Goodfellow et al. 2014, Theorem 1 and eq. 6). With
 * D's outputs on held-out real samples x and fresh fakes G(z),
 *
 * <pre>
 *   V̂ = mean_x log D(x) + mean_z log(1 − D(G(z)))      and      bound = (V̂ + log 4) / 2.
 * </pre>
 *
 * <p>Caveat, precisely: for a fixed G the value V(D, G) is maximised by D*(x) = p_data / (p_data +
 * p_g), where it equals C(G) = −log 4 + 2·JSD(p_data ‖ p_g) (eq. 6). Any other D gives V(D, G) ≤
 * C(G), so (V + log 4)/2 ≤ JSD for every D: the bound estimates the JSD (in nats, at most log 2)
 * from below, tightly only when D is near optimal. It is a sample estimate (noisy; use held-out
 * reals so that D's overfitting does not inflate it), it depends on D's capacity and training
 * state, and it can be negative when D is worse than chance. Read it as a trend, not as the JSD.
 *
 * <p>Computed from logits for stability: log D = log σ(l) = −softplus(−l) and log(1 − D) =
 * −softplus(l), with softplus(t) = max(t, 0) + log1p(e^{−|t|}). Cost O(N + M).
 */
public final class JsdBound {
  private JsdBound() {}

  /**
   * @param value V̂ = mean log D(x) + mean log(1 − D(G(z))), in nats (≤ 0)
   * @param jsdLowerBound (V̂ + log 4) / 2, in nats
   */
  public record Result(double value, double jsdLowerBound, int realCount, int fakeCount) {
    public String summary() {
      return String.format(
          Locale.ROOT,
          "V %.4f, JSD ≥ %.4f nats (%d real, %d fake)",
          value,
          jsdLowerBound,
          realCount,
          fakeCount);
    }

    /** How the bound was measured, for the reports that print it next to the number. */
    public String protocol() {
      return "(V + log 4) / 2 <= JSD, Goodfellow et al. 2014 eq. 6; "
          + realCount
          + " held-out real, "
          + fakeCount
          + " fresh fakes; tight only for an optimal D";
    }
  }

  /** From D's logits (pre-sigmoid outputs) on real and fake samples. */
  public static Result fromLogits(double[] realLogits, double[] fakeLogits) {
    check("realLogits", realLogits);
    check("fakeLogits", fakeLogits);
    double real = 0;
    for (double l : realLogits) {
      real -= softplus(-l);
    }
    double fake = 0;
    for (double l : fakeLogits) {
      fake -= softplus(l);
    }
    return result(
        real / realLogits.length + fake / fakeLogits.length, realLogits.length, fakeLogits.length);
  }

  /** From D's float logits. */
  public static Result fromLogits(float[] realLogits, float[] fakeLogits) {
    return fromLogits(toDouble(realLogits), toDouble(fakeLogits));
  }

  /**
   * From D's probabilities in [0, 1]. A real sample given exactly 0 (or a fake given exactly 1)
   * makes V̂ −∞, which is its value; prefer {@link #fromLogits}.
   */
  public static Result fromProbabilities(double[] realProbabilities, double[] fakeProbabilities) {
    checkProbabilities("realProbabilities", realProbabilities);
    checkProbabilities("fakeProbabilities", fakeProbabilities);
    double real = 0;
    for (double p : realProbabilities) {
      real += Math.log(p);
    }
    double fake = 0;
    for (double p : fakeProbabilities) {
      fake += Math.log1p(-p);
    }
    return result(
        real / realProbabilities.length + fake / fakeProbabilities.length,
        realProbabilities.length,
        fakeProbabilities.length);
  }

  static double softplus(double t) {
    return Math.max(t, 0) + Math.log1p(Math.exp(-Math.abs(t)));
  }

  private static Result result(double value, int n, int m) {
    return new Result(value, (value + Math.log(4)) / 2, n, m);
  }

  private static void check(String name, double[] v) {
    if (v.length == 0) {
      throw new IllegalArgumentException(name + " must not be empty");
    }
    for (int i = 0; i < v.length; i++) {
      if (Double.isNaN(v[i])) {
        throw new IllegalArgumentException(name + "[" + i + "] is NaN");
      }
    }
  }

  private static void checkProbabilities(String name, double[] v) {
    if (v.length == 0) {
      throw new IllegalArgumentException(name + " must not be empty");
    }
    for (int i = 0; i < v.length; i++) {
      if (!(v[i] >= 0 && v[i] <= 1)) {
        throw new IllegalArgumentException(name + "[" + i + "] is outside [0, 1]: " + v[i]);
      }
    }
  }

  private static double[] toDouble(float[] v) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      d[i] = v[i];
    }
    return d;
  }
}
