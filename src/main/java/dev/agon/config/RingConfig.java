package dev.agon.config;

/**
 * Mixture of equally weighted isotropic 2-D Gaussians whose centres lie on a circle, at angles
 * 2*pi*k/modes for k = 0 .. modes-1.
 */
public record RingConfig(
    @Doc("Number of mixture components (modes) on the circle.") @Min(1) int modes,
    @Doc("Radius of the circle the centres lie on (data units).") @Min(value = 0, exclusive = true)
        double radius,
    @Doc("Standard deviation of each component, per coordinate (data units).")
        @Min(value = 0, exclusive = true)
        double std) {}
