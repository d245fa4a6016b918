package dev.agon.engine;

import dev.agon.config.Player;
import dev.agon.config.RuntimeLimits;
import dev.agon.engine.Coordinator.ChangeAveraging;
import dev.agon.engine.Coordinator.ChangeSchedule;
import dev.agon.engine.Coordinator.CheckpointNow;
import dev.agon.engine.Coordinator.Pause;
import dev.agon.engine.Coordinator.Resume;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;

/**
 * The Coordinator's answers to run-time controls (schedule and learning-rate changes, averaging,
 * pause, resume, checkpoint now): each is validated against the run's phase and the config's
 * declared bounds ({@link RuntimeLimits}, the same as the control API's and agon ctl's), applied to
 * {@link Admission} or told to the players, logged and recorded. Runs on the Coordinator's thread.
 */
final class RunControls {
  /** Where the run is, as far as a control is concerned. */
  enum Phase {
    NOT_STARTED,
    RUNNING,
    /** A stop was asked for, the run reached its end, or it is aborting. */
    STOPPING
  }

  private final Admission admission;
  private final CheckpointCapture capture;
  private final ActorRef<Generator.Command> generator;
  private final ActorRef<Discriminator.Command> discriminator;
  private final ActorRef<Recorder.Command> recorder;
  private final Supplier<Logger> log;
  private final Supplier<Behavior<Coordinator.Command>> admitOrFinish;
  private final Supplier<Behavior<Coordinator.Command>> checkpointSoon;

  /**
   * {@code log}: the actor context's (asked for at each use, as Pekko sets the log's MDC then);
   * {@code admitOrFinish} and {@code checkpointSoon}: the Coordinator's, after a change; each gives
   * the behaviour to go on with (the run may finish), as every handler here does.
   */
  RunControls(
      Admission admission,
      CheckpointCapture capture,
      ActorRef<Generator.Command> generator,
      ActorRef<Discriminator.Command> discriminator,
      ActorRef<Recorder.Command> recorder,
      Supplier<Logger> log,
      Supplier<Behavior<Coordinator.Command>> admitOrFinish,
      Supplier<Behavior<Coordinator.Command>> checkpointSoon) {
    this.admission = admission;
    this.capture = capture;
    this.generator = generator;
    this.discriminator = discriminator;
    this.recorder = recorder;
    this.log = log;
    this.admitOrFinish = admitOrFinish;
    this.checkpointSoon = checkpointSoon;
  }

  /** Adds to {@code b} the handlers of every control, answered as in {@code phase}. */
  BehaviorBuilder<Coordinator.Command> handlers(
      BehaviorBuilder<Coordinator.Command> b, Phase phase) {
    return b.onMessage(ChangeSchedule.class, c -> change(c, phase))
        .onMessage(ChangeAveraging.class, c -> averaging(c, phase))
        .onMessage(CheckpointNow.class, c -> checkpointNow(c, phase))
        .onMessage(Pause.class, p -> pause(p, phase))
        .onMessage(Resume.class, this::resume)
        .onMessage(Coordinator.LearningRateApplied.class, this::learningRateApplied)
        .onMessage(Coordinator.AveragingApplied.class, this::averagingApplied);
  }

  Behavior<Coordinator.Command> change(ChangeSchedule c, Phase phase) {
    String invalid = validate(c, phase);
    if (invalid != null) {
      c.replyTo().tell(Messages.ControlReply.refused(invalid));
      return Behaviors.same();
    }
    StringBuilder done = new StringBuilder();
    c.generatorLr().ifPresent(lr -> generator.tell(new PlayerControl.SetLearningRate(lr)));
    c.discriminatorLr().ifPresent(lr -> discriminator.tell(new PlayerControl.SetLearningRate(lr)));
    if (c.generatorLr().isPresent() || c.discriminatorLr().isPresent()) {
      done.append("learning rates apply from each player's next update");
    }
    long barrier = -1; // ControlReply's "no iteration"
    Behavior<Coordinator.Command> next = Behaviors.same();
    if (c.k().isPresent() || c.staleness().isPresent()) {
      Admission.Change change = admission.requestChange(c.k(), c.staleness());
      barrier = change.at();
      done.append(done.length() > 0 ? "; " : "")
          .append("k = ")
          .append(change.k())
          .append(", s = ")
          .append(change.staleness())
          .append(" from the end of iteration ")
          .append(barrier);
      log.get().info("schedule change requested: {}", done);
      next = admitOrFinish.get();
    }
    c.replyTo().tell(Messages.ControlReply.accepted(barrier, done.toString()));
    return next;
  }

  /** Why the change is refused; null when it is not. */
  private String validate(ChangeSchedule c, Phase phase) {
    if (phase == Phase.NOT_STARTED) {
      return "the run has not started";
    }
    if (phase == Phase.STOPPING) {
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
    if ((c.k().isPresent() || c.staleness().isPresent()) && admission.tooLateForChange()) {
      return "the run ends at iteration "
          + admission.lastIteration()
          + " before a new k or s could apply";
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

  Behavior<Coordinator.Command> averaging(ChangeAveraging c, Phase phase) {
    boolean g = c.model() == Player.GENERATOR;
    if (RuntimeLimits.AVERAGING_WEIGHT.violation("weight", c.weight()) != null) {
      c.replyTo()
          .tell(
              Messages.ControlReply.refused(
                  RuntimeLimits.AVERAGING_WEIGHT.violation("weight", c.weight())));
    } else if (RuntimeLimits.AVERAGING_START.violation("start", c.start()) != null) {
      c.replyTo()
          .tell(
              Messages.ControlReply.refused(
                  RuntimeLimits.AVERAGING_START.violation("start", c.start())));
    } else if (phase == Phase.STOPPING) {
      c.replyTo().tell(Messages.ControlReply.refused("the run is stopping"));
    } else {
      if (g) {
        generator.tell(new PlayerControl.SetAveraging(c.weight(), c.start()));
      } else {
        discriminator.tell(new PlayerControl.SetAveraging(c.weight(), c.start()));
      }
      c.replyTo()
          .tell(
              Messages.ControlReply.accepted(
                  -1, c.model().label() + " averaging applies from its next update"));
    }
    return Behaviors.same();
  }

  Behavior<Coordinator.Command> averagingApplied(Coordinator.AveragingApplied a) {
    log.get()
        .info(
            "{} historical averaging weight {} start {} from update {}",
            a.model().label(),
            a.weight(),
            a.start(),
            a.step());
    boolean g = a.model() == Player.GENERATOR;
    recorder.tell(
        new Recorder.Record(
            new Messages.ScheduleEvent(
                Messages.ScheduleEvent.Change.averaging(a.model()),
                g ? a.step() : -1,
                g ? -1 : a.step(),
                admission.schedule().k(),
                admission.schedule().staleness(),
                a.weight(),
                a.start(),
                System.currentTimeMillis())));
    return Behaviors.same();
  }

  Behavior<Coordinator.Command> learningRateApplied(Coordinator.LearningRateApplied a) {
    log.get().info("{} learning rate {} from update {}", a.model().label(), a.lr(), a.step());
    boolean g = a.model() == Player.GENERATOR;
    recorder.tell(
        new Recorder.Record(
            new Messages.ScheduleEvent(
                Messages.ScheduleEvent.Change.learningRate(a.model()),
                g ? a.step() : -1,
                g ? -1 : a.step(),
                admission.schedule().k(),
                admission.schedule().staleness(),
                a.lr(),
                -1,
                System.currentTimeMillis())));
    return Behaviors.same();
  }

  Behavior<Coordinator.Command> checkpointNow(CheckpointNow c, Phase phase) {
    if (!capture.enabled()) {
      c.replyTo().tell(Messages.ControlReply.refused("this run does not checkpoint"));
    } else if (phase == Phase.NOT_STARTED) {
      c.replyTo().tell(Messages.ControlReply.refused("the run has not started"));
    } else if (phase == Phase.STOPPING) {
      c.replyTo()
          .tell(
              Messages.ControlReply.refused("the run is stopping (it writes a final checkpoint)"));
    } else {
      capture.addWaiter(c.replyTo());
      if (!capture.capturing()) {
        return checkpointSoon.get();
      }
    }
    return Behaviors.same();
  }

  Behavior<Coordinator.Command> pause(Pause p, Phase phase) {
    if (phase != Phase.RUNNING) {
      p.replyTo().tell(Messages.ControlReply.refused("the run is not running"));
      return Behaviors.same();
    }
    boolean first = admission.pausedAt().isEmpty();
    long pausedAt = admission.pause();
    if (first) {
      recorder.tell(
          new Recorder.Record(
              new Messages.EngineEvent(
                  EventKind.PAUSE, pausedAt, -1, "", 0, 0, System.currentTimeMillis())));
      log.get().info("pausing at the end of iteration {}", pausedAt);
    }
    p.replyTo()
        .tell(
            Messages.ControlReply.accepted(pausedAt, "paused at the end of iteration " + pausedAt));
    return Behaviors.same();
  }

  Behavior<Coordinator.Command> resume(Resume r) {
    if (admission.pausedAt().isEmpty()) {
      r.replyTo().tell(Messages.ControlReply.refused("the run is not paused"));
      return Behaviors.same();
    }
    admission.resume();
    long gDone = admission.gDone();
    long dDone = admission.dDone();
    recorder.tell(
        new Recorder.Record(
            new Messages.EngineEvent(
                EventKind.RESUME, gDone, dDone, "", 0, 0, System.currentTimeMillis())));
    log.get().info("resuming after iteration {}", gDone);
    r.replyTo().tell(Messages.ControlReply.accepted(gDone, "resumed after iteration " + gDone));
    return admitOrFinish.get();
  }
}
