package dev.agon.config;

/**
 * Historical averaging: each network's loss gets {@code weight * ||theta - mean of its past
 * theta||^2}, the mean taken over the versions since {@code start}.
 */
public record HistoricalAveragingConfig(
    @Doc("Penalty weight (lambda) on the generator; 0: off.") @Min(0) double generatorWeight,
    @Doc("Penalty weight (lambda) on the discriminator; 0: off.") @Min(0)
        double discriminatorWeight,
    @Doc("G update from which the averages accumulate and the penalties apply (updates).") @Min(0)
        long start) {}
