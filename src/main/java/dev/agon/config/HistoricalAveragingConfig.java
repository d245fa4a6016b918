package dev.agon.config;

/**
 * Historical averaging: each network's loss gets {@code weight * ||theta - mean of its past
 * theta||^2}, the mean taken over the versions since {@code start}, or with a {@code window} an
 * exponential average that forgets old versions.
 */
public record HistoricalAveragingConfig(
    @Doc("Penalty weight (lambda) on the generator; 0: off.") @Min(0) double generatorWeight,
    @Doc("Penalty weight (lambda) on the discriminator; 0: off.") @Min(0)
        double discriminatorWeight,
    @Doc("G update from which the averages accumulate and the penalties apply (updates).") @Min(0)
        long start,
    @Doc(
            "0: the mean over every version since start (the paper's); W >= 1: the exact mean of the"
                + " first W versions, then an exponential moving average with decay 1 - 1/W (versions"
                + " fade over about W updates). Read at every start; a change on resume (allowed with"
                + " --allow-config-change) applies to the kept mean from the next update (versions).")
        @Min(0)
        long window) {}
