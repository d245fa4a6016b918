package dev.agon.config;

/**
 * Shape of a player's learning-rate schedule over its own updates. HOCON spelling: {@code
 * constant}, {@code linear}, {@code cosine}, {@code step}.
 */
public enum LrScheduleKind {
  /** The learning rate throughout. */
  CONSTANT,
  /** Straight line from the learning rate down to the floor over {@code updates} updates. */
  LINEAR,
  /** Half cosine from the learning rate down to the floor over {@code updates} updates. */
  COSINE,
  /** Multiplied by {@code factor} every {@code every} updates, never below the floor. */
  STEP
}
