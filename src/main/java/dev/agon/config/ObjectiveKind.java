package dev.agon.config;

/**
 * Family of adversarial objective. HOCON spelling: {@code gan}, {@code wgan-gp}, {@code lsgan},
 * {@code hinge}, {@code semi-supervised}.
 */
public enum ObjectiveKind {
  /** The original GAN objective of Goodfellow et al. (2014): D is a logistic classifier. */
  GAN,
  /** Wasserstein GAN with gradient penalty (Gulrajani et al. 2017): D is a critic. */
  WGAN_GP,
  /** Least-squares GAN (Mao et al. 2017), 0/1 coding. */
  LSGAN,
  /** Hinge loss (Lim and Ye 2017; Miyato et al. 2018). */
  HINGE,
  /**
   * The semi-supervised K+1 discriminator of Salimans et al. (2016, Sec. 5): D outputs K class
   * logits, the fake class's logit fixed at 0; D(x) = Z/(Z+1), Z = sum exp(l_k).
   */
  SEMI_SUPERVISED
}
