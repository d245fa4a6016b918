package dev.agon.config;

/** Gradient-based optimizer. HOCON spelling: {@code adam}, {@code sgd}. */
public enum OptimizerKind {
  /** Adam (Kingma and Ba, 2015); uses beta1, beta2 and eps. */
  ADAM,
  /** Stochastic gradient descent; uses momentum and nesterov. */
  SGD
}
