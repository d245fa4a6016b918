package dev.agon.config;

/**
 * Polyak/exponential moving average of the generator's weights: {@code ema = decay * ema + (1 -
 * decay) * theta} after every G update from {@code start}; used for sampling and evaluation when
 * enabled.
 */
public record EmaConfig(
    @Doc("Keep the average and sample and evaluate with it.") boolean enabled,
    @Doc("Decay per G update, in [0, 1).") @Min(0) @Max(value = 1, exclusive = true) double decay,
    @Doc("G update from which the average is kept; it starts as a copy of the weights (updates).")
        @Min(0)
        long start) {}
