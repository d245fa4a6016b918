package dev.agon.config;

/** Evaluation of the trained generator at the end of the run. */
public record EvalConfig(
    @Doc("Number of generator samples scored at the end of the run (samples).") @Min(1)
        int samples) {}
