package dev.agon.engine;

import dev.agon.config.Player;
import dev.agon.train.PlayerState;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ChildFailed;
import org.apache.pekko.actor.typed.Terminated;

/**
 * The run's outcome as the Coordinator learns it: whom to tell (set by Start), why it stops early
 * (the first Stop), the final state and its checkpoint's write while finishing, and, on an abort,
 * the cause; {@link #tell} builds {@link Coordinator.Finished} from them. Holds the final pair's
 * tensors (no copy) until the run ends. Runs on the Coordinator's thread.
 */
final class RunOutcome {
  /**
   * Why the run was aborted: a divergence, or a child that failed or stopped; {@code lost}: the
   * child's player node was lost (a pause, not a failure), else null.
   */
  record Abort(String cause, boolean diverged, Coordinator.Lost lost) {
    Abort(String cause, boolean diverged) {
      this(cause, diverged, null);
    }

    static Abort diverged(Coordinator.Diverged d) {
      return new Abort(d.model().label() + " update " + d.step() + ": " + d.what(), true);
    }

    static Abort failed(ChildFailed f) {
      Throwable cause = f.getCause();
      return new Abort(
          f.getRef().path().name()
              + " failed: "
              + cause.getClass().getSimpleName()
              + ": "
              + cause.getMessage(),
          false,
          cause instanceof NodeLost n ? new Coordinator.Lost(n.role, n.node) : null);
    }

    /** A child that stopped; one that failed gives the failure's cause instead. */
    static Abort stopped(Terminated t) {
      return t instanceof ChildFailed f
          ? failed(f)
          : new Abort(t.getRef().path().name() + " stopped unexpectedly", false);
    }
  }

  private ActorRef<Coordinator.Finished> replyTo;
  private Optional<String> stopReason = Optional.empty();
  private Optional<CheckpointCapture.Pair> finalState = Optional.empty();
  private Optional<Checkpointer.Written> finalWrite = Optional.empty();

  /** The run started: the outcome goes to {@code replyTo}. */
  void started(ActorRef<Coordinator.Finished> replyTo) {
    this.replyTo = replyTo;
  }

  /** Whether a Stop was asked for (the run then ends early, at a whole iteration). */
  boolean stopping() {
    return stopReason.isPresent();
  }

  /** The first Stop's reason: later ones change nothing. */
  void stopRequested(String reason) {
    if (stopReason.isEmpty()) {
      stopReason = Optional.of(reason);
    }
  }

  void finalState(CheckpointCapture.Pair state) {
    finalState = Optional.of(state);
  }

  void finalWritten(Checkpointer.Written w) {
    finalWrite = Optional.of(w);
  }

  /**
   * Whether the run may end: its final state is in and, when it checkpoints ({@code writing}), that
   * state's write has ended (written or failed).
   */
  boolean finalStateDone(boolean writing) {
    return finalState.isPresent() && (finalWrite.isPresent() || !writing);
  }

  /**
   * Tells the outcome at {@code at}'s position: the abort's cause (no parameters, no checkpoint:
   * the newest one is the last good state), or the final state and its checkpoint.
   */
  void tell(Admission at, Optional<Abort> abort) {
    String stop = stopReason.orElse(null);
    if (abort.isPresent()) {
      replyTo.tell(
          new Coordinator.Finished(
              at.dDone(),
              at.gDone(),
              null,
              null,
              null,
              stop,
              null,
              null,
              abort.get().cause(),
              abort.get().diverged(),
              abort.get().lost()));
      return;
    }
    PlayerState g = finalState.orElseThrow().generator();
    PlayerState d = finalState.orElseThrow().discriminator();
    Checkpointer.Written w = finalWrite.orElse(null);
    replyTo.tell(
        new Coordinator.Finished(
            at.dDone(),
            at.gDone(),
            g.tensors().get(Player.GENERATOR.label()),
            d.tensors().get(Player.DISCRIMINATOR.label()),
            g.tensors().get("generator_ema"),
            stop,
            w == null ? null : w.dir(),
            w == null ? null : w.error(),
            null,
            false,
            null));
  }
}
