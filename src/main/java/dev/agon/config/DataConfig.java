package dev.agon.config;

/** Training data: which synthetic set, its parameters, and how far ahead it is prepared. */
public record DataConfig(
    @Doc("Data set to train on: ring (data.ring) or grid (data.grid).") DataKind kind,
    @Doc("Ring of Gaussians, used when kind = ring.") RingConfig ring,
    @Doc("Grid of Gaussians, used when kind = grid.") GridConfig grid,
    @Doc("Number of batches the data loader prepares ahead of the trainer (batches).")
        @Min(1)
        @Max(64)
        int prefetch) {}
