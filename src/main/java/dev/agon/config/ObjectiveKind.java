package dev.agon.config;

/** Family of adversarial objective. HOCON spelling: {@code gan}. */
public enum ObjectiveKind {
  /** The original GAN objective of Goodfellow et al. (2014): D is a logistic classifier. */
  GAN
}
