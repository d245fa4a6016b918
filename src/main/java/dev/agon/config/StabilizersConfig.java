package dev.agon.config;

/** Training stabilisers the Coordinator applies as policy (Salimans et al. 2016; Polyak). */
public record StabilizersConfig(
    @Doc("Historical averaging (Salimans et al. 2016, Sec. 3.3).")
        HistoricalAveragingConfig historicalAveraging,
    @Doc("Exponential moving average of the generator's weights.") EmaConfig generatorEma) {}
