package dev.agon.nn;

/**
 * Element-wise activations. Derivatives are taken from the saved outputs: tanh {@code 1-y^2},
 * sigmoid {@code y(1-y)}, ReLU {@code y>0 ? 1 : 0}, leaky ReLU {@code y>0 ? 1 : slope} (valid for
 * {@code slope >= 0}; at exactly 0 these match PyTorch's choice: 0 for ReLU, slope for leaky).
 */
public enum Activation {
  IDENTITY,
  TANH,
  RELU,
  LEAKY_RELU,
  SIGMOID
}
