package dev.agon.config;

/**
 * Virtual batch normalisation in the generator (Salimans et al. 2016, Sec. 3.4): batch norm with
 * the statistics of a reference batch fixed at the start of the run (and kept with the model).
 */
public record VirtualBatchNormConfig(
    @Doc("Replace the generator's batch norm by virtual batch norm.") boolean enabled,
    @Doc("Size of the reference batch (samples).") @Min(2) int referenceSize) {}
