package dev.agon.config;

import java.util.List;

/** A fully connected network: dense hidden layers, then a dense output layer. */
public record NetConfig(
    @Doc("Widths of the hidden dense layers, input side first (units per layer).") @NonEmpty
        List<@Min(1) Integer> hidden,
    @Doc("Activation of every hidden layer.") Activation activation,
    @Doc("Activation of the output layer.") Activation output,
    @Doc("Slope for negative inputs of leaky-relu; ignored by the other activations.")
        @Min(0)
        @Max(value = 1, exclusive = true)
        double leakySlope) {

  /** Copies {@code hidden}, so that the record is immutable. */
  public NetConfig {
    hidden = List.copyOf(hidden);
  }
}
