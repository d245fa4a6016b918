package dev.agon.config;

/** Evaluation of generator snapshots during the run (by the Evaluator actor) and at its end. */
public record EvalConfig(
    @Doc("Number of generator samples scored per evaluation (samples).") @Min(1) int samples,
    @Doc("Evaluate a generator snapshot every this many G updates; 0: only at the end (updates).")
        @Min(0)
        long everySteps,
    @Doc("Also evaluate when this much time has passed since the last one; 0: off (seconds).")
        @Min(0)
        long everySeconds,
    @Doc("Write a sample plot for each evaluation to samples/step-NNNNNNN.png.") boolean plots) {}
