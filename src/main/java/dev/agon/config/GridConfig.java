package dev.agon.config;

/**
 * Mixture of equally weighted isotropic 2-D Gaussians whose centres form a side x side lattice
 * centred on the origin: coordinates spacing*(i - (side-1)/2) for i = 0 .. side-1.
 */
public record GridConfig(
    @Doc("Number of centres along each axis; the mixture has side^2 modes.") @Min(1) int side,
    @Doc("Distance between neighbouring centres (data units).") @Min(value = 0, exclusive = true)
        double spacing,
    @Doc("Standard deviation of each component, per coordinate (data units).")
        @Min(value = 0, exclusive = true)
        double std) {}
