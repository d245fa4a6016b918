package dev.agon.engine;

import dev.agon.config.Player;
import dev.agon.engine.Coordinator.Command;
import dev.agon.engine.Coordinator.Finished;
import dev.agon.train.PlayerState;
import dev.agon.train.Schedule;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.ChildFailed;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The {@link Coordinator}'s behaviour, one Pekko behaviour per phase rather than flags: {@link
 * #idle} (before Start), {@link #running} (reports lead to admissions through {@link Admission},
 * checkpoint captures through {@link CheckpointCapture}, schedule segments or the end), {@link
 * #draining} (a Stop: the admitted updates finish), {@link #finishing} (the final state is captured
 * and written, the evaluation in flight ends) and {@link #flushing} (the Recorder's flush ends the
 * run, with the final state or an abort's cause). Controls go to {@link RunControls}, evaluations
 * to {@link EvaluationSchedule}. Each phase is a set of one-line handler references.
 */
final class CoordinatorBehavior {
  /** Why the run was aborted: a divergence, or a child that failed or stopped. */
  private record Abort(String cause, boolean diverged) {}

  /** Which phase a handler shared by several serves: what a write's end leads to. */
  private enum Stage {
    ADMITTING,
    FINISHING,
    FLUSHING
  }

  private final ActorContext<Command> ctx;
  private final Crew crew;
  private final Admission admission;
  private final Optional<Coordinator.Checkpointing> checkpointing;
  private final CheckpointCapture capture;

  /** Empty when the run has no Evaluator. */
  private final Optional<EvaluationSchedule> evaluations;

  private final RunControls controls;

  /** Whom the outcome goes to: set by Start (the run starts). */
  private ActorRef<Finished> replyTo;

  /** Why the run stops early: set by the first Stop (empty: it runs to its last iteration). */
  private Optional<String> stopReason = Optional.empty();

  /** While finishing: the final state, and its checkpoint's write once it has ended. */
  private Optional<CheckpointCapture.Pair> finalState = Optional.empty();

  private Optional<Checkpointer.Written> finalWrite = Optional.empty();

  /** The run's first phase: {@link #idle()} until Start. */
  static Behavior<Command> create(EngineSettings settings, Coordinator.Parts parts) {
    return Behaviors.setup(ctx -> new CoordinatorBehavior(ctx, settings, parts).idle());
  }

  private CoordinatorBehavior(
      ActorContext<Command> ctx, EngineSettings settings, Coordinator.Parts parts) {
    this.ctx = ctx;
    ctx.setLoggerName(Coordinator.class);
    Coordinator.StartState start = parts.start();
    this.admission =
        start == null
            ? new Admission(settings.schedule(), 0, settings.iterations(), 0, 0)
            : new Admission(
                start.schedule(),
                start.segment(),
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
                        crew.recorder(),
                        crew.checkpointer(),
                        checkpointing.map(Coordinator.Checkpointing::bestMetric),
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
            () -> admitOrFinish().orElse(Behaviors.same()),
            () -> checkpointSoon().orElse(Behaviors.same()));
  }

  private void recordResume(Coordinator.StartState start) {
    Schedule schedule = admission.schedule();
    long gDone = admission.gDone();
    long dDone = admission.dDone();
    crew.recorder()
        .tell(
            new Recorder.Record(
                new Messages.EngineEvent(
                    EventKind.RESUMED_FROM,
                    gDone,
                    dDone,
                    start.from(),
                    0,
                    0,
                    System.currentTimeMillis())));
    if (start.rescheduled()) {
      ctx.getLog()
          .info(
              "schedule k = {}, s = {} from G update {} and D update {} (changed on resume)",
              schedule.k(),
              schedule.staleness(),
              gDone + 1,
              dDone + 1);
      recordSchedule();
    }
  }

  // ---- Phases: idle -> running -> (draining ->) finishing -> flushing -> stopped; any phase
  // after Start -> flushing with an Abort on a divergence or a failed child.

  /** Before Start: nothing is admitted; a Stop is remembered, most controls are refused. */
  private Behavior<Command> idle() {
    BehaviorBuilder<Command> b = Behaviors.receive(Command.class);
    if (stopReason.isPresent()) {
      // Averaging checks for a stop first; the other controls for the start.
      b = b.onMessage(Coordinator.ChangeAveraging.class, this::averagingWhenStopping);
    }
    return withControls(b, RunControls.Phase.NOT_STARTED)
        .onMessage(Coordinator.Start.class, this::onStart)
        .onMessage(Coordinator.Stop.class, this::onStopBeforeStart)
        .onMessage(Coordinator.EvalReady.class, this::onEvalReadyRunning)
        // Nothing runs yet: a divergence or a failed child cannot concern this run.
        .onMessage(Coordinator.Diverged.class, d -> Behaviors.same())
        .onSignal(Terminated.class, t -> Behaviors.same())
        .build();
  }

  /** Admitting updates: reports lead to admissions, checkpoints, segments or the end. */
  private Behavior<Command> running() {
    return admitting(RunControls.Phase.RUNNING)
        .onMessage(Coordinator.Stop.class, this::onStop)
        .build();
  }

  /** A stop was asked for: the updates already admitted finish, nothing more is admitted. */
  private Behavior<Command> draining() {
    return admitting(RunControls.Phase.STOPPING)
        .onMessage(Coordinator.Stop.class, s -> Behaviors.same())
        .build();
  }

  /**
   * Every update is made: the final state is captured and written, the evaluation in flight ends;
   * then {@link #flushing}.
   */
  private Behavior<Command> finishing() {
    return ended(Stage.FINISHING)
        .onMessage(Coordinator.StateCaptured.class, this::onFinalCaptured)
        .onMessage(Coordinator.EvalReady.class, this::onEvalReadyFinishing)
        .onMessage(Coordinator.Diverged.class, this::onDiverged)
        .onSignal(ChildFailed.class, this::onChildFailed)
        .onSignal(Terminated.class, this::onChildStopped)
        .build();
  }

  /**
   * The Recorder is flushing: its reply ends the run with the final state, or, after an abort, with
   * the abort's cause (an abort while flushing needs no second flush).
   */
  private Behavior<Command> flushing(Optional<Abort> abort) {
    BehaviorBuilder<Command> b =
        ended(Stage.FLUSHING)
            .onMessage(Coordinator.StateCaptured.class, this::onCapturedAfterEnd)
            .onMessage(Coordinator.EvalReady.class, this::onEvalReadyAfterEnd)
            .onMessage(Coordinator.RecorderFlushed.class, f -> onFlushed(abort));
    if (abort.isPresent()) {
      return b.onMessage(Coordinator.Diverged.class, d -> Behaviors.same())
          .onSignal(Terminated.class, t -> Behaviors.same())
          .build();
    }
    return b.onMessage(Coordinator.Diverged.class, d -> abortWhileFlushing(diverged(d), true))
        .onSignal(ChildFailed.class, f -> abortWhileFlushing(failed(f), false))
        .onSignal(Terminated.class, t -> abortWhileFlushing(stopped(t), false))
        .build();
  }

  /** The handlers of running and draining. */
  private BehaviorBuilder<Command> admitting(RunControls.Phase phase) {
    return withCheckpoints(withControls(Behaviors.receive(Command.class), phase), Stage.ADMITTING)
        .onMessage(Coordinator.DStepDone.class, this::onDStep)
        .onMessage(Coordinator.GStepDone.class, this::onGStep)
        .onMessage(Coordinator.StateCaptured.class, this::onCaptured)
        .onMessage(Coordinator.EvalReady.class, this::onEvalReadyRunning)
        .onMessage(Coordinator.Diverged.class, this::onDiverged)
        .onSignal(ChildFailed.class, this::onChildFailed)
        .onSignal(Terminated.class, this::onChildStopped);
  }

  /** The handlers common to finishing and flushing: nothing more is admitted. */
  private BehaviorBuilder<Command> ended(Stage stage) {
    return withCheckpoints(
            withControls(Behaviors.receive(Command.class), RunControls.Phase.STOPPING), stage)
        .onMessage(Coordinator.Stop.class, s -> Behaviors.same())
        .onMessage(Coordinator.DStepDone.class, this::recordDStep)
        .onMessage(Coordinator.GStepDone.class, this::recordGStep);
  }

  private BehaviorBuilder<Command> withControls(
      BehaviorBuilder<Command> b, RunControls.Phase phase) {
    return b.onMessage(Coordinator.ChangeSchedule.class, c -> controls.change(c, phase))
        .onMessage(Coordinator.ChangeAveraging.class, c -> controls.averaging(c, phase))
        .onMessage(Coordinator.CheckpointNow.class, c -> controls.checkpointNow(c, phase))
        .onMessage(Coordinator.Pause.class, p -> controls.pause(p, phase))
        .onMessage(Coordinator.Resume.class, controls::resume)
        .onMessage(Coordinator.LearningRateApplied.class, controls::learningRateApplied)
        .onMessage(Coordinator.AveragingApplied.class, controls::averagingApplied);
  }

  /** Checkpoint writes and evaluations: they go on in every phase after Start. */
  private BehaviorBuilder<Command> withCheckpoints(BehaviorBuilder<Command> b, Stage stage) {
    return b.onMessage(Coordinator.LogSynced.class, this::onLogSynced)
        .onMessage(Coordinator.CheckpointWritten.class, w -> onCheckpointWritten(w, stage))
        .onMessage(Coordinator.EvalDone.class, this::onEvalDone)
        .onMessage(Coordinator.EvalSnapshot.class, this::onEvalSnapshot);
  }

  // ---- Handlers

  private Behavior<Command> onStart(Coordinator.Start s) {
    replyTo = s.replyTo();
    planNextCheckpoint();
    return admitOrFinish().orElse(stopReason.isPresent() ? draining() : running());
  }

  private Behavior<Command> onStopBeforeStart(Coordinator.Stop s) {
    if (stopReason.isPresent()) {
      return Behaviors.same();
    }
    requestStop(s);
    return idle();
  }

  private Behavior<Command> averagingWhenStopping(Coordinator.ChangeAveraging c) {
    return controls.averaging(c, RunControls.Phase.STOPPING);
  }

  private Behavior<Command> onStop(Coordinator.Stop s) {
    requestStop(s);
    // Nothing may be in flight (paused, idle): no report would finish the run.
    return admitOrFinish().orElse(draining());
  }

  /**
   * Finish every D update already admitted (with staleness s, up to s iterations ahead) and the G
   * updates of those iterations, so the run stops at a whole iteration; when nothing is admitted
   * beyond the last whole iteration (paused, at a checkpoint barrier, not started) it stops there.
   */
  private void requestStop(Coordinator.Stop s) {
    stopReason = Optional.of(s.reason());
    long last = admission.stop();
    ctx.getLog().info("stop requested ({}): finishing iteration {}", s.reason(), last);
  }

  private Behavior<Command> onDStep(Coordinator.DStepDone m) {
    recordDStep(m);
    return admitOrFinish().orElse(Behaviors.same());
  }

  private Behavior<Command> onGStep(Coordinator.GStepDone m) {
    recordGStep(m);
    Optional<Behavior<Command>> end;
    if (capture.timeDue()) {
      capture.restartClock();
      end = checkpointSoon();
    } else {
      end = admitOrFinish();
    }
    if (end.isEmpty()) {
      evaluations.ifPresent(e -> e.afterGStep(admission.gDone()));
    }
    return end.orElse(Behaviors.same());
  }

  /** Checks a D report against the schedule and records it. */
  private Behavior<Command> recordDStep(Coordinator.DStepDone m) {
    Messages.DStepReport r = m.report();
    admission.dStepDone(r.step(), r.generatorVersionUsed());
    crew.recorder().tell(new Recorder.Record(r));
    return Behaviors.same();
  }

  private Behavior<Command> recordGStep(Coordinator.GStepDone m) {
    Messages.GStepReport r = m.report();
    admission.gStepDone(r.step(), r.discriminatorVersionUsed());
    crew.recorder().tell(new Recorder.Record(r));
    return Behaviors.same();
  }

  private Behavior<Command> onEvalReadyRunning(Coordinator.EvalReady r) {
    evaluations.orElseThrow().ready(true);
    return Behaviors.same();
  }

  private Behavior<Command> onEvalReadyFinishing(Coordinator.EvalReady r) {
    evaluations.orElseThrow().ready(false);
    return maybeFlush();
  }

  private Behavior<Command> onEvalReadyAfterEnd(Coordinator.EvalReady r) {
    evaluations.orElseThrow().ready(false);
    return Behaviors.same();
  }

  private Behavior<Command> onEvalSnapshot(Coordinator.EvalSnapshot e) {
    evaluations.orElseThrow().evaluate(e.snapshot(), e.skipped());
    return Behaviors.same();
  }

  private Behavior<Command> onEvalDone(Coordinator.EvalDone d) {
    evaluations.orElseThrow().done(d.report());
    return Behaviors.same();
  }

  /**
   * The run ends when both players have made every update of its last iteration; a checkpoint is
   * captured when both rest at its iteration; a pending k/s change starts its segment when both
   * have reached its barrier; otherwise admissions go on. Present: the run finishes (the phase to
   * go on with).
   */
  private Optional<Behavior<Command>> admitOrFinish() {
    if (capture.capturing()) {
      return Optional.empty();
    }
    if (admission.complete()) {
      return Optional.of(finish());
    }
    if (admission.atCheckpoint()) {
      // A write still in flight (a slow disk) delays the capture: onCheckpointWritten goes on.
      capture.begin();
      return Optional.empty();
    }
    if (admission.atBarrier()) {
      startSegment();
    }
    Admission.Admitted a = admission.admit();
    a.d().ifPresent(d -> crew.discriminator().tell(new PlayerControl.Admit(d)));
    a.g().ifPresent(g -> crew.generator().tell(new PlayerControl.Admit(g)));
    return Optional.empty();
  }

  private void startSegment() {
    Schedule schedule = admission.startSegment();
    ctx.getLog()
        .info(
            "schedule k = {}, s = {} from G update {} and D update {}",
            schedule.k(),
            schedule.staleness(),
            admission.gDone() + 1,
            admission.dDone() + 1);
    // D applies first and passes the change on to G, so G's new fakes arrive after it.
    crew.discriminator().tell(new PlayerControl.Reschedule(schedule, admission.segment()));
    recordSchedule();
  }

  /** Records the schedule segment that starts after the current position. */
  private void recordSchedule() {
    Schedule schedule = admission.schedule();
    crew.recorder()
        .tell(
            new Recorder.Record(
                new Messages.ScheduleEvent(
                    Messages.ScheduleEvent.Change.SCHEDULE,
                    admission.gDone() + 1,
                    admission.dDone() + 1,
                    schedule.k(),
                    schedule.staleness(),
                    Double.NaN,
                    -1,
                    System.currentTimeMillis())));
  }

  private Behavior<Command> finish() {
    // A stop (or the end) reached the barrier first: the new segment would start after the
    // last update, so the change is dropped; the final checkpoint keeps the old schedule.
    admission
        .pendingChange()
        .ifPresent(
            c ->
                ctx.getLog()
                    .warn(
                        "the run ends at iteration {}: the schedule change to k = {}, s = {} was"
                            + " not applied",
                        admission.gDone(),
                        c.k(),
                        c.staleness()));
    capture.requestStates();
    return finishing();
  }

  /** A periodic capture's states: write them, plan the next one, go on admitting. */
  private Behavior<Command> onCaptured(Coordinator.StateCaptured c) {
    Optional<CheckpointCapture.Pair> pair = capture.captured(c.state());
    if (pair.isEmpty()) {
      return Behaviors.same();
    }
    capture.write(pair.get(), admission, false);
    planNextCheckpoint();
    return admitOrFinish().orElse(Behaviors.same());
  }

  private Behavior<Command> onFinalCaptured(Coordinator.StateCaptured c) {
    onCapturedAfterEnd(c);
    return maybeFlush();
  }

  /**
   * States captured once the run has ended are final: kept for the outcome and written as the last
   * checkpoint (also when a capture was under way at an abort, as before this split).
   */
  private Behavior<Command> onCapturedAfterEnd(Coordinator.StateCaptured c) {
    Optional<CheckpointCapture.Pair> pair = capture.captured(c.state());
    if (pair.isPresent()) {
      finalState = pair;
      if (capture.enabled()) {
        capture.write(pair.get(), admission, true);
      }
    }
    return Behaviors.same();
  }

  private Behavior<Command> onLogSynced(Coordinator.LogSynced s) {
    capture.logSynced(s.synced().offset());
    return Behaviors.same();
  }

  private Behavior<Command> onCheckpointWritten(Coordinator.CheckpointWritten m, Stage stage) {
    Checkpointer.Written w = m.written();
    // A capture that waited for this write goes on (while admitting: after the end nothing does).
    Optional<Behavior<Command>> end =
        capture.writeEnded() && stage == Stage.ADMITTING ? admitOrFinish() : Optional.empty();
    capture.report(w, ctx.getLog());
    if (w.last()) {
      finalWrite = Optional.of(w);
      return stage == Stage.FINISHING ? maybeFlush() : Behaviors.same();
    }
    return end.orElse(Behaviors.same());
  }

  /** The next periodic checkpoint: the next multiple of everySteps after gDone (if any). */
  private void planNextCheckpoint() {
    admission.planCheckpoint(checkpointing.map(Coordinator.Checkpointing::everySteps).orElse(0L));
  }

  /** Checkpoints as soon as possible: at the end of the last iteration already admitted. */
  private Optional<Behavior<Command>> checkpointSoon() {
    admission.checkpointSoon();
    return admitOrFinish();
  }

  /**
   * Once the final state is in (and written, when checkpointing) and no evaluation is in flight
   * (its report would come after the flush), flushes the Recorder: the run ends when it has.
   */
  private Behavior<Command> maybeFlush() {
    if (finalState.isPresent()
        && (finalWrite.isPresent() || !capture.enabled())
        && evaluations.map(EvaluationSchedule::idle).orElse(true)) {
      flushRecorder();
      return flushing(Optional.empty());
    }
    return Behaviors.same();
  }

  private void flushRecorder() {
    crew.recorder()
        .tell(
            new Recorder.Flush(
                ctx.messageAdapter(Recorder.Flushed.class, Coordinator.RecorderFlushed::new)));
  }

  private static String diverged(Coordinator.Diverged d) {
    return d.model().label() + " update " + d.step() + ": " + d.what();
  }

  private static String failed(ChildFailed f) {
    Throwable cause = f.getCause();
    return f.getRef().path().name()
        + " failed: "
        + cause.getClass().getSimpleName()
        + ": "
        + cause.getMessage();
  }

  private static String stopped(Terminated t) {
    return t.getRef().path().name() + " stopped unexpectedly";
  }

  private Behavior<Command> onDiverged(Coordinator.Diverged d) {
    return abort(diverged(d), true);
  }

  private Behavior<Command> onChildFailed(ChildFailed f) {
    return abort(failed(f), false);
  }

  private Behavior<Command> onChildStopped(Terminated t) {
    return t instanceof ChildFailed f ? onChildFailed(f) : abort(stopped(t), false);
  }

  /**
   * Ends the run at once, without a final checkpoint (the state may be bad): the caller restarts
   * from the newest checkpoint or gives up. The Recorder is flushed first when it still runs.
   */
  private Behavior<Command> abort(String why, boolean diverged) {
    ctx.getLog().error("run aborted: {}", why);
    flushRecorder();
    // Should the recorder itself be gone, end without waiting for it.
    ctx.scheduleOnce(
        java.time.Duration.ofSeconds(10),
        ctx.getSelf(),
        new Coordinator.RecorderFlushed(new Recorder.Flushed()));
    return flushing(Optional.of(new Abort(why, diverged)));
  }

  /** An abort while the final flush is under way: its reply ends the run, with the cause. */
  private Behavior<Command> abortWhileFlushing(String why, boolean diverged) {
    ctx.getLog().error("run aborted: {}", why);
    return flushing(Optional.of(new Abort(why, diverged)));
  }

  private Behavior<Command> onFlushed(Optional<Abort> abort) {
    String stop = stopReason.orElse(null);
    if (abort.isPresent()) {
      replyTo.tell(
          new Finished(
              admission.dDone(),
              admission.gDone(),
              null,
              null,
              null,
              stop,
              null,
              null,
              abort.get().cause(),
              abort.get().diverged()));
      return Behaviors.stopped();
    }
    PlayerState g = finalState.orElseThrow().generator();
    PlayerState d = finalState.orElseThrow().discriminator();
    Checkpointer.Written w = finalWrite.orElse(null);
    replyTo.tell(
        new Finished(
            admission.dDone(),
            admission.gDone(),
            g.tensors().get(Player.GENERATOR.label()),
            d.tensors().get(Player.DISCRIMINATOR.label()),
            g.tensors().get("generator_ema"),
            stop,
            w == null ? null : w.dir(),
            w == null ? null : w.error(),
            null,
            false));
    return Behaviors.stopped();
  }
}
