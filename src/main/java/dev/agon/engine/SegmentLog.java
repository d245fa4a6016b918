package dev.agon.engine;

import dev.agon.train.Schedule;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.slf4j.Logger;

/**
 * Where the run's schedule segments start, logged and recorded in metrics.jsonl: the resume point
 * of a resumed run (a segment of its own when the resume changed k or s), each k/s change at its
 * barrier (told to D, which passes it on to G), and a change the end made moot. One Recorder
 * message per event. Runs on the Coordinator's thread.
 */
final class SegmentLog {
  private final Admission admission;
  private final ActorRef<Recorder.Command> recorder;
  private final ActorRef<Discriminator.Command> discriminator;
  private final Supplier<Logger> log;

  /** {@code log}: the actor context's (asked for at each use, as Pekko sets the log's MDC then). */
  SegmentLog(
      Admission admission,
      ActorRef<Recorder.Command> recorder,
      ActorRef<Discriminator.Command> discriminator,
      Supplier<Logger> log) {
    this.admission = admission;
    this.recorder = recorder;
    this.discriminator = discriminator;
    this.log = log;
  }

  /** The run resumed from {@code start}: recorded before any of its updates. */
  void resumed(Coordinator.StartState start) {
    Schedule schedule = admission.schedule();
    long gDone = admission.gDone();
    long dDone = admission.dDone();
    recorder.tell(
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
      log.get()
          .info(
              "schedule k = {}, s = {} from G update {} and D update {} (changed on resume)",
              schedule.k(),
              schedule.staleness(),
              gDone + 1,
              dDone + 1);
      recordSchedule();
    }
  }

  /** Both players rest at the pending change's barrier: its segment starts here. */
  void startSegment() {
    Schedule schedule = admission.startSegment();
    log.get()
        .info(
            "schedule k = {}, s = {} from G update {} and D update {}",
            schedule.k(),
            schedule.staleness(),
            admission.gDone() + 1,
            admission.dDone() + 1);
    // D applies first and passes the change on to G, so G's new fakes arrive after it.
    discriminator.tell(new PlayerControl.Reschedule(schedule, admission.segment()));
    recordSchedule();
  }

  /**
   * The run ends before a pending change's barrier (a stop or the end reached it first): the new
   * segment would start after the last update, so the change is dropped, with a warning; the final
   * checkpoint keeps the old schedule.
   */
  void endBeforeBarrier() {
    admission
        .pendingChange()
        .ifPresent(
            c ->
                log.get()
                    .warn(
                        "the run ends at iteration {}: the schedule change to k = {}, s = {} was"
                            + " not applied",
                        admission.gDone(),
                        c.k(),
                        c.staleness()));
  }

  /** Records the schedule segment that starts after the current position. */
  private void recordSchedule() {
    Schedule schedule = admission.schedule();
    recorder.tell(
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
}
