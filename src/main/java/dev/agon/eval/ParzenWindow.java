package dev.agon.eval;

import java.util.Arrays;
import java.util.Locale;

/**
 * Gaussian Parzen-window log-likelihood (Breuleux, Bengio and Vincent 2011; the estimate of
 * Goodfellow et al. 2014, Table 1). Isotropic Gaussian kernels of width σ sit at the n generated
 * samples μ_i; a test point x in d dimensions gets
 *
 * <pre>
 *   log p(x) = logsumexp_i(−‖x − μ_i‖² / (2σ²)) − log n − (d/2) log(2πσ²).
 * </pre>
 *
 * <p>σ is chosen among {@link #DEFAULT_SIGMAS} = logspace(−1, 0, 10) (or given widths) by the mean
 * log-likelihood of a validation set; the result is the mean over the test set ± its standard error
 * (population std / √N, as the reference {@code parzen_ll.py}). The log-sum-exp runs online per
 * point (running maximum and rescaled sum), so nothing overflows and no n-vector is stored; every σ
 * is accumulated from the same squared distances, visited in tiles of 64 × 64 rows. Cost O(N·n·(d +
 * |σ|)) time, O(N·|σ|) memory. The estimate is known to be poor in high dimensions (Theis et al.
 * 2016); report it only for comparison with the literature.
 */
public final class ParzenWindow {
  private ParzenWindow() {}

  /** logspace(−1, 0, 10): 0.1 … 1, the reference grid. */
  public static final double[] DEFAULT_SIGMAS = logspace(-1, 0, 10);

  /**
   * @param meanLogLikelihood mean test log-likelihood at the chosen σ (nats)
   * @param standardError population std of the test log-likelihoods / √N
   * @param sigma the chosen width
   * @param sigmas the widths tried
   * @param validationMeans mean validation log-likelihood per width tried
   */
  public record Result(
      double meanLogLikelihood,
      double standardError,
      double sigma,
      double[] sigmas,
      double[] validationMeans) {
    public String summary() {
      return String.format(
          Locale.ROOT, "Parzen LL %.2f ± %.2f (σ = %.4f)", meanLogLikelihood, standardError, sigma);
    }
  }

  /** Fits σ on {@code validation} over {@link #DEFAULT_SIGMAS} and scores {@code test}. */
  public static Result fit(double[][] centres, double[][] validation, double[][] test) {
    return fit(centres, validation, test, DEFAULT_SIGMAS);
  }

  /**
   * @param centres [n, d] generated samples
   * @param validation [V, d] held-out real points to choose σ
   * @param test [N, d] real points scored
   * @param sigmas candidate widths (positive; the first wins ties)
   */
  public static Result fit(
      double[][] centres, double[][] validation, double[][] test, double[] sigmas) {
    EvalArrays.sameColumns("centres", centres, "validation", validation);
    EvalArrays.sameColumns("centres", centres, "test", test);
    double[][] valLl = logLikelihoods(centres, validation, sigmas);
    double[] means = new double[sigmas.length];
    int best = 0;
    for (int s = 0; s < sigmas.length; s++) {
      means[s] = EvalArrays.mean(valLl[s]);
      if (means[s] > means[best]) {
        best = s;
      }
    }
    double sigma = sigmas[best];
    double[] ll = logLikelihoods(centres, test, new double[] {sigma})[0];
    return new Result(
        EvalArrays.mean(ll),
        EvalArrays.populationStd(ll) / Math.sqrt(ll.length),
        sigma,
        sigmas.clone(),
        means);
  }

  /** log p(x) of each point under the Parzen window of width σ at the centres. */
  public static double[] logLikelihoods(double[][] centres, double[][] points, double sigma) {
    return logLikelihoods(centres, points, new double[] {sigma})[0];
  }

  /** [|σ|][N] log-likelihoods of the points for each width, from one pass over the distances. */
  public static double[][] logLikelihoods(double[][] centres, double[][] points, double[] sigmas) {
    int d = EvalArrays.sameColumns("centres", centres, "points", points);
    if (sigmas.length == 0) {
      throw new IllegalArgumentException("sigmas must not be empty");
    }
    int w = sigmas.length;
    double[] scale = new double[w];
    for (int s = 0; s < w; s++) {
      if (!(sigmas[s] > 0) || !Double.isFinite(sigmas[s])) {
        throw new IllegalArgumentException("sigma must be positive and finite, got " + sigmas[s]);
      }
      scale[s] = -1 / (2 * sigmas[s] * sigmas[s]);
    }
    int n = points.length;
    // Running log-sum-exp per (width, point): max[s*n + i] and sum of exp(v − max).
    double[] max = new double[w * n];
    double[] sum = new double[w * n];
    Arrays.fill(max, Double.NEGATIVE_INFINITY);
    EvalArrays.forEachPair(
        points,
        centres,
        (i, j, d2) -> {
          for (int s = 0; s < w; s++) {
            int at = s * n + i;
            double v = scale[s] * d2;
            if (v <= max[at]) {
              sum[at] += Math.exp(v - max[at]);
            } else {
              sum[at] = sum[at] * Math.exp(max[at] - v) + 1;
              max[at] = v;
            }
          }
        });
    double[][] out = new double[w][n];
    double logN = Math.log(centres.length);
    for (int s = 0; s < w; s++) {
      double norm = logN + 0.5 * d * Math.log(2 * Math.PI * sigmas[s] * sigmas[s]);
      for (int i = 0; i < n; i++) {
        out[s][i] = max[s * n + i] + Math.log(sum[s * n + i]) - norm;
      }
    }
    return out;
  }

  /** n values 10^a … 10^b, evenly spaced in the exponent (numpy.logspace). */
  public static double[] logspace(double a, double b, int n) {
    if (n < 1) {
      throw new IllegalArgumentException("n must be at least 1, got " + n);
    }
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = Math.pow(10, n == 1 ? a : a + (b - a) * i / (n - 1));
    }
    return v;
  }
}
