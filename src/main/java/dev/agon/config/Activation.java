package dev.agon.config;

/** Element-wise activation of a dense layer. HOCON spelling: lower-case kebab-case. */
public enum Activation {
  /** f(x) = x. */
  IDENTITY,
  /** f(x) = tanh(x). */
  TANH,
  /** f(x) = max(0, x). */
  RELU,
  /** f(x) = x for x &gt; 0, slope * x otherwise (slope: {@code leaky-slope}). */
  LEAKY_RELU,
  /** f(x) = 1 / (1 + exp(-x)). */
  SIGMOID
}
