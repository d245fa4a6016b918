package dev.agon.config;

/** Console and log output. */
public record LogConfig(
    @Doc("Interval between refreshes of the console progress line (milliseconds).") @Min(50)
        long progressIntervalMs) {}
