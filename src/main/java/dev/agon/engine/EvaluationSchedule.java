package dev.agon.engine;

import dev.agon.config.BestMetric;
import dev.agon.train.GeneratorWeights;
import dev.agon.train.Scorer;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.LongFunction;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * When the Coordinator asks for an evaluation: every {@code everySteps} G updates and/or {@code
 * everySeconds}, and only while the Evaluator holds a credit (one evaluation in flight; one that
 * falls due meanwhile waits for the next Ready, replacing and counting as skipped any that already
 * waited). The snapshot goes from G to the Evaluator through the Coordinator's adapter, never to a
 * queue. Runs on the Coordinator's thread; O(1) per G update.
 */
final class EvaluationSchedule {
  private final Coordinator.Evaluation evaluation;
  private final ActorRef<Evaluator.Command> evaluator;
  private final ActorRef<Generator.Command> generator;
  private final ActorRef<Recorder.Command> recorder;
  private final Optional<ActorRef<Checkpointer.Command>> checkpointer;
  private final Optional<BestMetric> best;
  private final LongFunction<ActorRef<Generator.EvaluationSnapshot>> snapshotTo;
  private final Evaluator.Credit credit = new Evaluator.Credit();
  private long lastNanos = System.nanoTime();

  /**
   * The evaluations of {@code parts} by {@code crew}'s Evaluator, whose snapshots come to the
   * Coordinator through adapters of {@code ctx}; empty when the run has no Evaluator.
   */
  static Optional<EvaluationSchedule> of(
      ActorContext<Coordinator.Command> ctx, Coordinator.Parts parts, Crew crew) {
    return crew.evaluator()
        .map(
            evaluator ->
                new EvaluationSchedule(
                    parts.evaluation(),
                    evaluator,
                    crew.generator(),
                    crew.recorder(),
                    crew.checkpointer(),
                    Optional.ofNullable(parts.checkpointing())
                        .map(Coordinator.Checkpointing::bestMetric),
                    // One adapter per class: each request replaces the last, with its count.
                    skipped ->
                        ctx.messageAdapter(
                            Generator.EvaluationSnapshot.class,
                            s -> new Coordinator.EvalSnapshot(s, skipped))));
  }

  /**
   * Reports are recorded, and their retention metric ({@code best}) told to the checkpointer;
   * {@code snapshotTo} gives the address G sends the snapshot to, carrying the number of
   * evaluations skipped before it.
   */
  EvaluationSchedule(
      Coordinator.Evaluation evaluation,
      ActorRef<Evaluator.Command> evaluator,
      ActorRef<Generator.Command> generator,
      ActorRef<Recorder.Command> recorder,
      Optional<ActorRef<Checkpointer.Command>> checkpointer,
      Optional<BestMetric> best,
      LongFunction<ActorRef<Generator.EvaluationSnapshot>> snapshotTo) {
    this.evaluation = evaluation;
    this.evaluator = evaluator;
    this.generator = generator;
    this.recorder = recorder;
    this.checkpointer = checkpointer;
    this.best = best;
    this.snapshotTo = snapshotTo;
  }

  /** An evaluation ended: record it; its retention metric, if any, goes to the checkpointer. */
  void done(Messages.EvalReport report) {
    recorder.tell(new Recorder.Record(report));
    if (checkpointer.isPresent() && best.isPresent() && best.get() != BestMetric.NONE) {
      // Told even without a value: the checkpointer holds checkpoints until evaluations pass them.
      double v = bestMetricValue(best.get(), report.score()).orElse(Double.NaN);
      checkpointer.get().tell(new Checkpointer.Metric(report.gVersion(), v));
    }
  }

  /** G updates between evaluations that fall due by steps (0: none). */
  long everySteps() {
    return evaluation.everySteps();
  }

  /** G has made update {@code gDone}: ask for a snapshot if an evaluation falls due and may run. */
  void afterGStep(long gDone) {
    boolean bySteps = evaluation.everySteps() > 0 && gDone % evaluation.everySteps() == 0;
    boolean byTime =
        evaluation.everySeconds() > 0
            && System.nanoTime() - lastNanos >= evaluation.everySeconds() * 1_000_000_000L;
    if ((bySteps || byTime) && credit.due()) {
      requestSnapshot();
    }
  }

  /**
   * The Evaluator is ready for more; {@code more}: whether the run still wants evaluations (not
   * when it is finishing).
   */
  void ready(boolean more) {
    if (credit.ready() && more) {
      requestSnapshot();
    }
  }

  // ---- The Coordinator's handlers, in every phase after Start: each goes on as it was.

  Behavior<Coordinator.Command> onDone(Coordinator.EvalDone d) {
    done(d.report());
    return Behaviors.same();
  }

  Behavior<Coordinator.Command> onSnapshot(Coordinator.EvalSnapshot e) {
    evaluate(e.snapshot(), e.skipped());
    return Behaviors.same();
  }

  /** The Evaluator is ready while updates are admitted: evaluations go on. */
  Behavior<Coordinator.Command> onReady(Coordinator.EvalReady r) {
    ready(true);
    return Behaviors.same();
  }

  /** The Evaluator is ready after the run has ended: no more evaluations. */
  Behavior<Coordinator.Command> onReadyAfterEnd(Coordinator.EvalReady r) {
    ready(false);
    return Behaviors.same();
  }

  /** No evaluation in flight: its report cannot come after the Recorder's flush. */
  boolean idle() {
    return credit.held();
  }

  private void requestSnapshot() {
    long skipped = credit.take();
    lastNanos = System.nanoTime();
    generator.tell(new Generator.GetEvaluationSnapshot(snapshotTo.apply(skipped)));
  }

  /** G's snapshot arrived: have the Evaluator score it. */
  void evaluate(Generator.EvaluationSnapshot snapshot, long skipped) {
    GeneratorWeights w = snapshot.weights();
    Messages.Snapshot d = snapshot.discriminator();
    evaluator.tell(
        new Evaluator.Evaluate(
            w.version(),
            w.version(),
            w.kind() == GeneratorWeights.Kind.EMA,
            w.params(),
            d == null ? null : d.params(),
            d == null ? -1 : d.version(),
            skipped));
  }

  /**
   * The retention metric's value in an evaluation; empty when the evaluation did not compute it (or
   * computed NaN).
   */
  static OptionalDouble bestMetricValue(BestMetric metric, Scorer.Score score) {
    var modes = score.modes();
    var images = score.images();
    switch (metric) {
      case MODES:
        return modes == null ? OptionalDouble.empty() : present(modes.modes());
      case HIGH_QUALITY:
        return modes == null ? OptionalDouble.empty() : present(modes.highQualityFraction());
      case REVERSE_KL:
        return modes == null ? OptionalDouble.empty() : present(modes.reverseKl());
      case IS:
        return images == null || images.inceptionScore() == null
            ? OptionalDouble.empty()
            : present(images.inceptionScore().mean());
      case FID:
        return images == null || images.fid() == null
            ? OptionalDouble.empty()
            : present(images.fid());
      default:
        return OptionalDouble.empty();
    }
  }

  private static OptionalDouble present(double v) {
    return Double.isNaN(v) ? OptionalDouble.empty() : OptionalDouble.of(v);
  }
}
