package dev.agon.engine;

import dev.agon.config.GuardConfig;
import java.time.Duration;

/**
 * What a run does when its actor system ends in failure: roll back after a divergence (from the
 * newest valid checkpoint, learning rates scaled), restart after an actor failure (after a doubling
 * backoff), stop at once on a full disk (every restart would fail alike), or give up once {@code
 * guard}'s limits are passed or a stop was requested; a lost player node pauses the run, counting
 * nothing ({@link #lost}). Pure: the caller keeps the counts, writes the event, waits and
 * relaunches.
 *
 * <p>Pekko's {@code SupervisorStrategy.restartWithBackoff} restarts one actor inside a running
 * system; this recovery replaces the whole actor system (every player restored from a checkpoint),
 * so it is decided here and the wait is a scheduled one in {@link TrainRun}.
 */
final class RecoveryPolicy {
  /** The OS's message for ENOSPC (Linux, macOS), which the failures carry as text. */
  static final String NO_SPACE = "No space left on device";

  /** The first restart's wait; each further restart doubles it, up to {@link #MAX_BACKOFF}. */
  static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);

  static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  enum Action {
    /** Start again from the newest valid checkpoint with learning rates scaled. */
    ROLLBACK,
    /** Start again from the newest valid checkpoint after {@link Decision#backoff}. */
    RESTART,
    /** End the run: the limit is passed or a stop was requested (the event is still recorded). */
    GIVE_UP,
    /** End the run at once, recording nothing: the disk is full. */
    DISK_FULL,
    /**
     * Wait, without limit, for a node with the lost player's role, then start again from the newest
     * valid checkpoint; counts nothing against the guard.
     */
    PAUSE
  }

  /** Rollbacks after divergence (persisted in checkpoints) and restarts after failures so far. */
  record Counts(int rollbacks, int restarts) {}

  /**
   * What to do about one failure.
   *
   * @param counts the counts including this failure
   * @param event the metrics.jsonl event that records it: ROLLBACK or RESTART
   * @param count this failure's number among its kind (the event's {@code count})
   * @param max the guard's limit for its kind
   * @param backoff how long to wait before a restart (zero otherwise)
   */
  record Decision(
      Action action, Counts counts, EventKind event, int count, int max, Duration backoff) {}

  private final GuardConfig guard;

  RecoveryPolicy(GuardConfig guard) {
    this.guard = guard;
  }

  /**
   * Decides about a run that ended with {@code failure} ({@code diverged}: the divergence guard
   * tripped) after {@code before}; {@code stopRequested}: the user asked the run to stop.
   */
  Decision decide(boolean diverged, String failure, Counts before, boolean stopRequested) {
    Counts after =
        diverged
            ? new Counts(before.rollbacks() + 1, before.restarts())
            : new Counts(before.rollbacks(), before.restarts() + 1);
    int count = diverged ? after.rollbacks() : after.restarts();
    int max = diverged ? guard.maxRollbacks() : guard.maxRestarts();
    EventKind event = diverged ? EventKind.ROLLBACK : EventKind.RESTART;
    Action action;
    if (failure != null && failure.contains(NO_SPACE)) {
      action = Action.DISK_FULL;
    } else if (count > max || stopRequested) {
      action = Action.GIVE_UP;
    } else {
      action = diverged ? Action.ROLLBACK : Action.RESTART;
    }
    Duration wait = action == Action.RESTART ? backoff(after.restarts()) : Duration.ZERO;
    return new Decision(action, after, event, count, max, wait);
  }

  /**
   * Decides about a run that ended because a player's node was lost: a pause that counts nothing
   * (the event is NODE_LOST, {@code pauses} its number), or the end when a stop was requested.
   */
  Decision lost(Counts before, int pauses, boolean stopRequested) {
    return new Decision(
        stopRequested ? Action.GIVE_UP : Action.PAUSE,
        before,
        EventKind.NODE_LOST,
        pauses,
        0,
        Duration.ZERO);
  }

  /** The wait before restart number {@code restart} (1-based): 1 s, doubling, at most 30 s. */
  static Duration backoff(int restart) {
    Duration d = FIRST_BACKOFF.multipliedBy(1L << Math.min(Math.max(restart - 1, 0), 5));
    return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
  }

  /**
   * The learning-rate scale of the {@code n}-th rollback to the same checkpoint: {@code
   * guard.lr-scale}^n, so repeated divergence from one point trains ever more gently.
   */
  double lrScale(int n) {
    return Math.pow(guard.lrScale(), n);
  }
}
