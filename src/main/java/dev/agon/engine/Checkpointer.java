package dev.agon.engine;

import dev.agon.checkpoint.BestCheckpoint;
import dev.agon.checkpoint.CheckpointException;
import dev.agon.checkpoint.CheckpointStore;
import dev.agon.config.BestMetric;
import dev.agon.engine.serialization.CborSerializable;
import dev.agon.engine.serialization.TensorMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Writes checkpoints off the training path, on Pekko's blocking-I/O dispatcher, through {@link
 * CheckpointStore} (temporary directory, fsync, rename: a failed write never touches an existing
 * checkpoint). After each write it applies retention: the {@code keepLast} newest checkpoints stay,
 * and the one with the best evaluation metric ({@code checkpoints/best.json}, replaced atomically).
 * While a best metric is kept and the run evaluates, a checkpoint newer than the newest reported
 * evaluation stays too, until an evaluation passes it (evaluations report in step order, so none
 * can arrive for it afterwards): the Evaluator scores off the training path and may report after
 * later checkpoints are written. The run's final write prunes without that hold.
 *
 * <p>A failed write (full disk, unwritable directory) is answered at once, so training goes on; the
 * Checkpointer keeps that one state and retries it after a wait that doubles from one second up to
 * {@code retryMax}, unless a newer state arrives first (which replaces it: at most one state is
 * held for retrying, since each holds every tensor of the run).
 */
public final class Checkpointer extends AbstractBehavior<Checkpointer.Command> {
  public sealed interface Command extends CborSerializable {}

  /**
   * Write the state of G update {@code step}: tensors by name and the engine's scalars. The answer
   * goes to {@code replyTo} (a retry's answer too). {@code last}: the run's final checkpoint,
   * written at once (replacing a state waiting to be retried) and not retried. {@code
   * metricsOffset}: the length of metrics.jsonl, fsynced, at the capture point (-1: none), recorded
   * in the manifest for {@link MetricsLog}.
   */
  public record Write(
      long step,
      long dStep,
      Map<String, INDArray> tensors,
      Map<String, String> engine,
      boolean last,
      ActorRef<Written> replyTo,
      long metricsOffset)
      implements Command, TensorMessage {
    public Write(
        long step,
        long dStep,
        Map<String, INDArray> tensors,
        Map<String, String> engine,
        boolean last,
        ActorRef<Written> replyTo) {
      this(step, dStep, tensors, engine, last, replyTo, -1);
    }

    Write withMetricsOffset(long offset) {
      return new Write(step, dStep, tensors, engine, last, replyTo, offset);
    }
  }

  /**
   * The outcome of a write ({@code last}: of the final one): {@code dir} the checkpoint, or null
   * and {@code error} why not; {@code failures} counts every failed write of the run; {@code nanos}
   * how long the write took (0 when none was attempted).
   */
  public record Written(
      long step, long dStep, boolean last, Path dir, String error, long failures, long nanos)
      implements CborSerializable {
    public boolean ok() {
      return dir != null;
    }
  }

  /**
   * The evaluation metric of G version {@code step}, for keeping the best checkpoint; NaN when the
   * evaluation did not compute it (it still tells that {@code step} was evaluated).
   */
  public record Metric(long step, double value) implements Command {}

  /** Retry the held write (a timer to self); a record, not an enum, so only CBOR fits. */
  private record Retry() implements Command {
    static final Retry INSTANCE = new Retry();
  }

  /** Where and what to write. */
  public record Options(
      Path runDir,
      String config,
      String configSha256,
      int keepLast,
      BestMetric bestMetric,
      Duration retryMax,
      boolean evaluated) {}

  private final Options options;
  private final TimerScheduler<Command> timers;
  private Write pending;
  private Duration backoff = Duration.ofSeconds(1);
  private long failures;
  private BestCheckpoint best; // null until one is recorded or read back
  private final TreeMap<Long, Double> unwrittenMetrics = new TreeMap<>();
  // The newest G version an evaluation reported (-1: none yet); retention holds newer ones.
  private long lastEvaluated = -1;
  // Set by the final write: no evaluation is waited for any more.
  private boolean finalWritten;
  private final java.util.Set<Path> misnamedWarned = new java.util.HashSet<>();

  public static Behavior<Command> create(Options options) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> new Checkpointer(ctx, timers, options)));
  }

  private Checkpointer(ActorContext<Command> ctx, TimerScheduler<Command> timers, Options options) {
    super(ctx);
    this.options = options;
    this.timers = timers;
    try {
      int torn = CheckpointStore.deleteTemporary(options.runDir());
      if (torn > 0) {
        ctx.getLog().warn("deleted {} incomplete checkpoint directories", torn);
      }
    } catch (IOException e) {
      ctx.getLog().warn("could not clean incomplete checkpoints: {}", e.toString());
    }
    readBest();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Write.class, this::onWrite)
        .onMessage(Metric.class, this::onMetric)
        .onMessageEquals(Retry.INSTANCE, this::onRetry)
        .build();
  }

  private Behavior<Command> onWrite(Write w) {
    if (w.last()) {
      timers.cancel(Retry.INSTANCE);
      pending = null;
    } else if (pending != null) {
      // A retry is waiting: the newer state replaces it and is written when the wait ends.
      pending = w;
      w.replyTo()
          .tell(
              new Written(
                  w.step(),
                  w.dStep(),
                  false,
                  null,
                  "waiting to retry a failed write",
                  failures,
                  0));
      return this;
    }
    attempt(w);
    return this;
  }

  private Behavior<Command> onRetry() {
    Write w = pending;
    pending = null;
    if (w != null) {
      attempt(w);
    }
    return this;
  }

  private void attempt(Write w) {
    Path dir;
    long t0 = System.nanoTime();
    try {
      dir = write(w);
    } catch (IOException | RuntimeException e) {
      failures++;
      String why = e.getClass().getSimpleName() + ": " + e.getMessage();
      getContext()
          .getLog()
          .warn(
              "checkpoint of step {} failed ({} so far), retrying in {} s: {}",
              w.step(),
              failures,
              backoff.toSeconds(),
              why);
      if (!w.last()) {
        pending = w;
        timers.startSingleTimer(Retry.INSTANCE, backoff);
      }
      Duration next = backoff.multipliedBy(2);
      backoff = next.compareTo(options.retryMax()) > 0 ? options.retryMax() : next;
      w.replyTo()
          .tell(
              new Written(
                  w.step(), w.dStep(), w.last(), null, why, failures, System.nanoTime() - t0));
      return;
    }
    long nanos = System.nanoTime() - t0;
    backoff = Duration.ofSeconds(1);
    Double metric = unwrittenMetrics.remove(w.step());
    if (metric != null) {
      considerBest(w.step(), metric);
    }
    finalWritten |= w.last();
    prune();
    w.replyTo().tell(new Written(w.step(), w.dStep(), w.last(), dir, null, failures, nanos));
  }

  private Path write(Write w) throws IOException {
    Path existing = CheckpointStore.dirOf(options.runDir(), w.step());
    OptionalLong holds = CheckpointStore.misnamedStep(existing);
    if (holds.isPresent()) {
      // Another step's checkpoint under this name: kept, under a name no reader takes.
      Path aside = existing.resolveSibling(existing.getFileName() + ".holds-" + holds.getAsLong());
      Files.move(existing, aside);
      getContext()
          .getLog()
          .warn(
              "moved {} aside to {}: its manifest holds G update {}",
              existing,
              aside,
              holds.getAsLong());
    }
    if (Files.exists(existing)) {
      // The same step again (the final one after a periodic one, a resume that made no update):
      // the state is the same, so a readable one stands.
      try {
        CheckpointStore.read(existing);
        return existing;
      } catch (CheckpointException e) {
        getContext().getLog().warn("replacing unreadable checkpoint: {}", e.getMessage());
        CheckpointStore.delete(existing);
      }
    }
    return CheckpointStore.write(
        options.runDir(),
        w.step(),
        options.configSha256(),
        w.tensors(),
        w.engine(),
        options.config(),
        w.metricsOffset());
  }

  private Behavior<Command> onMetric(Metric m) {
    if (options.bestMetric() == BestMetric.NONE) {
      return this;
    }
    if (Double.isFinite(m.value())) {
      if (Files.isDirectory(CheckpointStore.dirOf(options.runDir(), m.step()))) {
        considerBest(m.step(), m.value());
      } else {
        // Scored before its checkpoint was written (or never checkpointed): remember a few.
        unwrittenMetrics.put(m.step(), m.value());
        while (unwrittenMetrics.size() > 16) {
          unwrittenMetrics.pollFirstEntry();
        }
      }
    }
    if (m.step() > lastEvaluated) {
      lastEvaluated = m.step();
      prune(); // the checkpoints this evaluation passed need no longer wait for one
    }
    return this;
  }

  private void considerBest(long step, double value) {
    BestCheckpoint offered = new BestCheckpoint(step, options.bestMetric().wire(), value);
    if (!offered.beats(best, options.bestMetric().lessIsBetter())) {
      return;
    }
    best = offered;
    try {
      offered.write(options.runDir());
    } catch (IOException e) {
      getContext().getLog().warn("could not record the best checkpoint: {}", e.toString());
    }
  }

  private void readBest() {
    try {
      best = BestCheckpoint.read(options.runDir()).orElse(null);
    } catch (CheckpointException e) {
      getContext().getLog().warn("ignoring {}", e.getMessage());
    }
  }

  /** Whether checkpoint {@code dir}'s step (its name, all digits) is above the last evaluated. */
  private boolean newerThanEvaluated(Path dir) {
    String name = dir.getFileName().toString();
    // More digits than a long holds: no engine wrote it, so nothing evaluates it.
    return name.length() <= 18 && Long.parseLong(name) > lastEvaluated;
  }

  /**
   * Deletes every checkpoint but the {@code keepLast} newest, the best, and (while evaluations may
   * still come) those newer than the newest evaluation. A directory whose name disagrees with its
   * manifest's step is neither counted nor deleted (its name says nothing about its age): it stays,
   * with a warning. Reads one small manifest per checkpoint kept.
   */
  private void prune() {
    boolean hold = options.bestMetric() != BestMetric.NONE && options.evaluated() && !finalWritten;
    try {
      int kept = 0;
      for (Path dir : CheckpointStore.list(options.runDir())) {
        OptionalLong holds = CheckpointStore.misnamedStep(dir);
        if (holds.isPresent()) {
          if (misnamedWarned.add(dir)) {
            getContext()
                .getLog()
                .warn(
                    "retention leaves {} alone: its manifest holds G update {}",
                    dir,
                    holds.getAsLong());
          }
          continue;
        }
        if (kept < options.keepLast()) {
          kept++;
          continue;
        }
        if (best != null && dir.equals(CheckpointStore.dirOf(options.runDir(), best.step()))) {
          continue;
        }
        if (hold && newerThanEvaluated(dir)) {
          continue; // its evaluation may still arrive
        }
        CheckpointStore.delete(dir);
      }
    } catch (IOException e) {
      getContext().getLog().warn("retention failed: {}", e.toString());
    }
  }
}
