package dev.agon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.agon.metrics.Meters;
import dev.agon.metrics.TrainingMetrics;
import dev.agon.testing.Await;
import dev.agon.train.Scorer;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;

/**
 * The eval line of metrics.jsonl and the {@code agon_eval_classifier_accuracy} gauge carry D's
 * classifier accuracy where the scorer measured it.
 */
class ClassifierAccuracyLineTest {
  private static Messages.EvalReport report(long step, Scorer.Score score) {
    return new Messages.EvalReport(step, step, false, step - 1, score, 0, 1_000_000, 9);
  }

  private static Config line(Scorer.Score score) {
    return ConfigFactory.parseString(Recorder.eval(report(500, score)));
  }

  @Test
  void theGaugeTakesTheAccuracyAndKeepsItThroughEvaluationsWithout() {
    ActorTestKit kit = ActorTestKit.create(TrainRun.pekkoConfig());
    try {
      TrainingMetrics sink = new TrainingMetrics("r", "e", "test", () -> 0);
      assertThat(Meters.EVAL_CLASSIFIER_ACCURACY.prometheusName())
          .isEqualTo("agon_eval_classifier_accuracy");
      assertThat(sink.evalValue(Meters.EVAL_CLASSIFIER_ACCURACY)).isNaN();
      ActorRef<Metrics.Command> m =
          kit.spawn(Metrics.create(sink, new EngineSettings(1, 0, 10, 8, 2)));
      m.tell(
          new Metrics.Observe(
              report(500, new Scorer.Score(64, null, null, null, null, null, 0.75))));
      m.tell(new Metrics.Observe(report(1000, new Scorer.Score(64, null, null, null, null, null))));
      Await.until(
          Duration.ofSeconds(5),
          () -> sink.evalValue(Meters.EVAL_STEP) == 1000,
          "the evaluation of step 1000 observed");
      assertThat(sink.evalValue(Meters.EVAL_CLASSIFIER_ACCURACY)).isEqualTo(0.75);
    } finally {
      kit.shutdownTestKit();
    }
  }

  @Test
  void semiSupervisedEvaluationsReportTheAccuracyAndTheDVersion() {
    Config l = line(new Scorer.Score(64, null, null, null, null, null, 0.8125));
    assertThat(l.getDouble("classifier_accuracy")).isEqualTo(0.8125);
    assertThat(l.getLong("classifier_d_version")).isEqualTo(499);
  }

  @Test
  void otherEvaluationsHaveNoSuchKeys() {
    Config l = line(new Scorer.Score(64, null, null, null, null, null));
    assertThat(l.hasPath("classifier_accuracy")).isFalse();
    assertThat(l.hasPath("classifier_d_version")).isFalse();
  }
}
