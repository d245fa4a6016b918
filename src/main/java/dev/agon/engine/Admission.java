package dev.agon.engine;

import dev.agon.train.Schedule;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Which updates may run next, and why no more: the Coordinator's admission arithmetic without the
 * actors, so it can be tested like {@link Schedule}. It counts the updates admitted and done,
 * checks every report against the schedule, and stops admissions at the end of the run, at a
 * pending k/s change's barrier, at the next checkpoint and at a pause — each an iteration at whose
 * end both players come to rest. O(1) per call; not thread-safe (the Coordinator owns it).
 */
final class Admission {
  /** A k/s change waiting for its barrier: the iteration at whose end it applies. */
  record Change(long at, int k, int staleness) {}

  /** What stops admissions at {@link Horizon#iteration()}. */
  enum Limit {
    END,
    BARRIER,
    CHECKPOINT,
    PAUSE
  }

  /** The last iteration whose updates may be admitted now, and what stops them there. */
  record Horizon(long iteration, Limit limit) {}

  /** Updates newly admitted: D through {@code d}, G through {@code g} (empty: none new). */
  record Admitted(OptionalLong d, OptionalLong g) {}

  private Schedule schedule;
  private int segment;
  private long lastIteration;
  private long gDone;
  private long dDone;
  private long gAdmitted;
  private long dAdmitted;
  private Optional<Change> change = Optional.empty();
  private OptionalLong checkpointAt = OptionalLong.empty();
  private OptionalLong pausedAt = OptionalLong.empty();
  // Evaluations fall due every this many G updates (0: none by steps): G is admitted past such a
  // version only once its report is in, so that the Coordinator asks for the evaluation snapshot
  // before G may move on.
  private long evaluateEvery;

  /**
   * A run under {@code schedule} (schedule segment number {@code segment}) whose players have made
   * gDone/dDone.
   */
  Admission(Schedule schedule, int segment, long lastIteration, long gDone, long dDone) {
    this.schedule = schedule;
    this.segment = segment;
    this.lastIteration = lastIteration;
    this.gDone = this.gAdmitted = gDone;
    this.dDone = this.dAdmitted = dDone;
  }

  /** The admissions of a run under {@code settings}: from its start, or from {@code start}. */
  static Admission of(EngineSettings settings, Coordinator.StartState start) {
    return start == null
        ? new Admission(settings.schedule(), 0, settings.iterations(), 0, 0)
        : new Admission(
            start.schedule(), start.segment(), settings.iterations(), start.gDone(), start.dDone());
  }

  Schedule schedule() {
    return schedule;
  }

  int segment() {
    return segment;
  }

  long lastIteration() {
    return lastIteration;
  }

  long gDone() {
    return gDone;
  }

  long dDone() {
    return dDone;
  }

  /** D made update {@code step} on G version {@code used}; throws when the schedule forbids it. */
  void dStepDone(long step, long used) {
    check(step == dDone + 1 && step <= dAdmitted, "D update " + step + " not admitted");
    check(
        used == schedule.generatorVersionFor(step) && used <= gDone,
        "D update " + step + " used G version " + used);
    dDone = step;
  }

  /** G made update {@code step} on D version {@code used}; throws when the schedule forbids it. */
  void gStepDone(long step, long used) {
    check(step == gDone + 1 && step <= gAdmitted, "G update " + step + " not admitted");
    check(
        used == schedule.discriminatorVersionFor(step) && used <= dDone,
        "G update " + step + " used D version " + used);
    gDone = step;
  }

  /** The last iteration with an admitted D update: where a barrier can be put at the earliest. */
  long admittedIteration() {
    return dAdmitted <= schedule.originD() ? schedule.originG() : schedule.iterationOf(dAdmitted);
  }

  /**
   * The end of the last iteration already (partly) admitted: the earliest place to come to rest.
   * With staleness G may be admitted past the last iteration with an admitted D update, so both
   * players' admissions count: a limit placed before G's would be overtaken and never reached.
   */
  long frontier() {
    return Math.max(gAdmitted, admittedIteration());
  }

  /** Whether both players are at rest at the end of iteration {@code g}. */
  private boolean restingAt(long g) {
    return gDone == g && dDone == schedule.dStepsThrough(g);
  }

  /** Both players have made every update of the last iteration. */
  boolean complete() {
    return gDone >= lastIteration && dDone >= schedule.dStepsThrough(lastIteration);
  }

  boolean atCheckpoint() {
    return checkpointAt.isPresent() && restingAt(checkpointAt.getAsLong());
  }

  boolean atBarrier() {
    return change.isPresent() && restingAt(change.get().at());
  }

  Optional<Change> pendingChange() {
    return change;
  }

  /**
   * Whether a new k or s could no longer apply: the run ends at the frontier (a change applies from
   * the next iteration).
   */
  boolean tooLateForChange() {
    return frontier() >= lastIteration;
  }

  /**
   * Plans a k/s change at the frontier; absent values stay as the pending change (or the schedule)
   * has them.
   */
  Change requestChange(OptionalInt k, OptionalInt staleness) {
    int newK = k.orElse(change.map(Change::k).orElse(schedule.k()));
    int newS = staleness.orElse(change.map(Change::staleness).orElse(schedule.staleness()));
    Change c = new Change(frontier(), newK, newS);
    change = Optional.of(c);
    return c;
  }

  /** At the barrier: the pending change starts a new schedule segment here. */
  Schedule startSegment() {
    Change c = change.orElseThrow();
    schedule = schedule.changedAt(gDone, dDone, c.k(), c.staleness());
    segment++;
    change = Optional.empty();
    return schedule;
  }

  OptionalLong pausedAt() {
    return pausedAt;
  }

  /** Stops admissions at the frontier (kept if already paused); returns where. */
  long pause() {
    if (pausedAt.isEmpty()) {
      pausedAt = OptionalLong.of(frontier());
    }
    return pausedAt.getAsLong();
  }

  void resume() {
    pausedAt = OptionalLong.empty();
  }

  /**
   * Ends the run at the frontier (or earlier if it ends there anyway): the updates already admitted
   * finish, so it stops at a whole iteration; a pause no longer holds it. Returns the last
   * iteration.
   */
  long stop() {
    lastIteration = Math.min(lastIteration, frontier());
    pausedAt = OptionalLong.empty();
    return lastIteration;
  }

  /**
   * Evaluations fall due every {@code gSteps} G updates (0: none): {@link #admit} then admits G
   * past a multiple of it only once that update is done, so a snapshot asked for right after its
   * report, before the next admission, is of that version (a request and an admission reach G in
   * the order sent, across JVMs too). Costs G a wait for the Coordinator at each such version when
   * it could run ahead (staleness); in a synchronous run G waits for D's snapshot anyway.
   */
  void evaluateEvery(long gSteps) {
    evaluateEvery = gSteps;
  }

  OptionalLong checkpointAt() {
    return checkpointAt;
  }

  /**
   * The next periodic checkpoint: the next multiple of {@code everySteps} (0: none) after gDone.
   */
  void planCheckpoint(long everySteps) {
    checkpointAt =
        everySteps > 0
            ? OptionalLong.of((gDone / everySteps + 1) * everySteps)
            : OptionalLong.empty();
  }

  /** Checkpoints as soon as possible: at the frontier, unless one is planned earlier. */
  void checkpointSoon() {
    long at = frontier();
    checkpointAt = OptionalLong.of(Math.min(checkpointAt.orElse(at), at));
  }

  /** Where admissions stop now; of equal limits the first in {@link Limit}'s order names it. */
  Horizon horizon() {
    Horizon h = new Horizon(lastIteration, Limit.END);
    if (change.isPresent() && change.get().at() < h.iteration()) {
      h = new Horizon(change.get().at(), Limit.BARRIER);
    }
    if (checkpointAt.isPresent() && checkpointAt.getAsLong() < h.iteration()) {
      h = new Horizon(checkpointAt.getAsLong(), Limit.CHECKPOINT);
    }
    if (pausedAt.isPresent() && pausedAt.getAsLong() < h.iteration()) {
      h = new Horizon(pausedAt.getAsLong(), Limit.PAUSE);
    }
    return h;
  }

  /**
   * Admits every update the staleness bound allows now, none beyond the horizon. G update i needs D
   * version dv(i) and waits for exactly that snapshot, so it is admitted as soon as dv(i) is
   * admitted (not done): that keeps the Coordinator off the critical path without loosening the
   * bound.
   */
  Admitted admit() {
    long lastG = horizon().iteration();
    long dTarget = Math.min(schedule.lastAdmissibleDStep(gDone), schedule.dStepsThrough(lastG));
    OptionalLong d = OptionalLong.empty();
    if (dTarget > dAdmitted) {
      dAdmitted = dTarget;
      d = OptionalLong.of(dAdmitted);
    }
    long gTarget = Math.min(schedule.lastAdmissibleGStep(dAdmitted), lastG);
    if (evaluateEvery > 0) {
      gTarget = Math.min(gTarget, (gDone / evaluateEvery + 1) * evaluateEvery);
    }
    OptionalLong g = OptionalLong.empty();
    if (gTarget > gAdmitted) {
      gAdmitted = gTarget;
      g = OptionalLong.of(gAdmitted);
    }
    return new Admitted(d, g);
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalStateException("schedule violated: " + what);
    }
  }
}
