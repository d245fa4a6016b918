package dev.agon.engine;

import dev.agon.config.BestMetric;
import dev.agon.config.RuntimeLimits;
import dev.agon.data.BatchSource;
import dev.agon.engine.serialization.CborSerializable;
import dev.agon.engine.serialization.TensorMessage;
import dev.agon.train.DiscriminatorTrainer;
import dev.agon.train.GeneratorTrainer;
import dev.agon.train.GeneratorWeights;
import dev.agon.train.PlayerState;
import dev.agon.train.Schedule;
import dev.agon.train.Scorer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.ChildFailed;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Owns the schedule of Goodfellow et al. 2014, Algorithm 1: k D updates per G update, with the
 * fixed lag s of {@link Schedule}. It admits every update before it may run — D update n only once
 * G has reached the version n trains on, G update i once the D version it trains against is
 * admitted (G then waits for exactly that snapshot, so the Coordinator stays off the critical path)
 * — and checks every report against the schedule, so staleness is enforced and measured, not
 * assumed. Tensors never pass through it: fakes go from Generator to Discriminator, snapshots from
 * Discriminator to Generator, real batches from DataLoader to Discriminator.
 *
 * <p>Live changes: learning rates apply from each player's next update; a new k or s applies at a
 * barrier — admissions stop at the end of the last iteration already (partly) admitted, and once
 * both players are there a new schedule segment starts from that point. Both are logged and
 * recorded with the updates at which they took effect.
 *
 * <p>Checkpoints: at a checkpoint iteration B (every {@code everySteps} G updates, when {@code
 * everySeconds} have passed, on {@link CheckpointNow}, and at the end) admissions stop at B as at a
 * schedule barrier; once G has made update B and D update dStepsThrough(B), both players are idle
 * and hand over a detached copy of their complete state ({@link PlayerState}), admissions go on,
 * and the {@link Checkpointer} writes the copy on the blocking-I/O dispatcher. Training waits on
 * the disk only when a write outlasts a checkpoint interval: the next capture then waits for it, so
 * a crash loses at most the interval being written and the one after it. A failed write is answered
 * at once, so a full disk does not stop training. {@link Pause} stops admissions at such a barrier
 * too, until {@link Resume}.
 */
public final class Coordinator extends AbstractBehavior<Coordinator.Command> {
  /** The dispatcher of tensor-owning actors: one dedicated thread each (see DESIGN.md). */
  public static final String TENSOR_DISPATCHER = "agon.tensor-dispatcher";

  public sealed interface Command extends CborSerializable {}

  public record Start(ActorRef<Finished> replyTo) implements Command {}

  /** Finish the iterations already admitted, then stop (writing the final checkpoint). */
  public record Stop(String reason) implements Command {}

  /**
   * Checkpoint at the end of the last iteration already admitted; the reply comes once it is
   * written (or has failed).
   */
  public record CheckpointNow(ActorRef<Messages.ControlReply> replyTo) implements Command {}

  /** Stop admitting updates at the end of the last iteration already admitted, until resumed. */
  public record Pause(ActorRef<Messages.ControlReply> replyTo) implements Command {}

  /** Admit updates again after a {@link Pause}. */
  public record Resume(ActorRef<Messages.ControlReply> replyTo) implements Command {}

  /** Change k, s and the learning rates while running; absent values stay as they are. */
  public record ChangeSchedule(
      OptionalInt k,
      OptionalInt staleness,
      OptionalDouble generatorLr,
      OptionalDouble discriminatorLr,
      ActorRef<Messages.ControlReply> replyTo)
      implements Command {}

  public record DStepDone(Messages.DStepReport report) implements Command {}

  public record GStepDone(Messages.GStepReport report) implements Command {}

  /**
   * Set a player's historical-averaging policy (Salimans et al. 2016): weight λ (0: off) and the G
   * update from which it applies; {@code model} is "generator" or "discriminator".
   */
  public record ChangeAveraging(
      String model, double weight, long start, ActorRef<Messages.ControlReply> replyTo)
      implements Command {}

  /** A player applied a learning rate change before update {@code step}. */
  public record LearningRateApplied(String model, long step, double lr) implements Command {}

  /** A player applied a historical-averaging policy before update {@code step}. */
  public record AveragingApplied(String model, long step, double weight, long start)
      implements Command {}

  private record StateCaptured(PlayerState state) implements Command, TensorMessage {}

  private record CheckpointWritten(Checkpointer.Written written) implements Command {}

  private record RecorderFlushed(Recorder.Flushed flushed) implements Command {}

  private record LogSynced(Recorder.Synced synced) implements Command {}

  private record EvalReady(Evaluator.Ready ready) implements Command {}

  private record EvalDone(Messages.EvalReport report) implements Command {}

  private record EvalSnapshot(Generator.EvaluationSnapshot snapshot, long skipped)
      implements Command, TensorMessage {}

  /**
   * The run's outcome: updates done, final parameters (the generator's EMA, or null when it keeps
   * none), why it stopped early (or null), and the final checkpoint (null without checkpointing, or
   * when its write failed: then {@code checkpointError} says why). When the run was aborted, {@code
   * failure} says why (a divergence, with {@code diverged}, or a failed actor): then there are
   * neither final parameters nor a final checkpoint, and the newest checkpoint is the last good
   * state.
   */
  public record Finished(
      long dSteps,
      long gSteps,
      INDArray generatorParams,
      INDArray discriminatorParams,
      INDArray generatorEma,
      String stopReason,
      Path checkpoint,
      String checkpointError,
      String failure,
      boolean diverged)
      implements TensorMessage {}

  /**
   * A player's update {@code step} gave a non-finite loss or parameter ({@code what}): the run ends
   * at once without a checkpoint of that state, and {@link Finished#diverged()} says why.
   */
  public record Diverged(String model, long step, String what) implements Command {}

  /**
   * Checkpointing of a run: the writer, when checkpoints fall due (every {@code everySteps} G
   * updates and/or {@code everySeconds}; 0: off), the metric that marks the best one, and scalars
   * written into every checkpoint as they are (seed, data cursor description...).
   */
  public record Checkpointing(
      Behavior<Checkpointer.Command> writer,
      long everySteps,
      long everySeconds,
      BestMetric bestMetric,
      Map<String, String> constants) {}

  /**
   * Where a resumed run starts: G and D have made {@code gDone} and {@code dDone} updates (their
   * trainers are restored to those versions by the parts' suppliers) under {@code schedule}, in
   * schedule segment {@code epoch}; {@code from} names the checkpoint. {@code rescheduled}: the
   * resume changed k or s, so {@code schedule} is a new segment from this point, recorded as a live
   * change is.
   */
  public record StartState(
      long gDone, long dDone, Schedule schedule, int epoch, String from, boolean rescheduled) {
    public StartState(long gDone, long dDone, Schedule schedule, int epoch, String from) {
      this(gDone, dDone, schedule, epoch, from, false);
    }
  }

  /**
   * Evaluation during the run: the scorer (built on the Evaluator's thread), and when an evaluation
   * falls due: every {@code everySteps} G updates and/or {@code everySeconds} since the last one
   * (0: off).
   */
  public record Evaluation(Supplier<? extends Scorer> scorer, long everySteps, long everySeconds) {}

  /**
   * How to build each actor's numeric state, on that actor's own thread; {@code evaluation} may be
   * null (no Evaluator).
   */
  public record Parts(
      Supplier<BatchSource> data,
      Supplier<GeneratorTrainer> generator,
      Supplier<DiscriminatorTrainer> discriminator,
      Behavior<Recorder.Command> recorder,
      StepHook hook,
      Evaluation evaluation,
      Checkpointing checkpointing,
      StartState start) {
    public Parts(
        Supplier<BatchSource> data,
        Supplier<GeneratorTrainer> generator,
        Supplier<DiscriminatorTrainer> discriminator,
        Behavior<Recorder.Command> recorder,
        StepHook hook,
        Evaluation evaluation) {
      this(data, generator, discriminator, recorder, hook, evaluation, null, null);
    }

    public Parts(
        Supplier<BatchSource> data,
        Supplier<GeneratorTrainer> generator,
        Supplier<DiscriminatorTrainer> discriminator,
        Behavior<Recorder.Command> recorder) {
      this(data, generator, discriminator, recorder, StepHook.NONE, null, null, null);
    }

    public Parts(
        Supplier<BatchSource> data,
        Supplier<GeneratorTrainer> generator,
        Supplier<DiscriminatorTrainer> discriminator,
        Behavior<Recorder.Command> recorder,
        StepHook hook) {
      this(data, generator, discriminator, recorder, hook, null, null, null);
    }
  }

  private final EngineSettings settings;
  private final ActorRef<Generator.Command> generator;
  private final ActorRef<Discriminator.Command> discriminator;
  private final ActorRef<Recorder.Command> recorder;
  private Schedule schedule;
  private int epoch;
  private ActorRef<Finished> replyTo;
  private long lastIteration;
  private long dDone;
  private long gDone;
  private long dAdmitted;
  private long gAdmitted;
  private String stopReason;
  private boolean finishing;
  private boolean flushRequested;
  private PlayerState capturedG;
  private PlayerState capturedD;
  private PlayerState finalG;
  private PlayerState finalD;
  private boolean finalWritten;
  private Path finalCheckpoint;
  private String finalCheckpointError;
  private final Checkpointing checkpointing;
  private final ActorRef<Checkpointer.Command> checkpointer;

  /** The iteration at whose end the next checkpoint is captured (-1: none planned). */
  private long checkpointAt = -1;

  private boolean capturing;
  private boolean writeInFlight;
  private boolean captureWaiting;
  private long lastCheckpointNanos = System.nanoTime();
  private final List<ActorRef<Messages.ControlReply>> checkpointWaiters = new ArrayList<>();

  /**
   * Each capture asks the Recorder to fsync metrics.jsonl up to that point; the checkpoint is
   * written only with the log's length from that reply (so the records of every update it holds are
   * durable first). Replies and captured states pair up in order: whichever comes first waits here.
   */
  private final ArrayDeque<Long> logOffsets = new ArrayDeque<>();

  private final ArrayDeque<Checkpointer.Write> writesAwaitingLog = new ArrayDeque<>();

  private String abortCause;
  private boolean abortDiverged;

  /** The iteration at whose end admissions stay paused (-1: not paused). */
  private long pausedAt = -1;

  private final Evaluation evaluation;
  private final ActorRef<Evaluator.Command> evaluator;
  private final Evaluator.Credit evalCredit = new Evaluator.Credit();
  private long lastEvalNanos = System.nanoTime();

  /** A k/s change waiting for its barrier: the iteration where it applies, and the values. */
  private long barrier = -1;

  private int pendingK;
  private int pendingStaleness;

  public static Behavior<Command> create(EngineSettings settings, Parts parts) {
    return Behaviors.setup(ctx -> new Coordinator(ctx, settings, parts));
  }

  private Coordinator(ActorContext<Command> ctx, EngineSettings settings, Parts parts) {
    super(ctx);
    this.settings = settings;
    StartState start = parts.start();
    this.schedule = start == null ? settings.schedule() : start.schedule();
    this.epoch = start == null ? 0 : start.epoch();
    if (start != null) {
      gDone = gAdmitted = start.gDone();
      dDone = dAdmitted = start.dDone();
    }
    this.lastIteration = settings.iterations();
    DispatcherSelector pinned = DispatcherSelector.fromConfig(TENSOR_DISPATCHER);
    this.recorder = ctx.spawn(parts.recorder(), "recorder", DispatcherSelector.blocking());
    ActorRef<DataLoader.Command> data =
        ctx.spawn(
            // D update n trains on real batch n - 1: the data cursor is D's version.
            DataLoader.create(parts.data(), settings.batchSize(), settings.prefetch(), dDone),
            "data-loader",
            pinned);
    this.discriminator =
        ctx.spawn(
            Discriminator.create(
                parts.discriminator(),
                settings,
                schedule,
                epoch,
                data,
                ctx.getSelf(),
                parts.hook()),
            "discriminator",
            pinned);
    this.generator =
        ctx.spawn(
            Generator.create(
                parts.generator(),
                settings,
                schedule,
                epoch,
                discriminator,
                ctx.getSelf(),
                parts.hook()),
            "generator",
            pinned);
    this.checkpointing = parts.checkpointing();
    this.checkpointer =
        checkpointing == null
            ? null
            : ctx.spawn(checkpointing.writer(), "checkpointer", DispatcherSelector.blocking());
    if (start != null) {
      recorder.tell(
          new Recorder.Record(
              new Messages.EngineEvent(
                  "resumed_from", gDone, dDone, start.from(), 0, 0, System.currentTimeMillis())));
      if (start.rescheduled()) {
        ctx.getLog()
            .info(
                "schedule k = {}, s = {} from G update {} and D update {} (changed on resume)",
                schedule.k(),
                schedule.staleness(),
                gDone + 1,
                dDone + 1);
        recorder.tell(
            new Recorder.Record(
                new Messages.ScheduleEvent(
                    "schedule",
                    gDone + 1,
                    dDone + 1,
                    schedule.k(),
                    schedule.staleness(),
                    Double.NaN,
                    -1,
                    System.currentTimeMillis())));
      }
    }
    this.evaluation = parts.evaluation();
    this.evaluator =
        evaluation == null
            ? null
            : ctx.spawn(
                Evaluator.create(
                    evaluation.scorer(),
                    ctx.messageAdapter(Evaluator.Ready.class, EvalReady::new),
                    ctx.messageAdapter(Messages.EvalReport.class, EvalDone::new)),
                "evaluator",
                pinned);
    // A failed child ends the run (the guardian fails; TrainRun reports it).
    ctx.watch(data);
    ctx.watch(discriminator);
    ctx.watch(generator);
    ctx.watch(recorder);
    if (checkpointer != null) {
      ctx.watch(checkpointer);
    }
    if (evaluator != null) {
      ctx.watch(evaluator);
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Start.class, this::onStart)
        .onMessage(Stop.class, this::onStop)
        .onMessage(ChangeSchedule.class, this::onChange)
        .onMessage(DStepDone.class, this::onDStep)
        .onMessage(GStepDone.class, this::onGStep)
        .onMessage(LearningRateApplied.class, this::onLearningRateApplied)
        .onMessage(ChangeAveraging.class, this::onChangeAveraging)
        .onMessage(AveragingApplied.class, this::onAveragingApplied)
        .onMessage(StateCaptured.class, this::onStateCaptured)
        .onMessage(CheckpointWritten.class, this::onCheckpointWritten)
        .onMessage(CheckpointNow.class, this::onCheckpointNow)
        .onMessage(Pause.class, this::onPause)
        .onMessage(Diverged.class, this::onDiverged)
        .onSignal(ChildFailed.class, this::onChildFailed)
        .onSignal(Terminated.class, this::onChildStopped)
        .onMessage(Resume.class, this::onResume)
        .onMessage(RecorderFlushed.class, this::onFlushed)
        .onMessage(LogSynced.class, this::onLogSynced)
        .onMessage(EvalReady.class, this::onEvalReady)
        .onMessage(EvalDone.class, this::onEvalDone)
        .onMessage(EvalSnapshot.class, this::onEvalSnapshot)
        .build();
  }

  private Behavior<Command> onStart(Start s) {
    replyTo = s.replyTo();
    planNextCheckpoint();
    admitOrFinish();
    return this;
  }

  private Behavior<Command> onStop(Stop s) {
    if (!finishing && stopReason == null) {
      stopReason = s.reason();
      // Finish every D update already admitted (with staleness s, up to s iterations ahead)
      // and the G updates of those iterations, so the run stops at a whole iteration; when
      // nothing is admitted beyond the last whole iteration (paused, at a checkpoint barrier,
      // not started) it stops right there.
      lastIteration = Math.min(lastIteration, Math.max(gDone, admittedIteration()));
      pausedAt = -1;
      getContext()
          .getLog()
          .info("stop requested ({}): finishing iteration {}", s.reason(), lastIteration);
      if (replyTo != null) {
        admitOrFinish(); // nothing may be in flight (paused, idle): no report would finish it
      }
    }
    return this;
  }

  private Behavior<Command> onChange(ChangeSchedule c) {
    String invalid = validate(c);
    if (invalid != null) {
      c.replyTo().tell(Messages.ControlReply.refused(invalid));
      return this;
    }
    StringBuilder done = new StringBuilder();
    c.generatorLr().ifPresent(lr -> generator.tell(new Generator.SetLearningRate(lr)));
    c.discriminatorLr().ifPresent(lr -> discriminator.tell(new Discriminator.SetLearningRate(lr)));
    if (c.generatorLr().isPresent() || c.discriminatorLr().isPresent()) {
      done.append("learning rates apply from each player's next update");
    }
    if (c.k().isPresent() || c.staleness().isPresent()) {
      pendingK = c.k().orElse(barrier >= 0 ? pendingK : schedule.k());
      pendingStaleness =
          c.staleness().orElse(barrier >= 0 ? pendingStaleness : schedule.staleness());
      barrier = Math.max(gDone, admittedIteration());
      done.append(done.length() > 0 ? "; " : "")
          .append("k = ")
          .append(pendingK)
          .append(", s = ")
          .append(pendingStaleness)
          .append(" from the end of iteration ")
          .append(barrier);
      getContext().getLog().info("schedule change requested: {}", done);
      admitOrFinish();
    }
    c.replyTo()
        .tell(
            Messages.ControlReply.accepted(
                c.k().isPresent() || c.staleness().isPresent() ? barrier : -1, done.toString()));
    return this;
  }

  private String validate(ChangeSchedule c) {
    if (replyTo == null) {
      return "the run has not started";
    }
    if (finishing || stopReason != null) {
      return "the run is stopping";
    }
    // The same bounds as the control API and agon ctl: the config's (a direct sender may skip
    // those).
    String bad =
        firstViolation(
            c.k().isPresent() ? RuntimeLimits.K.violation("k", c.k().getAsInt()) : null,
            c.staleness().isPresent()
                ? RuntimeLimits.STALENESS.violation("staleness", c.staleness().getAsInt())
                : null,
            c.generatorLr().isPresent()
                ? RuntimeLimits.LEARNING_RATE.violation(
                    "generator-lr", c.generatorLr().getAsDouble())
                : null,
            c.discriminatorLr().isPresent()
                ? RuntimeLimits.LEARNING_RATE.violation(
                    "discriminator-lr", c.discriminatorLr().getAsDouble())
                : null);
    if (bad != null) {
      return bad;
    }
    if ((c.k().isPresent() || c.staleness().isPresent())
        && Math.max(gDone, admittedIteration()) >= lastIteration) {
      return "the run ends at iteration " + lastIteration + " before a new k or s could apply";
    }
    return null;
  }

  private static String firstViolation(String... violations) {
    for (String v : violations) {
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  /** The last iteration with an admitted D update: where a barrier can be put at the earliest. */
  private long admittedIteration() {
    return dAdmitted <= schedule.originD() ? schedule.originG() : schedule.iterationOf(dAdmitted);
  }

  private Behavior<Command> onDStep(DStepDone m) {
    Messages.DStepReport r = m.report();
    check(r.step() == dDone + 1 && r.step() <= dAdmitted, "D update " + r.step() + " not admitted");
    check(
        r.generatorVersionUsed() == schedule.generatorVersionFor(r.step())
            && r.generatorVersionUsed() <= gDone,
        "D update " + r.step() + " used G version " + r.generatorVersionUsed());
    dDone = r.step();
    recorder.tell(new Recorder.Record(r));
    admitOrFinish();
    return this;
  }

  private Behavior<Command> onGStep(GStepDone m) {
    Messages.GStepReport r = m.report();
    check(r.step() == gDone + 1 && r.step() <= gAdmitted, "G update " + r.step() + " not admitted");
    check(
        r.discriminatorVersionUsed() == schedule.discriminatorVersionFor(r.step())
            && r.discriminatorVersionUsed() <= dDone,
        "G update " + r.step() + " used D version " + r.discriminatorVersionUsed());
    gDone = r.step();
    recorder.tell(new Recorder.Record(r));
    if (checkpointing != null
        && checkpointing.everySeconds() > 0
        && !writeInFlight
        && System.nanoTime() - lastCheckpointNanos
            >= checkpointing.everySeconds() * 1_000_000_000L) {
      lastCheckpointNanos = System.nanoTime();
      checkpointSoon();
    } else {
      admitOrFinish();
    }
    if (evaluationDue() && evalCredit.due()) {
      requestEvaluationSnapshot();
    }
    return this;
  }

  private boolean evaluationDue() {
    if (evaluator == null || finishing) {
      return false;
    }
    boolean bySteps = evaluation.everySteps() > 0 && gDone % evaluation.everySteps() == 0;
    boolean byTime =
        evaluation.everySeconds() > 0
            && System.nanoTime() - lastEvalNanos >= evaluation.everySeconds() * 1_000_000_000L;
    return bySteps || byTime;
  }

  /** Asks G for the weights to score now; the reply goes to the Evaluator, never to a queue. */
  private void requestEvaluationSnapshot() {
    long skipped = evalCredit.take();
    lastEvalNanos = System.nanoTime();
    generator.tell(
        new Generator.GetEvaluationSnapshot(
            getContext()
                .messageAdapter(
                    Generator.EvaluationSnapshot.class, s -> new EvalSnapshot(s, skipped))));
  }

  private Behavior<Command> onEvalSnapshot(EvalSnapshot e) {
    GeneratorWeights w = e.snapshot().weights();
    Messages.Snapshot d = e.snapshot().discriminator();
    evaluator.tell(
        new Evaluator.Evaluate(
            w.version(),
            w.version(),
            w.kind() == GeneratorWeights.Kind.EMA,
            w.params(),
            d == null ? null : d.params(),
            d == null ? -1 : d.version(),
            e.skipped()));
    return this;
  }

  private Behavior<Command> onEvalReady(EvalReady r) {
    if (evalCredit.ready() && !finishing) {
      requestEvaluationSnapshot();
    }
    maybeFlush();
    return this;
  }

  private Behavior<Command> onEvalDone(EvalDone d) {
    recorder.tell(new Recorder.Record(d.report()));
    if (checkpointer != null && checkpointing.bestMetric() != BestMetric.NONE) {
      double value = bestMetricValue(checkpointing.bestMetric(), d.report().score());
      if (!Double.isNaN(value)) {
        checkpointer.tell(new Checkpointer.Metric(d.report().gVersion(), value));
      }
    }
    return this;
  }

  /** The retention metric's value in an evaluation, NaN when the evaluation did not compute it. */
  private static double bestMetricValue(BestMetric metric, dev.agon.train.Scorer.Score score) {
    var modes = score.modes();
    var images = score.images();
    switch (metric) {
      case MODES:
        return modes == null ? Double.NaN : modes.modes();
      case HIGH_QUALITY:
        return modes == null ? Double.NaN : modes.highQualityFraction();
      case REVERSE_KL:
        return modes == null ? Double.NaN : modes.reverseKl();
      case IS:
        return images == null || images.inceptionScore() == null
            ? Double.NaN
            : images.inceptionScore().mean();
      case FID:
        return images == null || images.fid() == null ? Double.NaN : images.fid();
      default:
        return Double.NaN;
    }
  }

  private Behavior<Command> onChangeAveraging(ChangeAveraging c) {
    boolean g = c.model().equals("generator");
    if (!g && !c.model().equals("discriminator")) {
      c.replyTo().tell(Messages.ControlReply.refused("model must be generator or discriminator"));
    } else if (RuntimeLimits.AVERAGING_WEIGHT.violation("weight", c.weight()) != null) {
      c.replyTo()
          .tell(
              Messages.ControlReply.refused(
                  RuntimeLimits.AVERAGING_WEIGHT.violation("weight", c.weight())));
    } else if (RuntimeLimits.AVERAGING_START.violation("start", c.start()) != null) {
      c.replyTo()
          .tell(
              Messages.ControlReply.refused(
                  RuntimeLimits.AVERAGING_START.violation("start", c.start())));
    } else if (finishing || stopReason != null) {
      c.replyTo().tell(Messages.ControlReply.refused("the run is stopping"));
    } else {
      if (g) {
        generator.tell(new Generator.SetAveraging(c.weight(), c.start()));
      } else {
        discriminator.tell(new Discriminator.SetAveraging(c.weight(), c.start()));
      }
      c.replyTo()
          .tell(
              Messages.ControlReply.accepted(
                  -1, c.model() + " averaging applies from its next update"));
    }
    return this;
  }

  private Behavior<Command> onAveragingApplied(AveragingApplied a) {
    getContext()
        .getLog()
        .info(
            "{} historical averaging weight {} start {} from update {}",
            a.model(),
            a.weight(),
            a.start(),
            a.step());
    boolean g = a.model().equals("generator");
    recorder.tell(
        new Recorder.Record(
            new Messages.ScheduleEvent(
                a.model() + "_averaging",
                g ? a.step() : -1,
                g ? -1 : a.step(),
                schedule.k(),
                schedule.staleness(),
                a.weight(),
                a.start(),
                System.currentTimeMillis())));
    return this;
  }

  private Behavior<Command> onLearningRateApplied(LearningRateApplied a) {
    getContext().getLog().info("{} learning rate {} from update {}", a.model(), a.lr(), a.step());
    boolean g = a.model().equals("generator");
    recorder.tell(
        new Recorder.Record(
            new Messages.ScheduleEvent(
                a.model() + "_lr",
                g ? a.step() : -1,
                g ? -1 : a.step(),
                schedule.k(),
                schedule.staleness(),
                a.lr(),
                -1,
                System.currentTimeMillis())));
    return this;
  }

  /**
   * The run ends when both players have made every update of its last iteration; a pending k/s
   * change starts its segment when both players have reached its barrier.
   */
  private void admitOrFinish() {
    if (finishing || capturing) {
      return;
    }
    if (gDone >= lastIteration && dDone >= schedule.dStepsThrough(lastIteration)) {
      finish();
      return;
    }
    if (checkpointAt >= 0
        && gDone == checkpointAt
        && dDone == schedule.dStepsThrough(checkpointAt)) {
      capture();
      return;
    }
    if (barrier >= 0 && gDone == barrier && dDone == schedule.dStepsThrough(barrier)) {
      startSegment();
    }
    admit();
  }

  private void startSegment() {
    schedule = schedule.changedAt(gDone, dDone, pendingK, pendingStaleness);
    epoch++;
    barrier = -1;
    getContext()
        .getLog()
        .info(
            "schedule k = {}, s = {} from G update {} and D update {}",
            schedule.k(),
            schedule.staleness(),
            gDone + 1,
            dDone + 1);
    // D applies first and passes the change on to G, so G's new fakes arrive after it.
    discriminator.tell(new Discriminator.Reschedule(schedule, epoch));
    recorder.tell(
        new Recorder.Record(
            new Messages.ScheduleEvent(
                "schedule",
                gDone + 1,
                dDone + 1,
                schedule.k(),
                schedule.staleness(),
                Double.NaN,
                -1,
                System.currentTimeMillis())));
  }

  /** Admits every update the staleness bound allows now, none beyond a barrier or the end. */
  private void admit() {
    if (replyTo == null || finishing) {
      return;
    }
    long lastG = barrier >= 0 ? Math.min(barrier, lastIteration) : lastIteration;
    if (checkpointAt >= 0) {
      lastG = Math.min(lastG, checkpointAt);
    }
    if (pausedAt >= 0) {
      lastG = Math.min(lastG, pausedAt);
    }
    long dTarget = Math.min(schedule.lastAdmissibleDStep(gDone), schedule.dStepsThrough(lastG));
    if (dTarget > dAdmitted) {
      dAdmitted = dTarget;
      discriminator.tell(new Discriminator.Admit(dAdmitted));
    }
    // G update i needs D version dv(i); it waits for exactly that snapshot, which exists only
    // once D has made that update. Admitting i as soon as dv(i) is admitted (not done) keeps the
    // Coordinator off the critical path (D's snapshot goes straight to G) without loosening the
    // bound: no update can run on a version other than the one the schedule prescribes.
    long gTarget = Math.min(schedule.lastAdmissibleGStep(dAdmitted), lastG);
    if (gTarget > gAdmitted) {
      gAdmitted = gTarget;
      generator.tell(new Generator.Admit(gAdmitted));
    }
  }

  private void finish() {
    finishing = true;
    if (barrier >= 0) {
      // A stop (or the end) reached the barrier first: the new segment would start after the
      // last update, so the change is dropped; the final checkpoint keeps the old schedule.
      getContext()
          .getLog()
          .warn(
              "the run ends at iteration {}: the schedule change to k = {}, s = {} was not applied",
              gDone,
              pendingK,
              pendingStaleness);
    }
    requestStates();
  }

  /** Both players are idle at checkpointAt: ask each for a copy of its complete state. */
  private void capture() {
    if (writeInFlight) {
      // The previous write is still running (a slow disk): wait for it rather than skip, so that
      // a crash never loses more than about two checkpoint intervals. onCheckpointWritten goes on.
      captureWaiting = true;
      return;
    }
    capturing = true;
    requestStates();
  }

  private void requestStates() {
    if (checkpointer != null) {
      // Every record of the updates captured now has been told to the Recorder already.
      recorder.tell(
          new Recorder.Sync(getContext().messageAdapter(Recorder.Synced.class, LogSynced::new)));
    }
    ActorRef<PlayerState> states =
        getContext().messageAdapter(PlayerState.class, StateCaptured::new);
    generator.tell(new Generator.GetState(states));
    discriminator.tell(new Discriminator.GetState(states));
  }

  private Behavior<Command> onStateCaptured(StateCaptured c) {
    if (c.state().model().equals("generator")) {
      capturedG = c.state();
    } else {
      capturedD = c.state();
    }
    if (capturedG == null || capturedD == null) {
      return this;
    }
    PlayerState g = capturedG;
    PlayerState d = capturedD;
    capturedG = null;
    capturedD = null;
    if (finishing) {
      finalG = g;
      finalD = d;
      if (checkpointer == null) {
        finalWritten = true;
      } else {
        writeCheckpoint(g, d, true);
      }
      maybeFlush();
      return this;
    }
    capturing = false;
    writeCheckpoint(g, d, false);
    planNextCheckpoint();
    admitOrFinish();
    return this;
  }

  private void writeCheckpoint(PlayerState g, PlayerState d, boolean last) {
    Map<String, INDArray> tensors = new LinkedHashMap<>(g.tensors());
    tensors.putAll(d.tensors());
    Map<String, String> engine = new TreeMap<>(checkpointing.constants());
    engine.putAll(g.prefixedScalars());
    engine.putAll(d.prefixedScalars());
    engine.putAll(EngineState.of(gDone, dDone, schedule, epoch).toManifest());
    writeInFlight = true;
    lastCheckpointNanos = System.nanoTime();
    Checkpointer.Write w =
        new Checkpointer.Write(
            gDone,
            dDone,
            tensors,
            engine,
            last,
            getContext().messageAdapter(Checkpointer.Written.class, CheckpointWritten::new));
    if (logOffsets.isEmpty()) {
      writesAwaitingLog.add(w);
    } else {
      checkpointer.tell(w.withMetricsOffset(logOffsets.poll()));
    }
  }

  private Behavior<Command> onLogSynced(LogSynced s) {
    if (writesAwaitingLog.isEmpty()) {
      logOffsets.add(s.synced().offset());
    } else {
      checkpointer.tell(writesAwaitingLog.poll().withMetricsOffset(s.synced().offset()));
    }
    return this;
  }

  private Behavior<Command> onCheckpointWritten(CheckpointWritten m) {
    Checkpointer.Written w = m.written();
    writeInFlight = false;
    if (captureWaiting) {
      captureWaiting = false;
      admitOrFinish();
    }
    if (w.ok()) {
      getContext().getLog().info("checkpoint {} written", w.dir());
    } else {
      getContext().getLog().warn("checkpoint of G update {} not written: {}", w.step(), w.error());
    }
    recorder.tell(
        new Recorder.Record(
            new Messages.EngineEvent(
                w.ok() ? "checkpoint" : "checkpoint_failed",
                w.step(),
                w.dStep(),
                w.ok() ? w.dir().getFileName().toString() : w.error(),
                w.failures(),
                w.nanos(),
                System.currentTimeMillis())));
    answerCheckpointWaiters(
        new Messages.ControlReply(
            w.ok() ? Messages.Outcome.ACCEPTED : Messages.Outcome.FAILED,
            w.step(),
            w.ok() ? "checkpoint " + w.dir() + " written" : "checkpoint failed: " + w.error()));
    if (w.last()) {
      finalWritten = true;
      finalCheckpoint = w.dir();
      finalCheckpointError = w.error();
      maybeFlush();
    }
    return this;
  }

  /** The outcome comes from the write itself: the message is for people, never parsed. */
  private void answerCheckpointWaiters(Messages.ControlReply reply) {
    checkpointWaiters.forEach(r -> r.tell(reply));
    checkpointWaiters.clear();
  }

  /** The next periodic checkpoint: the next multiple of everySteps after gDone (-1: none). */
  private void planNextCheckpoint() {
    checkpointAt = -1;
    if (checkpointing != null && checkpointing.everySteps() > 0) {
      long every = checkpointing.everySteps();
      checkpointAt = (gDone / every + 1) * every;
    }
  }

  /** Checkpoints as soon as possible: at the end of the last iteration already admitted. */
  private void checkpointSoon() {
    long at = Math.max(gDone, admittedIteration());
    checkpointAt = checkpointAt < 0 ? at : Math.min(checkpointAt, at);
    admitOrFinish();
  }

  private Behavior<Command> onCheckpointNow(CheckpointNow c) {
    if (checkpointer == null) {
      c.replyTo().tell(Messages.ControlReply.refused("this run does not checkpoint"));
    } else if (replyTo == null) {
      c.replyTo().tell(Messages.ControlReply.refused("the run has not started"));
    } else if (finishing || stopReason != null) {
      c.replyTo()
          .tell(
              Messages.ControlReply.refused("the run is stopping (it writes a final checkpoint)"));
    } else {
      checkpointWaiters.add(c.replyTo());
      if (!capturing) {
        checkpointSoon();
      }
    }
    return this;
  }

  private Behavior<Command> onPause(Pause p) {
    if (replyTo == null || finishing || stopReason != null) {
      p.replyTo().tell(Messages.ControlReply.refused("the run is not running"));
      return this;
    }
    if (pausedAt < 0) {
      pausedAt = Math.max(gDone, admittedIteration());
      recorder.tell(
          new Recorder.Record(
              new Messages.EngineEvent(
                  "pause", pausedAt, -1, "", 0, 0, System.currentTimeMillis())));
      getContext().getLog().info("pausing at the end of iteration {}", pausedAt);
    }
    p.replyTo()
        .tell(
            Messages.ControlReply.accepted(pausedAt, "paused at the end of iteration " + pausedAt));
    return this;
  }

  private Behavior<Command> onResume(Resume r) {
    if (pausedAt < 0) {
      r.replyTo().tell(Messages.ControlReply.refused("the run is not paused"));
      return this;
    }
    pausedAt = -1;
    recorder.tell(
        new Recorder.Record(
            new Messages.EngineEvent(
                "resume", gDone, dDone, "", 0, 0, System.currentTimeMillis())));
    getContext().getLog().info("resuming after iteration {}", gDone);
    r.replyTo().tell(Messages.ControlReply.accepted(gDone, "resumed after iteration " + gDone));
    admitOrFinish();
    return this;
  }

  /**
   * Once the final parameters are in and no evaluation is in flight (its report would come after
   * the flush), flushes the Recorder; the run ends when it has.
   */
  private void maybeFlush() {
    if (finishing
        && finalG != null
        && finalD != null
        && finalWritten
        && !flushRequested
        && (evaluator == null || evalCredit.held())) {
      flushRequested = true;
      recorder.tell(
          new Recorder.Flush(
              getContext().messageAdapter(Recorder.Flushed.class, RecorderFlushed::new)));
    }
  }

  private Behavior<Command> onDiverged(Diverged d) {
    abort(d.model() + " update " + d.step() + ": " + d.what(), true);
    return this;
  }

  private Behavior<Command> onChildFailed(ChildFailed f) {
    Throwable cause = f.getCause();
    abort(
        f.getRef().path().name()
            + " failed: "
            + cause.getClass().getSimpleName()
            + ": "
            + cause.getMessage(),
        false);
    return this;
  }

  private Behavior<Command> onChildStopped(Terminated t) {
    if (!(t instanceof ChildFailed)) {
      abort(t.getRef().path().name() + " stopped unexpectedly", false);
    }
    return this;
  }

  /**
   * Ends the run at once, without a final checkpoint (the state may be bad): the caller restarts
   * from the newest checkpoint or gives up. The Recorder is flushed first when it still runs.
   */
  private void abort(String why, boolean diverged) {
    if (abortCause != null || replyTo == null) {
      return;
    }
    getContext().getLog().error("run aborted: {}", why);
    abortCause = why;
    abortDiverged = diverged;
    finishing = true;
    if (flushRequested) {
      return; // the flush reply ends the run
    }
    flushRequested = true;
    recorder.tell(
        new Recorder.Flush(
            getContext().messageAdapter(Recorder.Flushed.class, RecorderFlushed::new)));
    // Should the recorder itself be gone, end without waiting for it.
    getContext()
        .scheduleOnce(
            java.time.Duration.ofSeconds(10),
            getContext().getSelf(),
            new RecorderFlushed(new Recorder.Flushed()));
  }

  private Behavior<Command> onFlushed(RecorderFlushed f) {
    if (abortCause != null) {
      replyTo.tell(
          new Finished(
              dDone, gDone, null, null, null, stopReason, null, null, abortCause, abortDiverged));
      return Behaviors.stopped();
    }
    replyTo.tell(
        new Finished(
            dDone,
            gDone,
            finalG.tensors().get("generator"),
            finalD.tensors().get("discriminator"),
            finalG.tensors().get("generator_ema"),
            stopReason,
            finalCheckpoint,
            finalCheckpointError,
            null,
            false));
    return Behaviors.stopped();
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalStateException("schedule violated: " + what);
    }
  }
}
