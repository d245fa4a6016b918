package dev.agon.nn;

import java.util.List;
import java.util.Objects;

/**
 * Shape of a fully connected network: {@code inputDim -> hidden... -> outputDim}.
 *
 * @param inputDim features per input row
 * @param hidden widths of the hidden layers, in order (may be empty)
 * @param outputDim features per output row
 * @param hiddenActivation activation after every hidden layer
 * @param outputActivation activation after the last layer
 * @param leakySlope negative-side slope of {@link Activation#LEAKY_RELU} (must be {@code >= 0};
 *     ignored by the other activations)
 */
public record MlpSpec(
    int inputDim,
    List<Integer> hidden,
    int outputDim,
    Activation hiddenActivation,
    Activation outputActivation,
    double leakySlope) {

  public MlpSpec {
    hidden = List.copyOf(Objects.requireNonNull(hidden, "hidden"));
    Objects.requireNonNull(hiddenActivation, "hiddenActivation");
    Objects.requireNonNull(outputActivation, "outputActivation");
    if (inputDim <= 0 || outputDim <= 0) {
      throw new IllegalArgumentException(
          "dimensions must be positive: " + inputDim + ", " + outputDim);
    }
    for (int h : hidden) {
      if (h <= 0) {
        throw new IllegalArgumentException("hidden widths must be positive: " + hidden);
      }
    }
    if (!(leakySlope >= 0.0) || Double.isInfinite(leakySlope)) {
      throw new IllegalArgumentException("leakySlope must be finite and >= 0: " + leakySlope);
    }
  }

  /** Number of linear layers ({@code hidden().size() + 1}). */
  public int numLayers() {
    return hidden.size() + 1;
  }

  /** Input width of linear layer {@code l}. */
  public int layerIn(int l) {
    return l == 0 ? inputDim : hidden.get(l - 1);
  }

  /** Output width of linear layer {@code l}. */
  public int layerOut(int l) {
    return l == hidden.size() ? outputDim : hidden.get(l);
  }

  /** Activation applied after linear layer {@code l}. */
  public Activation layerActivation(int l) {
    return l == hidden.size() ? outputActivation : hiddenActivation;
  }

  /** Total number of parameters (weights and biases of all layers). */
  public long numParams() {
    long n = 0;
    for (int l = 0; l < numLayers(); l++) {
      n += (long) layerIn(l) * layerOut(l) + layerOut(l);
    }
    return n;
  }
}
