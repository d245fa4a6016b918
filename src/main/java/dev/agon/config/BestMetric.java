package dev.agon.config;

/**
 * The evaluation metric by which retention keeps the best checkpoint besides the newest ones. HOCON
 * spelling: {@code none}, {@code modes} (more is better), {@code high-quality} (more is better),
 * {@code reverse-kl} (less is better); the mode metrics exist for the 2-D mixtures only.
 */
public enum BestMetric {
  NONE,
  MODES,
  HIGH_QUALITY,
  REVERSE_KL
}
