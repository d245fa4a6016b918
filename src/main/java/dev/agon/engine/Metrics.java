package dev.agon.engine;

import dev.agon.config.Player;
import dev.agon.engine.serialization.CborSerializable;
import dev.agon.eval.ImageMetrics;
import dev.agon.eval.ModeMetrics;
import dev.agon.metrics.Meters;
import dev.agon.metrics.TrainingMetrics;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Turns the step and evaluation reports the Recorder receives into meter values. It only writes
 * plain holders ({@link TrainingMetrics}); a scrape reads them on the HTTP server's threads, so
 * neither the training actors nor this actor ever wait for Prometheus. Spawned by the Recorder,
 * which forwards every report to it with one {@code tell}.
 */
public final class Metrics extends AbstractBehavior<Metrics.Command> {
  public sealed interface Command extends CborSerializable {}

  /** A report, as the Recorder got it. */
  public record Observe(Messages.Report report) implements Command {}

  /** The run is finishing: its last iteration is done and the Recorder flushes. */
  public record Finishing() implements Command {}

  private final TrainingMetrics sink;
  private final EngineSettings settings;
  private long lastDEndMillis = -1;

  public static Behavior<Command> create(TrainingMetrics sink, EngineSettings settings) {
    return Behaviors.setup(ctx -> new Metrics(ctx, sink, settings));
  }

  private Metrics(ActorContext<Command> ctx, TrainingMetrics sink, EngineSettings settings) {
    super(ctx);
    this.sink = sink;
    this.settings = settings;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Observe.class, this::onObserve)
        .onMessage(Finishing.class, this::onFinishing)
        .build();
  }

  /** Counts a tell to this actor; the matching decrement is in the handlers. */
  static void sent(TrainingMetrics sink) {
    sink.mailbox("metrics", 1);
  }

  private void handled() {
    sink.mailbox("metrics", -1);
    sink.actorMessage("metrics");
  }

  private Behavior<Command> onFinishing(Finishing f) {
    handled();
    if (sink.state() == Meters.STATE_RUNNING) {
      sink.state(Meters.STATE_FINISHING);
    }
    return this;
  }

  /**
   * Queue depth: batches the loader prepared beyond the one this update trained on. Wait: how long
   * after D finished its previous update its real batch became ready (capped by the update's start:
   * from then on D was computing) — time D spent starved for data, to millisecond resolution.
   */
  private void dataFlow(Messages.DStepReport d) {
    sink.dataConsumed(d.realIndex());
    long ready = sink.dataReadyMillis(d.realIndex());
    long start = d.endMillis() - d.nanos() / 1_000_000;
    if (ready >= 0 && lastDEndMillis >= 0) {
      long waited = Math.min(ready, start) - lastDEndMillis;
      if (waited > 0) {
        sink.dataWait(waited);
      }
    }
    lastDEndMillis = d.endMillis();
  }

  private Behavior<Command> onObserve(Observe o) {
    handled();
    sink.actorMessage("coordinator");
    int batch = settings.batchSize();
    if (o.report() instanceof Messages.DStepReport d) {
      sink.actorMessage(Player.DISCRIMINATOR.label());
      sink.actorMessage("data-loader");
      sink.step(
          Player.DISCRIMINATOR.label(),
          d.step(),
          d.loss().loss(),
          d.penalty(),
          d.nanos(),
          d.endMillis(),
          2L * batch,
          d.staleness());
      sink.discriminatorOutputs(d.loss().meanDReal(), d.loss().meanDFake());
      sink.discriminatorAccuracy(d.loss().accuracy());
      sink.infoLoss(Player.DISCRIMINATOR.label(), d.info());
      sink.gradientNorm(Player.DISCRIMINATOR.label(), d.gradNorm());
      sink.learningRate(Player.DISCRIMINATOR.label(), d.lr());
      dataFlow(d);
    } else if (o.report() instanceof Messages.GStepReport g) {
      sink.actorMessage(Player.GENERATOR.label());
      sink.gradientNorm(Player.GENERATOR.label(), g.gradNorm());
      sink.infoLoss(Player.GENERATOR.label(), g.info());
      sink.learningRate(Player.GENERATOR.label(), g.lr());
      sink.step(
          Player.GENERATOR.label(),
          g.step(),
          g.loss().loss(),
          g.penalty(),
          g.nanos(),
          g.endMillis(),
          batch,
          g.staleness());
    } else if (o.report() instanceof Messages.EvalReport e) {
      sink.actorMessage("evaluator");
      ModeMetrics.Result m = e.score().modes();
      if (m != null) {
        sink.evalValue(Meters.EVAL_MODES, m.modes());
        sink.evalValue(Meters.EVAL_MODES_TOTAL, m.totalModes());
        sink.evalValue(Meters.EVAL_HIGH_QUALITY, m.highQualityFraction());
        sink.evalValue(Meters.EVAL_REVERSE_KL, m.reverseKl());
      }
      ImageMetrics.Report r = e.score().images();
      if (r != null) {
        images(r);
      }
      if (e.score().jsd() != null) {
        sink.evalValue(Meters.EVAL_JSD_BOUND, e.score().jsd().jsdLowerBound());
      }
      if (e.score().classifierAccuracy() != null) {
        sink.evalValue(Meters.EVAL_CLASSIFIER_ACCURACY, e.score().classifierAccuracy());
      }
      if (e.score().pixels() != null) {
        sink.evalValue(Meters.EVAL_PIXEL_DUPLICATES, e.score().pixels().duplicateRatio());
        sink.evalValue(Meters.EVAL_PIXEL_DISTANCE, e.score().pixels().distanceRatio());
      }
      sink.evaluated(e.step(), e.endMillis(), e.nanos(), e.skipped());
    } else if (o.report() instanceof Messages.EngineEvent e) {
      if (e.event() == EventKind.CHECKPOINT) {
        sink.checkpointWritten(e.nanos(), e.timeMillis());
      }
    } else if (o.report() instanceof Messages.ScheduleEvent s) {
      if (s.change() == Messages.ScheduleEvent.Change.SCHEDULE) {
        sink.schedule(s.k(), s.staleness());
      } else if (s.change().isLearningRate()) {
        sink.learningRate(s.change().player().label(), s.value());
      }
    }
    return this;
  }

  /** The classifier metrics of an image evaluation; those not computed keep their last value. */
  private void images(ImageMetrics.Report r) {
    if (r.inceptionScore() != null) {
      sink.evalValue(Meters.EVAL_IS, r.inceptionScore().mean());
      sink.evalValue(Meters.EVAL_IS_STD, r.inceptionScore().std());
    }
    if (r.fid() != null) {
      sink.evalValue(Meters.EVAL_FID, r.fid());
    }
    if (r.kid() != null) {
      sink.evalValue(Meters.EVAL_KID, r.kid().mean());
    }
    if (r.precisionRecall() != null) {
      sink.evalValue(Meters.EVAL_PRECISION, r.precisionRecall().precision());
      sink.evalValue(Meters.EVAL_RECALL, r.precisionRecall().recall());
    }
    if (r.densityCoverage() != null) {
      sink.evalValue(Meters.EVAL_DENSITY, r.densityCoverage().density());
      sink.evalValue(Meters.EVAL_COVERAGE, r.densityCoverage().coverage());
    }
    if (r.classes() != null) {
      sink.evalValue(
          Meters.EVAL_CLASS_COVERAGE,
          (double) r.classes().classesPresent() / r.classes().numClasses());
    }
    if (r.duplicates() != null) {
      sink.evalValue(Meters.EVAL_DUPLICATES, r.duplicates().duplicateRatio());
    }
  }
}
