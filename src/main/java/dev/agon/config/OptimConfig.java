package dev.agon.config;

/** One optimizer per player. */
public record OptimConfig(
    @Doc("Optimizer of the generator.") OptimizerConfig generator,
    @Doc("Optimizer of the discriminator.") OptimizerConfig discriminator) {}
