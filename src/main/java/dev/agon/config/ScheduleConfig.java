package dev.agon.config;

/** How long training runs and how the two players' updates alternate. */
public record ScheduleConfig(
    @Doc("Discriminator updates per generator update.") @Min(1) @Max(1000) int k,
    @Doc("Length of the run, in generator updates.") @Min(1) long iterations,
    @Doc("Samples per minibatch, for both players (samples).") @Min(1) @Max(65536) int batchSize) {}
