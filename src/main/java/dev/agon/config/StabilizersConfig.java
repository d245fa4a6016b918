package dev.agon.config;

/** Training stabilisers (Salimans et al. 2016; Polyak averaging). */
public record StabilizersConfig(
    @Doc("Historical averaging (Salimans et al. 2016, Sec. 3.3).")
        HistoricalAveragingConfig historicalAveraging,
    @Doc("Exponential moving average of the generator's weights.") EmaConfig generatorEma,
    @Doc("Feature matching (Salimans et al. 2016, Sec. 3.1).")
        FeatureMatchingConfig featureMatching,
    @Doc("Minibatch discrimination (Salimans et al. 2016, Sec. 3.2).")
        MinibatchDiscriminationConfig minibatchDiscrimination,
    @Doc("Virtual batch normalisation in G (Salimans et al. 2016, Sec. 3.4).")
        VirtualBatchNormConfig virtualBatchNorm) {}
