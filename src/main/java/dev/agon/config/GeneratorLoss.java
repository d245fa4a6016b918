package dev.agon.config;

/** Generator loss of the GAN objective. HOCON spelling: {@code minimax}, {@code non-saturating}. */
public enum GeneratorLoss {
  /** Minimise log(1 - D(G(z))), the loss of the minimax game. */
  MINIMAX,
  /** Minimise -log D(G(z)), which gives stronger gradients early in training. */
  NON_SATURATING
}
