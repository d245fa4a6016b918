package dev.agon.config;

/**
 * When the engine checkpoints the complete state of a run, and which checkpoints it keeps. A
 * checkpoint is also written on demand and when the run ends or is stopped.
 */
public record CheckpointConfig(
    @Doc("Checkpoint every this many G updates; 0: off (updates).") @Min(0) long everySteps,
    @Doc("Also checkpoint when this many seconds have passed since the last one; 0: off (seconds).")
        @Min(0)
        long everySeconds,
    @Doc("Number of newest checkpoints kept; older ones are deleted after each write.") @Min(1)
        int keepLast,
    @Doc(
            "Also keep the checkpoint with the best value of this evaluation metric: none, modes,"
                + " high-quality or reverse-kl (2-D mixtures), is or fid (image runs whose"
                + " eval.metrics include it); evaluated at a checkpointed step.")
        BestMetric bestMetric,
    @Doc(
            "Longest wait before retrying a failed checkpoint write; waits double from one second"
                + " (seconds).")
        @Min(1)
        long retryMaxSeconds) {}
