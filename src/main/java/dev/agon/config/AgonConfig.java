package dev.agon.config;

/**
 * The whole configuration of a run: one immutable, validated tree. Obtain it through {@link
 * ConfigLoader}; HOCON keys are the kebab-case names of the components, at the root of the file.
 */
public record AgonConfig(
    @Doc("Identity of the run and where its outputs go.") RunConfig run,
    @Doc("Seed of every random number generator of the run: initialisation, noise and data.")
        long seed,
    @Doc("Training data set.") DataConfig data,
    @Doc("Generator and discriminator networks.") ModelConfig model,
    @Doc("Adversarial objective.") ObjectiveConfig objective,
    @Doc("Optimizers of both players.") OptimConfig optim,
    @Doc("Training schedule.") ScheduleConfig schedule,
    @Doc("Training stabilisers.") StabilizersConfig stabilizers,
    @Doc("Evaluation during and at the end of the run.") EvalConfig eval,
    @Doc("Console and log output.") LogConfig log) {}
