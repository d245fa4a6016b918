package dev.agon.engine;

import dev.agon.checkpoint.BestCheckpoint;
import dev.agon.checkpoint.CheckpointException;
import dev.agon.checkpoint.CheckpointStore;
import dev.agon.config.AgonConfig;
import dev.agon.config.BestMetric;
import dev.agon.data.Mixture2d;
import dev.agon.eval.ModeMetrics;
import dev.agon.train.Factory;
import dev.agon.train.ImageScorer;
import dev.agon.train.ModeScorer;
import dev.agon.train.Scorer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The evaluation after training, on the caller's thread once the actor system has stopped: the
 * Evaluator's scorer on the final weights, recorded as the {@code eval} line with {@code final:
 * true} in metrics.jsonl, and offered as the best checkpoint. Costs one scoring (the 2-D mode
 * metrics, or the image metrics the config asks for with the classifier's features).
 */
final class FinalEvaluation {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(FinalEvaluation.class);

  private FinalEvaluation() {}

  /**
   * Scores finished run {@code f} in {@code runDir} and appends its record; returns the score's
   * mode metrics (null when there are none, or when evaluations produce nothing).
   */
  static ModeMetrics.Result score(AgonConfig c, Path runDir, Coordinator.Finished f)
      throws IOException {
    ModeMetrics.Result modes = null;
    boolean mixture = Factory.data(c) instanceof Mixture2d;
    if (scoresAtAll(c, mixture)) {
      // The Evaluator's scorer, on the weights sampling uses (the EMA when the run kept one).
      boolean ema = f.generatorEma() != null;
      // The JSD bound reads the final D.
      Scorer scorer = mixture ? new ModeScorer(c, runDir) : new ImageScorer(c, runDir);
      long t0 = System.nanoTime();
      Scorer.Score score =
          scorer.score(
              f.gSteps(),
              ema,
              ema ? f.generatorEma() : f.generatorParams(),
              f.discriminatorParams());
      modes = score.modes();
      Messages.EvalReport report =
          new Messages.EvalReport(
              f.gSteps(),
              f.gSteps(),
              ema,
              f.dSteps(),
              score,
              0,
              System.nanoTime() - t0,
              System.currentTimeMillis());
      MetricsLog.append(runDir.resolve("metrics.jsonl"), Recorder.evalLine(report, true));
      offerBest(c, runDir, f.gSteps(), score);
    }
    return modes;
  }

  /**
   * The final evaluation competes for the best checkpoint too (checkpoint.best-metric): it scores
   * the final checkpoint's weights, and the Checkpointer, stopped by now, never saw it.
   */
  private static void offerBest(AgonConfig c, Path runDir, long step, Scorer.Score score)
      throws IOException {
    BestMetric metric = c.checkpoint().bestMetric();
    if (metric == BestMetric.NONE) {
      return;
    }
    double v = EvaluationSchedule.bestMetricValue(metric, score).orElse(Double.NaN);
    offerBest(metric, c.checkpoint().keepLast(), runDir, step, v);
  }

  /**
   * Makes checkpoint {@code step}, scored {@code value} by {@code metric}, the best when it beats
   * the one {@code best.json} names (or there is none, or that file cannot be read: a warning says
   * it is replaced), and deletes the old best's checkpoint unless it is among the {@code keepLast}
   * newest. Nothing happens for a non-finite value or a step with no checkpoint.
   */
  static void offerBest(BestMetric metric, int keepLast, Path runDir, long step, double value)
      throws IOException {
    if (!Double.isFinite(value) || !Files.isDirectory(CheckpointStore.dirOf(runDir, step))) {
      return;
    }
    BestCheckpoint current;
    try {
      current = BestCheckpoint.read(runDir).orElse(null);
    } catch (CheckpointException e) {
      LOG.warn("replacing {}", e.getMessage());
      current = null;
    }
    BestCheckpoint offered = new BestCheckpoint(step, metric.wire(), value);
    if (!offered.beats(current, metric.lessIsBetter())) {
      return;
    }
    offered.write(runDir);
    if (current == null || current.step() == step) {
      return;
    }
    // The old best was kept beyond keep-last only for being best; the stopped Checkpointer cannot
    // prune it now, so its retention rule is applied here: delete it unless it is among the
    // keep-last newest.
    Path old = CheckpointStore.dirOf(runDir, current.step());
    if (!CheckpointStore.list(runDir).stream().limit(keepLast).toList().contains(old)) {
      CheckpointStore.delete(old);
    }
  }

  /**
   * Whether evaluations produce anything: mode metrics, image metrics, sample plots or the
   * semi-supervised D's classifier accuracy.
   */
  static boolean scoresAtAll(AgonConfig c, boolean mixture) {
    return mixture
        || c.eval().plots()
        || (!c.eval().metrics().isEmpty() && ImageScorer.classifierDir(c).isPresent())
        || dev.agon.train.ClassifierProbe.unavailable(c).isEmpty();
  }
}
