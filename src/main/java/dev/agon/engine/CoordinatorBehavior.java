package dev.agon.engine;

import dev.agon.config.BestMetric;
import dev.agon.engine.Coordinator.Command;
import dev.agon.engine.Coordinator.Finished;
import dev.agon.train.PlayerState;
import dev.agon.train.Schedule;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.ChildFailed;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The {@link Coordinator}'s behaviour: it reacts to reports by admitting more updates (through
 * {@link Admission}), starting a schedule segment at its barrier, capturing a checkpoint ({@link
 * CheckpointCapture}) or finishing; controls go to {@link RunControls}, evaluations to {@link
 * EvaluationSchedule}. At the end it captures the final state, writes the final checkpoint, waits
 * for the evaluation in flight, flushes the Recorder and answers {@link Coordinator.Start}.
 */
final class CoordinatorBehavior extends AbstractBehavior<Command> {
  private final Crew crew;
  private final Admission admission;
  private final Optional<Coordinator.Checkpointing> checkpointing;
  private final CheckpointCapture capture;

  /** Empty when the run has no Evaluator. */
  private final Optional<EvaluationSchedule> evaluations;

  private final RunControls controls;
  private ActorRef<Finished> replyTo;
  private String stopReason;
  private boolean finishing;
  private boolean flushRequested;
  private PlayerState finalG;
  private PlayerState finalD;
  private boolean finalWritten;
  private Path finalCheckpoint;
  private String finalCheckpointError;
  private String abortCause;
  private boolean abortDiverged;

  CoordinatorBehavior(ActorContext<Command> ctx, EngineSettings settings, Coordinator.Parts parts) {
    super(ctx);
    ctx.setLoggerName(Coordinator.class);
    Coordinator.StartState start = parts.start();
    this.admission =
        start == null
            ? new Admission(settings.schedule(), 0, settings.iterations(), 0, 0)
            : new Admission(
                start.schedule(),
                start.epoch(),
                settings.iterations(),
                start.gDone(),
                start.dDone());
    this.crew = Crew.spawn(ctx, settings, parts, admission);
    if (start != null) {
      recordResume(start);
    }
    this.checkpointing = Optional.ofNullable(parts.checkpointing());
    this.capture =
        new CheckpointCapture(
            parts.checkpointing(),
            crew.checkpointer().orElse(null),
            crew.recorder(),
            crew.generator(),
            crew.discriminator(),
            ctx.messageAdapter(Recorder.Synced.class, Coordinator.LogSynced::new),
            ctx.messageAdapter(PlayerState.class, Coordinator.StateCaptured::new),
            ctx.messageAdapter(Checkpointer.Written.class, Coordinator.CheckpointWritten::new));
    this.evaluations =
        crew.evaluator()
            .map(
                evaluator ->
                    new EvaluationSchedule(
                        parts.evaluation(),
                        evaluator,
                        crew.generator(),
                        // One adapter per class: each request replaces the last, with its count.
                        skipped ->
                            ctx.messageAdapter(
                                Generator.EvaluationSnapshot.class,
                                s -> new Coordinator.EvalSnapshot(s, skipped))));
    this.controls =
        new RunControls(
            admission,
            capture,
            crew.generator(),
            crew.discriminator(),
            crew.recorder(),
            ctx::getLog,
            this::admitOrFinish,
            this::checkpointSoon);
  }

  private void recordResume(Coordinator.StartState start) {
    Schedule schedule = admission.schedule();
    long gDone = admission.gDone();
    long dDone = admission.dDone();
    crew.recorder()
        .tell(
            new Recorder.Record(
                new Messages.EngineEvent(
                    "resumed_from", gDone, dDone, start.from(), 0, 0, System.currentTimeMillis())));
    if (start.rescheduled()) {
      getContext()
          .getLog()
          .info(
              "schedule k = {}, s = {} from G update {} and D update {} (changed on resume)",
              schedule.k(),
              schedule.staleness(),
              gDone + 1,
              dDone + 1);
      recordSchedule();
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Coordinator.Start.class, this::onStart)
        .onMessage(Coordinator.Stop.class, this::onStop)
        .onMessage(Coordinator.ChangeSchedule.class, c -> same(() -> controls.change(c, phase())))
        .onMessage(Coordinator.DStepDone.class, this::onDStep)
        .onMessage(Coordinator.GStepDone.class, this::onGStep)
        .onMessage(
            Coordinator.LearningRateApplied.class, a -> same(() -> controls.learningRateApplied(a)))
        .onMessage(
            Coordinator.ChangeAveraging.class, c -> same(() -> controls.averaging(c, phase())))
        .onMessage(
            Coordinator.AveragingApplied.class, a -> same(() -> controls.averagingApplied(a)))
        .onMessage(Coordinator.StateCaptured.class, this::onStateCaptured)
        .onMessage(Coordinator.CheckpointWritten.class, this::onCheckpointWritten)
        .onMessage(
            Coordinator.CheckpointNow.class, c -> same(() -> controls.checkpointNow(c, phase())))
        .onMessage(Coordinator.Pause.class, p -> same(() -> controls.pause(p, phase())))
        .onMessage(Coordinator.Diverged.class, this::onDiverged)
        .onSignal(ChildFailed.class, this::onChildFailed)
        .onSignal(Terminated.class, this::onChildStopped)
        .onMessage(Coordinator.Resume.class, r -> same(() -> controls.resume(r)))
        .onMessage(Coordinator.RecorderFlushed.class, this::onFlushed)
        .onMessage(
            Coordinator.LogSynced.class, s -> same(() -> capture.logSynced(s.synced().offset())))
        .onMessage(Coordinator.EvalReady.class, this::onEvalReady)
        .onMessage(Coordinator.EvalDone.class, this::onEvalDone)
        .onMessage(
            Coordinator.EvalSnapshot.class,
            e -> same(() -> evaluations.orElseThrow().evaluate(e.snapshot(), e.skipped())))
        .build();
  }

  /** Runs {@code handler} and keeps this behaviour. */
  private Behavior<Command> same(Runnable handler) {
    handler.run();
    return this;
  }

  private RunControls.Phase phase() {
    if (replyTo == null) {
      return RunControls.Phase.NOT_STARTED;
    }
    return finishing || stopReason != null ? RunControls.Phase.STOPPING : RunControls.Phase.RUNNING;
  }

  private Behavior<Command> onStart(Coordinator.Start s) {
    replyTo = s.replyTo();
    planNextCheckpoint();
    admitOrFinish();
    return this;
  }

  private Behavior<Command> onStop(Coordinator.Stop s) {
    if (!finishing && stopReason == null) {
      stopReason = s.reason();
      // Finish every D update already admitted (with staleness s, up to s iterations ahead)
      // and the G updates of those iterations, so the run stops at a whole iteration; when
      // nothing is admitted beyond the last whole iteration (paused, at a checkpoint barrier,
      // not started) it stops right there.
      long last = admission.stop();
      getContext().getLog().info("stop requested ({}): finishing iteration {}", s.reason(), last);
      if (replyTo != null) {
        admitOrFinish(); // nothing may be in flight (paused, idle): no report would finish it
      }
    }
    return this;
  }

  private Behavior<Command> onDStep(Coordinator.DStepDone m) {
    Messages.DStepReport r = m.report();
    admission.dStepDone(r.step(), r.generatorVersionUsed());
    crew.recorder().tell(new Recorder.Record(r));
    admitOrFinish();
    return this;
  }

  private Behavior<Command> onGStep(Coordinator.GStepDone m) {
    Messages.GStepReport r = m.report();
    admission.gStepDone(r.step(), r.discriminatorVersionUsed());
    crew.recorder().tell(new Recorder.Record(r));
    if (capture.timeDue()) {
      capture.restartClock();
      checkpointSoon();
    } else {
      admitOrFinish();
    }
    if (!finishing) {
      evaluations.ifPresent(e -> e.afterGStep(admission.gDone()));
    }
    return this;
  }

  private Behavior<Command> onEvalReady(Coordinator.EvalReady r) {
    evaluations.orElseThrow().ready(!finishing);
    maybeFlush();
    return this;
  }

  private Behavior<Command> onEvalDone(Coordinator.EvalDone d) {
    crew.recorder().tell(new Recorder.Record(d.report()));
    BestMetric best = checkpointing.map(Coordinator.Checkpointing::bestMetric).orElse(null);
    if (crew.checkpointer().isPresent() && best != BestMetric.NONE) {
      EvaluationSchedule.bestMetricValue(best, d.report().score())
          .ifPresent(
              v ->
                  crew.checkpointer()
                      .get()
                      .tell(new Checkpointer.Metric(d.report().gVersion(), v)));
    }
    return this;
  }

  /**
   * The run ends when both players have made every update of its last iteration; a checkpoint is
   * captured when both rest at its iteration; a pending k/s change starts its segment when both
   * have reached its barrier; otherwise admissions go on.
   */
  private void admitOrFinish() {
    if (finishing || capture.capturing()) {
      return;
    }
    if (admission.complete()) {
      finish();
      return;
    }
    if (admission.atCheckpoint()) {
      // A write still in flight (a slow disk) delays the capture: onCheckpointWritten goes on.
      capture.begin();
      return;
    }
    if (admission.atBarrier()) {
      startSegment();
    }
    admit();
  }

  private void startSegment() {
    Schedule schedule = admission.startSegment();
    getContext()
        .getLog()
        .info(
            "schedule k = {}, s = {} from G update {} and D update {}",
            schedule.k(),
            schedule.staleness(),
            admission.gDone() + 1,
            admission.dDone() + 1);
    // D applies first and passes the change on to G, so G's new fakes arrive after it.
    crew.discriminator().tell(new Discriminator.Reschedule(schedule, admission.epoch()));
    recordSchedule();
  }

  /** Records the schedule segment that starts after the current position. */
  private void recordSchedule() {
    Schedule schedule = admission.schedule();
    crew.recorder()
        .tell(
            new Recorder.Record(
                new Messages.ScheduleEvent(
                    "schedule",
                    admission.gDone() + 1,
                    admission.dDone() + 1,
                    schedule.k(),
                    schedule.staleness(),
                    Double.NaN,
                    -1,
                    System.currentTimeMillis())));
  }

  /** Admits every update the staleness bound allows now, none beyond the horizon. */
  private void admit() {
    if (replyTo == null || finishing) {
      return;
    }
    Admission.Admitted a = admission.admit();
    a.d().ifPresent(d -> crew.discriminator().tell(new Discriminator.Admit(d)));
    a.g().ifPresent(g -> crew.generator().tell(new Generator.Admit(g)));
  }

  private void finish() {
    finishing = true;
    // A stop (or the end) reached the barrier first: the new segment would start after the
    // last update, so the change is dropped; the final checkpoint keeps the old schedule.
    admission
        .pendingChange()
        .ifPresent(
            c ->
                getContext()
                    .getLog()
                    .warn(
                        "the run ends at iteration {}: the schedule change to k = {}, s = {} was"
                            + " not applied",
                        admission.gDone(),
                        c.k(),
                        c.staleness()));
    capture.requestStates();
  }

  private Behavior<Command> onStateCaptured(Coordinator.StateCaptured c) {
    Optional<CheckpointCapture.Pair> pair = capture.captured(c.state());
    if (pair.isEmpty()) {
      return this;
    }
    if (finishing) {
      finalG = pair.get().generator();
      finalD = pair.get().discriminator();
      if (!capture.enabled()) {
        finalWritten = true;
      } else {
        capture.write(pair.get(), admission, true);
      }
      maybeFlush();
      return this;
    }
    capture.write(pair.get(), admission, false);
    planNextCheckpoint();
    admitOrFinish();
    return this;
  }

  private Behavior<Command> onCheckpointWritten(Coordinator.CheckpointWritten m) {
    Checkpointer.Written w = m.written();
    if (capture.writeEnded()) {
      admitOrFinish();
    }
    if (w.ok()) {
      getContext().getLog().info("checkpoint {} written", w.dir());
    } else {
      getContext().getLog().warn("checkpoint of G update {} not written: {}", w.step(), w.error());
    }
    crew.recorder()
        .tell(
            new Recorder.Record(
                new Messages.EngineEvent(
                    w.ok() ? "checkpoint" : "checkpoint_failed",
                    w.step(),
                    w.dStep(),
                    w.ok() ? w.dir().getFileName().toString() : w.error(),
                    w.failures(),
                    w.nanos(),
                    System.currentTimeMillis())));
    capture.answerWaiters(w);
    if (w.last()) {
      finalWritten = true;
      finalCheckpoint = w.dir();
      finalCheckpointError = w.error();
      maybeFlush();
    }
    return this;
  }

  /** The next periodic checkpoint: the next multiple of everySteps after gDone (if any). */
  private void planNextCheckpoint() {
    admission.planCheckpoint(checkpointing.map(Coordinator.Checkpointing::everySteps).orElse(0L));
  }

  /** Checkpoints as soon as possible: at the end of the last iteration already admitted. */
  private void checkpointSoon() {
    admission.checkpointSoon();
    admitOrFinish();
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
        && evaluations.map(EvaluationSchedule::idle).orElse(true)) {
      flushRequested = true;
      crew.recorder()
          .tell(
              new Recorder.Flush(
                  getContext()
                      .messageAdapter(Recorder.Flushed.class, Coordinator.RecorderFlushed::new)));
    }
  }

  private Behavior<Command> onDiverged(Coordinator.Diverged d) {
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
    crew.recorder()
        .tell(
            new Recorder.Flush(
                getContext()
                    .messageAdapter(Recorder.Flushed.class, Coordinator.RecorderFlushed::new)));
    // Should the recorder itself be gone, end without waiting for it.
    getContext()
        .scheduleOnce(
            java.time.Duration.ofSeconds(10),
            getContext().getSelf(),
            new Coordinator.RecorderFlushed(new Recorder.Flushed()));
  }

  private Behavior<Command> onFlushed(Coordinator.RecorderFlushed f) {
    if (abortCause != null) {
      replyTo.tell(
          new Finished(
              admission.dDone(),
              admission.gDone(),
              null,
              null,
              null,
              stopReason,
              null,
              null,
              abortCause,
              abortDiverged));
      return Behaviors.stopped();
    }
    replyTo.tell(
        new Finished(
            admission.dDone(),
            admission.gDone(),
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
}
