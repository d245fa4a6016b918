package dev.agon.config;

/**
 * The evaluation metric by which retention keeps the best checkpoint besides the newest ones. HOCON
 * spelling: {@code none}, {@code modes} (more is better), {@code high-quality} (more is better),
 * {@code reverse-kl} (less is better), {@code is} (more is better), {@code fid} (less is better);
 * the mode metrics exist for the 2-D mixtures, IS and FID for image runs that compute them ({@code
 * eval.metrics}).
 */
public enum BestMetric {
  NONE,
  MODES,
  HIGH_QUALITY,
  REVERSE_KL,
  IS,
  FID;

  /** The name {@code checkpoints/best.json} and metrics.jsonl give it: {@code high_quality}. */
  public String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Whether a smaller value is better. */
  public boolean lessIsBetter() {
    return this == REVERSE_KL || this == FID;
  }
}
