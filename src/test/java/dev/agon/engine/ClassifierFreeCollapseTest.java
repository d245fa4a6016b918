package dev.agon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.agon.config.AgonConfig;
import dev.agon.config.ConfigLoader;
import dev.agon.metrics.Meters;
import dev.agon.metrics.TrainingMetrics;
import dev.agon.testing.Await;
import dev.agon.train.ImageScorer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Issue 17, item 8: a totally collapsed generator on an image data set without a classifier (IDX
 * digits read through data.kind = idx, so no shipped classifier applies) must still raise the
 * collapse indicators: the Evaluator's report carries them into the metrics.jsonl eval line and the
 * Metrics actor into the Prometheus gauges the collapse alert reads. G with all-zero weights is
 * such a generator: every sample is the same grey image.
 */
class ClassifierFreeCollapseTest {
  /** The thresholds of AgonModeCoverageDropping's pixel-space branch (alerts/agon.rules.yml). */
  static final double ALERT_DUPLICATES = 0.5;

  static final double ALERT_DISTANCE = 0.25;

  static final Duration WAIT = Duration.ofSeconds(120);

  @Test
  void aConstantGeneratorOnDataWithoutAClassifierRaisesThePixelIndicators(@TempDir Path dir)
      throws Exception {
    AgonConfig c =
        ConfigLoader.load(
                Optional.of(Path.of("config", "fashion-mnist-dcgan.conf")),
                List.of(
                    "data.kind=idx",
                    "data.path=\"data/fashion-mnist\"",
                    "data.split=test",
                    "model.dcgan.width=8",
                    "eval.samples=200",
                    "eval.plots=false",
                    "eval.jsd=false"))
            .config();
    long params =
        dev.agon.train.GeneratorTrainer.create(c, new long[] {1, 28, 28}).network().numParams();
    ActorTestKit kit = ActorTestKit.create(TrainRun.pekkoConfig());
    try {
      TestProbe<Evaluator.Ready> ready = kit.createTestProbe();
      TestProbe<Messages.EvalReport> reports = kit.createTestProbe();
      ActorRef<Evaluator.Command> evaluator =
          kit.spawn(
              Evaluator.create(() -> ImageScorer.create(c, dir), ready.getRef(), reports.getRef()),
              "evaluator",
              DispatcherSelector.fromConfig(Coordinator.TENSOR_DISPATCHER));
      ready.expectMessageClass(Evaluator.Ready.class, WAIT);
      evaluator.tell(new Evaluator.Evaluate(1000, 1000, false, Nd4j.zeros(1, params), null, -1, 0));
      Messages.EvalReport report = reports.expectMessageClass(Messages.EvalReport.class, WAIT);
      assertThat(report.score().images()).as("no classifier for data.kind = idx").isNull();

      Config line = ConfigFactory.parseString(Recorder.eval(report));
      assertThat(line.hasPath("pixel_duplicate_ratio")).as("eval line %s", line).isTrue();
      assertThat(line.getDouble("pixel_duplicate_ratio")).isEqualTo(1.0);
      assertThat(line.getDouble("pixel_distance_ratio")).isEqualTo(0.0);

      TrainingMetrics sink = new TrainingMetrics("r", "e", "test", () -> 0);
      ActorRef<Metrics.Command> m =
          kit.spawn(Metrics.create(sink, new EngineSettings(1, 0, 10, 8, 2)));
      m.tell(new Metrics.Observe(report));
      Await.until(
          Duration.ofSeconds(10),
          () -> sink.evalValue(Meters.EVAL_STEP) == 1000,
          "the evaluation of step 1000 observed");
      String body = sink.scrape("text/plain").body();
      assertThat(gauge(body, "agon_eval_pixel_duplicate_ratio"))
          .isGreaterThanOrEqualTo(ALERT_DUPLICATES);
      assertThat(gauge(body, "agon_eval_pixel_distance_ratio")).isLessThanOrEqualTo(ALERT_DISTANCE);
    } finally {
      kit.shutdownTestKit();
    }
  }

  /** The value of the one series of {@code name} in a text-format scrape; NaN when absent. */
  static double gauge(String body, String name) {
    Matcher m = Pattern.compile("(?m)^" + name + "\\{[^}]*\\} (\\S+)$").matcher(body);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }
}
