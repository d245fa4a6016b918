package dev.agon.config;

/** How long training runs and how the two players' updates alternate. */
public record ScheduleConfig(
    @Doc("Discriminator updates per generator update.") @Min(1) @Max(1000) int k,
    @Doc(
            "Staleness bound s: D update n uses fakes of G version floor((n-1)/k) - s and G update i"
                + " uses D version k*i - s, so G and D can work at the same time; 0 is Algorithm 1"
                + " exactly.")
        @Min(0)
        @Max(100)
        int staleness,
    @Doc("Length of the run, in generator updates.") @Min(1) long iterations,
    @Doc("Samples per minibatch, for both players (samples).") @Min(1) @Max(65536) int batchSize) {}
