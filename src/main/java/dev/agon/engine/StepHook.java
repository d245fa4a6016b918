package dev.agon.engine;

import dev.agon.config.Player;

/**
 * Called by the Generator and the Discriminator on their own thread just before each update: the
 * seam for tests that inject delays or faults into a running engine. Production runs use {@link
 * #NONE}.
 */
@FunctionalInterface
public interface StepHook {
  StepHook NONE = (actor, step) -> {};

  /** {@code actor} is the player; {@code step} the 1-based update about to run. */
  void beforeStep(Player actor, long step);
}
