package dev.agon.eval;

/**
 * The mode-coverage metric of the 2-D mixture tables (VEEGAN, Srivastava et al. 2017; PacGAN;
 * GDPP): each sample is assigned to its nearest mode centre; it is high quality when within 3σ of
 * that centre; a mode is captured when at least one high-quality sample is assigned to it. The
 * reverse KL is KL(p_gen ‖ uniform) over the histogram of high-quality samples per mode (the data's
 * modes have equal weight), 0 when the generator covers every mode equally.
 */
public final class ModeMetrics {
  private ModeMetrics() {}

  /**
   * @param modes mode centres captured (≥ 1 high-quality sample)
   * @param highQualityFraction fraction of samples within 3σ of their nearest centre
   * @param reverseKl KL(p_gen ‖ p_data) of the per-mode histogram of high-quality samples (nats);
   *     +∞ when no sample is high quality
   * @param counts high-quality samples per mode
   */
  public record Result(
      int modes, int totalModes, double highQualityFraction, double reverseKl, int[] counts) {
    public String summary() {
      return String.format(
          java.util.Locale.ROOT,
          "modes %d/%d, high-quality %.1f%%, reverse KL %.3f",
          modes,
          totalModes,
          100 * highQualityFraction,
          reverseKl);
    }
  }

  /** Scores row-major [n, 2] samples against the mixture's centres and σ. */
  public static Result score(float[] xy, double[][] centres, double std) {
    int n = xy.length / 2;
    int[] counts = new int[centres.length];
    int hq = 0;
    double limit2 = 9 * std * std;
    for (int i = 0; i < n; i++) {
      double x = xy[2 * i];
      double y = xy[2 * i + 1];
      int best = -1;
      double bestD2 = Double.POSITIVE_INFINITY;
      for (int m = 0; m < centres.length; m++) {
        double dx = x - centres[m][0];
        double dy = y - centres[m][1];
        double d2 = dx * dx + dy * dy;
        if (d2 < bestD2) {
          bestD2 = d2;
          best = m;
        }
      }
      if (bestD2 <= limit2) {
        hq++;
        counts[best]++;
      }
    }
    int modes = 0;
    double kl = 0;
    for (int c : counts) {
      if (c > 0) {
        modes++;
        double p = (double) c / hq;
        kl += p * Math.log(p * centres.length);
      }
    }
    return new Result(
        modes,
        centres.length,
        n == 0 ? 0 : (double) hq / n,
        hq == 0 ? Double.POSITIVE_INFINITY : kl,
        counts);
  }
}
