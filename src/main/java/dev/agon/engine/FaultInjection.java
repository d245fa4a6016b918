package dev.agon.engine;

import dev.agon.config.Player;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The fault-injection seam for the supervision tests (system properties, never set in production):
 * the Generator throws before update {@code agon.faults.generator-fails-at} (0: never), in the
 * first {@code agon.faults.generator-fails-times} launches (default 1); {@code
 * agon.faults.restart-backoff-ms} (when above 0) replaces every restart's backoff, so that a test
 * can act during a long one.
 */
final class FaultInjection {
  private FaultInjection() {}

  /**
   * The hook the properties ask for ({@link StepHook#NONE} when unset). One hook serves every
   * launch of a run, so it counts the faults across restarts.
   */
  static StepHook fromSystemProperties() {
    long failAt = Long.getLong("agon.faults.generator-fails-at", 0);
    int failTimes = Integer.getInteger("agon.faults.generator-fails-times", 1);
    if (failAt <= 0) {
      return StepHook.NONE;
    }
    AtomicInteger failed = new AtomicInteger();
    return (actor, step) -> {
      if (actor == Player.GENERATOR && step == failAt && failed.getAndIncrement() < failTimes) {
        throw new IllegalStateException("injected fault before generator update " + step);
      }
    };
  }

  /** A restart's backoff: {@code policy}'s, or the property's when it is set above 0. */
  static Duration restartBackoff(Duration policy) {
    long ms = Long.getLong("agon.faults.restart-backoff-ms", 0);
    return ms > 0 ? Duration.ofMillis(ms) : policy;
  }
}
