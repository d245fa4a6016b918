package dev.agon.engine;

import dev.agon.engine.Coordinator.Command;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The {@link Coordinator}'s behaviour, one Pekko behaviour per phase rather than flags: {@link
 * #idle} (before Start), {@link #awaitingRoles} (started, a role on another node that training
 * would not wait for still coming up), {@link #running} (reports lead to admissions through {@link
 * Admission}, checkpoint captures through {@link CheckpointCapture}, schedule segments or the end),
 * {@link #draining} (a Stop: the admitted updates finish), {@link #finishing} (the final state is
 * captured and written, the evaluation in flight ends) and {@link #flushing} (the Recorder's flush
 * ends the run, with the final state or an abort's cause). Controls go to {@link RunControls},
 * evaluations to {@link EvaluationSchedule}, schedule segments to {@link SegmentLog}; {@link
 * RunOutcome} keeps what the run's end reports. Each phase is a set of one-line handler references.
 */
final class CoordinatorBehavior {
  /** Which phase a handler shared by several serves: what a write's end leads to. */
  private enum Stage {
    ADMITTING,
    FINISHING,
    FLUSHING
  }

  private final ActorContext<Command> ctx;
  private final Crew crew;
  private final Admission admission;
  private final CheckpointCapture capture;

  /** Empty when the run has no Evaluator. */
  private final Optional<EvaluationSchedule> evaluations;

  private final RunControls controls;
  private final SegmentLog segments;
  private final RunOutcome outcome = new RunOutcome();

  /** Roles on other nodes not up yet that training waits for (PlayerSites#startsAfter). */
  private final Set<String> awaited;

  /** The run's first phase: {@link #idle()} until Start. */
  static Behavior<Command> create(EngineSettings settings, Coordinator.Parts parts) {
    return Behaviors.setup(ctx -> new CoordinatorBehavior(ctx, settings, parts).idle());
  }

  private CoordinatorBehavior(
      ActorContext<Command> ctx, EngineSettings settings, Coordinator.Parts parts) {
    this.ctx = ctx;
    ctx.setLoggerName(Coordinator.class);
    this.awaited = new HashSet<>(parts.sites().startsAfter());
    Coordinator.StartState start = parts.start();
    this.admission = Admission.of(settings, start);
    this.crew = Crew.spawn(ctx, settings, parts, admission);
    this.segments = new SegmentLog(admission, crew.recorder(), crew.discriminator(), ctx::getLog);
    if (start != null) {
      segments.resumed(start);
    }
    this.capture = CheckpointCapture.of(ctx, parts.checkpointing(), crew);
    this.evaluations = EvaluationSchedule.of(ctx, parts, crew);
    evaluations.ifPresent(e -> admission.evaluateEvery(e.everySteps()));
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

  // ---- Phases: idle -> (awaitingRoles ->) running -> (draining ->) finishing -> flushing ->
  // stopped; any phase
  // after Start -> flushing with an Abort on a divergence or a failed child.

  /** Before Start: nothing is admitted; a Stop is remembered, most controls are refused. */
  private Behavior<Command> idle() {
    BehaviorBuilder<Command> b = Behaviors.receive(Command.class);
    if (outcome.stopping()) {
      // Averaging checks for a stop first; the other controls for the start.
      b = b.onMessage(Coordinator.ChangeAveraging.class, this::averagingWhenStopping);
    }
    return controls
        .handlers(b, RunControls.Phase.NOT_STARTED)
        .onMessage(Coordinator.Start.class, this::onStart)
        .onMessage(Coordinator.Stop.class, this::onStopBeforeStart)
        .onMessage(Coordinator.EvalReady.class, r -> evaluations().onReady(r))
        .onMessage(Coordinator.RoleUp.class, this::onRoleUpBeforeStart)
        // Nothing runs yet: a divergence or a failed child cannot concern this run.
        .onMessage(Coordinator.Diverged.class, d -> Behaviors.same())
        .onSignal(Terminated.class, t -> Behaviors.same())
        .build();
  }

  /**
   * Started, but a role on another node that training would not wait for is not up yet: nothing is
   * admitted until it is. A failed child (a stand-in whose node was lost, or that found no node
   * within its find timeout) ends the run as in {@link #running}; a Stop ends it at once.
   */
  private Behavior<Command> awaitingRoles() {
    return controls
        .handlers(Behaviors.receive(Command.class), RunControls.Phase.NOT_STARTED)
        .onMessage(Coordinator.RoleUp.class, this::onRoleUp)
        .onMessage(Coordinator.Stop.class, this::onStopAwaitingRoles)
        .onMessage(Coordinator.EvalReady.class, r -> evaluations().onReady(r))
        .onMessage(Coordinator.Diverged.class, d -> Behaviors.same())
        .onSignal(Terminated.class, this::onChildStopped)
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
        .onSignal(Terminated.class, this::onChildStopped)
        .build();
  }

  /**
   * The Recorder is flushing: its reply ends the run with the final state, or, after an abort, with
   * the abort's cause (an abort while flushing needs no second flush).
   */
  private Behavior<Command> flushing(Optional<RunOutcome.Abort> abort) {
    BehaviorBuilder<Command> b =
        ended(Stage.FLUSHING)
            .onMessage(Coordinator.StateCaptured.class, this::onCapturedAfterEnd)
            .onMessage(Coordinator.EvalReady.class, r -> evaluations().onReadyAfterEnd(r))
            .onMessage(Coordinator.RecorderFlushed.class, f -> onFlushed(abort));
    if (abort.isPresent()) {
      return b.onMessage(Coordinator.Diverged.class, d -> Behaviors.same())
          .onSignal(Terminated.class, t -> Behaviors.same())
          .build();
    }
    return b.onMessage(
            Coordinator.Diverged.class, d -> abortWhileFlushing(RunOutcome.Abort.diverged(d)))
        .onSignal(Terminated.class, t -> abortWhileFlushing(RunOutcome.Abort.stopped(t)))
        .build();
  }

  /** The handlers of running and draining. */
  private BehaviorBuilder<Command> admitting(RunControls.Phase phase) {
    return withCheckpoints(
            controls.handlers(Behaviors.receive(Command.class), phase), Stage.ADMITTING)
        .onMessage(Coordinator.DStepDone.class, this::onDStep)
        .onMessage(Coordinator.GStepDone.class, this::onGStep)
        .onMessage(Coordinator.StateCaptured.class, this::onCaptured)
        .onMessage(Coordinator.EvalReady.class, r -> evaluations().onReady(r))
        .onMessage(Coordinator.Diverged.class, this::onDiverged)
        .onSignal(Terminated.class, this::onChildStopped);
  }

  /** The handlers common to finishing and flushing: nothing more is admitted. */
  private BehaviorBuilder<Command> ended(Stage stage) {
    return withCheckpoints(
            controls.handlers(Behaviors.receive(Command.class), RunControls.Phase.STOPPING), stage)
        .onMessage(Coordinator.Stop.class, s -> Behaviors.same())
        .onMessage(Coordinator.DStepDone.class, this::recordDStep)
        .onMessage(Coordinator.GStepDone.class, this::recordGStep);
  }

  /** Checkpoint writes and evaluations: they go on in every phase after Start. */
  private BehaviorBuilder<Command> withCheckpoints(BehaviorBuilder<Command> b, Stage stage) {
    return b.onMessage(Coordinator.LogSynced.class, this::onLogSynced)
        .onMessage(Coordinator.CheckpointWritten.class, w -> onCheckpointWritten(w, stage))
        .onMessage(Coordinator.EvalDone.class, d -> evaluations().onDone(d))
        .onMessage(Coordinator.EvalSnapshot.class, e -> evaluations().onSnapshot(e));
  }

  // ---- Handlers

  private Behavior<Command> onStart(Coordinator.Start s) {
    outcome.started(s.replyTo());
    if (!awaited.isEmpty() && !outcome.stopping()) {
      ctx.getLog().info("training starts once role {} is up", String.join(", ", awaited));
      return awaitingRoles();
    }
    return begin();
  }

  /** Training begins: the first admissions (or the end, when stopped before any). */
  private Behavior<Command> begin() {
    planNextCheckpoint();
    return admitOrFinish().orElse(outcome.stopping() ? draining() : running());
  }

  private Behavior<Command> onRoleUpBeforeStart(Coordinator.RoleUp r) {
    awaited.remove(r.role());
    return Behaviors.same();
  }

  private Behavior<Command> onRoleUp(Coordinator.RoleUp r) {
    awaited.remove(r.role());
    return awaited.isEmpty() ? begin() : Behaviors.same();
  }

  private Behavior<Command> onStopAwaitingRoles(Coordinator.Stop s) {
    requestStop(s);
    return begin();
  }

  private Behavior<Command> onStopBeforeStart(Coordinator.Stop s) {
    if (outcome.stopping()) {
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
    outcome.stopRequested(s.reason());
    long last = admission.stop();
    ctx.getLog().info("stop requested ({}): finishing iteration {}", s.reason(), last);
  }

  private Behavior<Command> onDStep(Coordinator.DStepDone m) {
    recordDStep(m);
    return admitOrFinish().orElse(Behaviors.same());
  }

  private Behavior<Command> onGStep(Coordinator.GStepDone m) {
    recordGStep(m);
    if (!admission.complete()) {
      // Before any admission of G's next update (the same way to G, so in order): the snapshot is
      // of the version the evaluation schedule names, in one JVM and across JVMs.
      evaluations.ifPresent(e -> e.afterGStep(admission.gDone()));
    }
    Optional<Behavior<Command>> end;
    if (capture.timeDue()) {
      capture.restartClock();
      end = checkpointSoon();
    } else {
      end = admitOrFinish();
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

  private Behavior<Command> onEvalReadyFinishing(Coordinator.EvalReady r) {
    evaluations().ready(false);
    return maybeFlush();
  }

  /** Evaluator messages come only when the run has one. */
  private EvaluationSchedule evaluations() {
    return evaluations.orElseThrow();
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
      segments.startSegment();
    }
    Admission.Admitted a = admission.admit();
    a.d().ifPresent(d -> crew.discriminator().tell(new PlayerControl.Admit(d)));
    a.g().ifPresent(g -> crew.generator().tell(new PlayerControl.Admit(g)));
    return Optional.empty();
  }

  private Behavior<Command> finish() {
    segments.endBeforeBarrier();
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
   * checkpoint, also at an abort (a non-player child failed): no update runs during a capture, so
   * they hold a whole iteration every update of which reported finite.
   */
  private Behavior<Command> onCapturedAfterEnd(Coordinator.StateCaptured c) {
    Optional<CheckpointCapture.Pair> pair = capture.captured(c.state());
    if (pair.isPresent()) {
      outcome.finalState(pair.get());
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
      outcome.finalWritten(w);
      return stage == Stage.FINISHING ? maybeFlush() : Behaviors.same();
    }
    return end.orElse(Behaviors.same());
  }

  /** The next periodic checkpoint: the next multiple of everySteps after gDone (if any). */
  private void planNextCheckpoint() {
    admission.planCheckpoint(capture.everySteps());
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
    if (outcome.finalStateDone(capture.enabled())
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

  private Behavior<Command> onDiverged(Coordinator.Diverged d) {
    return abort(RunOutcome.Abort.diverged(d));
  }

  /** A child that stopped or failed (a failure is a Terminated too). */
  private Behavior<Command> onChildStopped(Terminated t) {
    return abort(RunOutcome.Abort.stopped(t));
  }

  /**
   * Ends the run at once, without a final checkpoint (the state may be bad): the caller restarts
   * from the newest checkpoint or gives up. The Recorder is flushed first when it still runs.
   */
  private Behavior<Command> abort(RunOutcome.Abort abort) {
    ctx.getLog().error("run aborted: {}", abort.cause());
    flushRecorder();
    // Should the recorder itself be gone, end without waiting for it.
    ctx.scheduleOnce(
        java.time.Duration.ofSeconds(10),
        ctx.getSelf(),
        new Coordinator.RecorderFlushed(new Recorder.Flushed()));
    return flushing(Optional.of(abort));
  }

  /** An abort while the final flush is under way: its reply ends the run, with the cause. */
  private Behavior<Command> abortWhileFlushing(RunOutcome.Abort abort) {
    ctx.getLog().error("run aborted: {}", abort.cause());
    return flushing(Optional.of(abort));
  }

  /** The Recorder has flushed: the run ends with its outcome. */
  private Behavior<Command> onFlushed(Optional<RunOutcome.Abort> abort) {
    outcome.tell(admission, abort);
    return Behaviors.stopped();
  }
}
