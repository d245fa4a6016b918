package dev.agon.config;

/** Which synthetic 2-D data set to train on. HOCON spelling: {@code ring}, {@code grid}. */
public enum DataKind {
  /** Mixture of Gaussians with centres evenly spaced on a circle ({@code data.ring}). */
  RING,
  /** Mixture of Gaussians with centres on a square lattice ({@code data.grid}). */
  GRID
}
