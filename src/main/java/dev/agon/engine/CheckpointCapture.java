package dev.agon.engine;

import dev.agon.config.Player;
import dev.agon.train.PlayerState;
import dev.agon.train.Schedule;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;

/**
 * The Coordinator's side of a checkpoint, once both players rest at its iteration: ask the Recorder
 * to fsync metrics.jsonl and both players for a copy of their state, pair the two states, hand the
 * write to the {@link Checkpointer} with the log's synced length, and answer whoever asked for the
 * checkpoint when the write ends. At most one write is in flight: a capture that falls due during
 * one waits for it (a slow disk stalls training rather than let a crash lose more than about two
 * intervals). Runs on the Coordinator's thread; holds no tensors beyond the pair being assembled.
 */
final class CheckpointCapture {
  /** Both players' states, captured at the same iteration. */
  record Pair(PlayerState generator, PlayerState discriminator) {}

  private final Coordinator.Checkpointing checkpointing;
  private final ActorRef<Checkpointer.Command> checkpointer;
  private final ActorRef<Recorder.Command> recorder;
  private final ActorRef<Generator.Command> generator;
  private final ActorRef<Discriminator.Command> discriminator;
  private final ActorRef<Recorder.Synced> synced;
  private final ActorRef<PlayerState> states;
  private final ActorRef<Checkpointer.Written> written;

  private Optional<PlayerState> capturedG = Optional.empty();
  private Optional<PlayerState> capturedD = Optional.empty();
  private boolean capturing;
  private boolean writeInFlight;
  private boolean captureWaiting;
  private long lastNanos = System.nanoTime();
  private final List<ActorRef<Messages.ControlReply>> waiters = new ArrayList<>();

  /**
   * Recorder syncs and captured states pair up in order: whichever comes first waits here, so a
   * checkpoint is written only once the records of every update it holds are durable.
   */
  private final ArrayDeque<Long> logOffsets = new ArrayDeque<>();

  private final ArrayDeque<Checkpointer.Write> writesAwaitingLog = new ArrayDeque<>();

  /**
   * The capture of {@code crew}'s states under {@code checkpointing} (null: none is written), whose
   * replies come to the Coordinator through adapters of {@code ctx}.
   */
  static CheckpointCapture of(
      ActorContext<Coordinator.Command> ctx, Coordinator.Checkpointing checkpointing, Crew crew) {
    return new CheckpointCapture(
        checkpointing,
        crew.checkpointer().orElse(null),
        crew.recorder(),
        crew.generator(),
        crew.discriminator(),
        ctx.messageAdapter(Recorder.Synced.class, Coordinator.LogSynced::new),
        ctx.messageAdapter(PlayerState.class, Coordinator.StateCaptured::new),
        ctx.messageAdapter(Checkpointer.Written.class, Coordinator.CheckpointWritten::new));
  }

  /**
   * {@code checkpointing} and {@code checkpointer} are null when the run does not checkpoint: the
   * final state is still captured (for the run's outcome), but nothing is synced or written.
   */
  CheckpointCapture(
      Coordinator.Checkpointing checkpointing,
      ActorRef<Checkpointer.Command> checkpointer,
      ActorRef<Recorder.Command> recorder,
      ActorRef<Generator.Command> generator,
      ActorRef<Discriminator.Command> discriminator,
      ActorRef<Recorder.Synced> synced,
      ActorRef<PlayerState> states,
      ActorRef<Checkpointer.Written> written) {
    this.checkpointing = checkpointing;
    this.checkpointer = checkpointer;
    this.recorder = recorder;
    this.generator = generator;
    this.discriminator = discriminator;
    this.synced = synced;
    this.states = states;
    this.written = written;
  }

  boolean enabled() {
    return checkpointer != null;
  }

  /** Periodic checkpoints fall due every this many G updates (0: none). */
  long everySteps() {
    return checkpointing == null ? 0 : checkpointing.everySteps();
  }

  /** A periodic capture is under way: admissions wait for it. */
  boolean capturing() {
    return capturing;
  }

  /** Whether {@code everySeconds} have passed since the last write began (none in flight). */
  boolean timeDue() {
    return checkpointing != null
        && checkpointing.everySeconds() > 0
        && !writeInFlight
        && System.nanoTime() - lastNanos >= checkpointing.everySeconds() * 1_000_000_000L;
  }

  /** Restarts the interval of time-based checkpoints. */
  void restartClock() {
    lastNanos = System.nanoTime();
  }

  /** Answer {@code replyTo} when the next write ends. */
  void addWaiter(ActorRef<Messages.ControlReply> replyTo) {
    waiters.add(replyTo);
  }

  /**
   * Both players rest at the checkpoint: capture now, or once the write in flight ends (false:
   * {@link #written} returns true then and the caller tries again).
   */
  boolean begin() {
    if (writeInFlight) {
      captureWaiting = true;
      return false;
    }
    capturing = true;
    requestStates();
    return true;
  }

  /** Asks for the players' states (and the log's sync, when writing): also the final capture. */
  void requestStates() {
    if (checkpointer != null) {
      // Every record of the updates captured now has been told to the Recorder already.
      recorder.tell(new Recorder.Sync(synced));
    }
    generator.tell(new PlayerControl.GetState(states));
    discriminator.tell(new PlayerControl.GetState(states));
  }

  /** A player's state arrived: the pair once both have (the capture is then over). */
  Optional<Pair> captured(PlayerState s) {
    if (s.model() == Player.GENERATOR) {
      capturedG = Optional.of(s);
    } else {
      capturedD = Optional.of(s);
    }
    if (capturedG.isEmpty() || capturedD.isEmpty()) {
      return Optional.empty();
    }
    Pair p = new Pair(capturedG.get(), capturedD.get());
    capturedG = Optional.empty();
    capturedD = Optional.empty();
    capturing = false;
    return Optional.of(p);
  }

  /** Hands the pair to the Checkpointer (once the log is synced), with the schedule's position. */
  void write(Pair p, Admission at, boolean last) {
    Map<String, INDArray> tensors = new LinkedHashMap<>(p.generator().tensors());
    tensors.putAll(p.discriminator().tensors());
    Map<String, String> engine = new TreeMap<>(checkpointing.constants());
    engine.putAll(p.generator().prefixedScalars());
    engine.putAll(p.discriminator().prefixedScalars());
    Schedule schedule = at.schedule();
    engine.putAll(EngineState.of(at.gDone(), at.dDone(), schedule, at.segment()).toManifest());
    writeInFlight = true;
    lastNanos = System.nanoTime();
    Checkpointer.Write w =
        new Checkpointer.Write(at.gDone(), at.dDone(), tensors, engine, last, written);
    if (logOffsets.isEmpty()) {
      writesAwaitingLog.add(w);
    } else {
      checkpointer.tell(w.withMetricsOffset(logOffsets.poll()));
    }
  }

  /** The Recorder synced the log up to {@code offset}: release the oldest waiting write. */
  void logSynced(long offset) {
    if (writesAwaitingLog.isEmpty()) {
      logOffsets.add(offset);
    } else {
      checkpointer.tell(writesAwaitingLog.poll().withMetricsOffset(offset));
    }
  }

  /** A write ended: true when a capture was waiting for it (the caller tries it again). */
  boolean writeEnded() {
    writeInFlight = false;
    boolean waiting = captureWaiting;
    captureWaiting = false;
    return waiting;
  }

  /**
   * Logs and records how a write ended, and answers the waiters from the write's own outcome (the
   * message is for people, never parsed).
   */
  void report(Checkpointer.Written w, Logger log) {
    if (w.ok()) {
      log.info("checkpoint {} written", w.dir());
    } else {
      log.warn("checkpoint of G update {} not written: {}", w.step(), w.error());
    }
    recorder.tell(
        new Recorder.Record(
            new Messages.EngineEvent(
                w.ok() ? EventKind.CHECKPOINT : EventKind.CHECKPOINT_FAILED,
                w.step(),
                w.dStep(),
                w.ok() ? w.dir().getFileName().toString() : w.error(),
                w.failures(),
                w.nanos(),
                System.currentTimeMillis())));
    Messages.ControlReply reply =
        new Messages.ControlReply(
            w.ok() ? Messages.Outcome.ACCEPTED : Messages.Outcome.FAILED,
            w.step(),
            w.ok() ? "checkpoint " + w.dir() + " written" : "checkpoint failed: " + w.error());
    waiters.forEach(r -> r.tell(reply));
    waiters.clear();
  }
}
