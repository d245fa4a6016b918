package dev.agon.engine;

import java.util.Locale;
import java.util.Optional;

/**
 * The kinds of line in {@code metrics.jsonl}, its {@code "event"} field: a closed set, written and
 * read through this enum. {@link #wire()} is the file's spelling, which never changes.
 */
public enum EventKind {
  /** A launch began (TrainRun), with the config and what it resumed. */
  RUN_START,
  /** One D update (Recorder). */
  D_STEP,
  /** One G update (Recorder). */
  G_STEP,
  /** A live change took effect: see {@link Messages.ScheduleEvent.Change}. */
  SCHEDULE_CHANGE,
  /** An evaluation, during the run or the final one. */
  EVAL,
  /** A checkpoint was written. */
  CHECKPOINT,
  /** A checkpoint could not be written; the run goes on. */
  CHECKPOINT_FAILED,
  /** The run paused at an iteration's end. */
  PAUSE,
  /** A paused run resumed. */
  RESUME,
  /** The checkpoint this launch continues. */
  RESUMED_FROM,
  /** A divergence rolled the run back to its last good checkpoint (TrainRun). */
  ROLLBACK,
  /** An actor failed and the engine was restarted (TrainRun). */
  RESTART,
  /** A player's node was lost: the run pauses until a node with its role joins (Recovery). */
  NODE_LOST,
  /** A node with the lost role joined: the run resumes from the newest checkpoint (Recovery). */
  NODE_BACK;

  /** The spelling in {@code metrics.jsonl}: the name in lower case ("run_start"). */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The kind spelt {@code s} in a file, or empty for a line that is not one of ours. */
  public static Optional<EventKind> parse(String s) {
    for (EventKind k : values()) {
      if (k.wire().equals(s)) {
        return Optional.of(k);
      }
    }
    return Optional.empty();
  }
}
