package dev.agon.config;

/**
 * What the engine does when training goes wrong: a non-finite loss or parameter (divergence), or an
 * actor that fails.
 */
public record GuardConfig(
    @Doc(
            "Roll back to the last good state when a loss or parameter is not finite, at most this"
                + " many times; then the run stops. 0: stop at the first divergence.")
        @Min(0)
        int maxRollbacks,
    @Doc("Factor applied to both learning rates at each rollback.")
        @Min(value = 0, exclusive = true)
        @Max(1)
        double lrScale,
    @Doc(
            "Restart a failed training actor from the last good state at most this many times;"
                + " then the run stops with the failure's cause.")
        @Min(0)
        int maxRestarts) {}
