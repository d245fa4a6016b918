package dev.agon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.eval.CollapseIndicators;
import dev.agon.eval.DensityCoverage;
import dev.agon.eval.ImageMetrics;
import dev.agon.eval.InceptionScore;
import dev.agon.eval.JsdBound;
import dev.agon.eval.PrecisionRecall;
import dev.agon.metrics.Meters;
import dev.agon.metrics.TrainingMetrics;
import dev.agon.testing.Await;
import dev.agon.train.Scorer;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Metrics actor turns an image evaluation into the evaluation gauges, the best IS kept. */
class MetricsActorTest {
  static ActorTestKit kit;

  @BeforeAll
  static void start() {
    kit = ActorTestKit.create(TrainRun.pekkoConfig());
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  private static Messages.EvalReport report(long step, double is, Double fid, JsdBound.Result jsd) {
    ImageMetrics.Report r =
        new ImageMetrics.Report(
            100,
            1000,
            new InceptionScore.Result(is, 0.25, new double[] {is}, 100),
            fid,
            null,
            new PrecisionRecall.Result(0.6, 0.4, 3),
            new DensityCoverage.Result(0.9, 0.3, 5),
            new CollapseIndicators.ClassResult(7, 10, 0.2, 1.9, new int[10]),
            null,
            Map.of());
    return new Messages.EvalReport(
        step,
        step,
        false,
        -1,
        new Scorer.Score(100, null, null, r, jsd, null),
        0,
        1_000_000,
        1_000);
  }

  @Test
  void imageEvaluationsSetTheirGaugesAndTheBestIsIsKept() throws InterruptedException {
    TrainingMetrics sink = new TrainingMetrics("r", "e", "test", () -> 0);
    ActorRef<Metrics.Command> m =
        kit.spawn(Metrics.create(sink, new EngineSettings(1, 0, 10, 8, 2)));
    m.tell(new Metrics.Observe(report(500, 4.0, 120.0, new JsdBound.Result(-0.9, 0.24, 100, 100))));
    m.tell(new Metrics.Observe(report(1000, 3.5, null, null)));
    Await.until(
        Duration.ofSeconds(5),
        () -> sink.evalValue(Meters.EVAL_STEP) == 1000,
        "the evaluation of step 1000 observed");
    assertThat(sink.evalValue(Meters.EVAL_IS)).isEqualTo(3.5);
    assertThat(sink.evalValue(Meters.EVAL_IS_BEST)).isEqualTo(4.0);
    assertThat(sink.evalValue(Meters.EVAL_IS_STD)).isEqualTo(0.25);
    // FID not computed at step 1000: the gauge keeps the last value
    assertThat(sink.evalValue(Meters.EVAL_FID)).isEqualTo(120.0);
    assertThat(sink.evalValue(Meters.EVAL_PRECISION)).isEqualTo(0.6);
    assertThat(sink.evalValue(Meters.EVAL_RECALL)).isEqualTo(0.4);
    assertThat(sink.evalValue(Meters.EVAL_DENSITY)).isEqualTo(0.9);
    assertThat(sink.evalValue(Meters.EVAL_COVERAGE)).isEqualTo(0.3);
    assertThat(sink.evalValue(Meters.EVAL_CLASS_COVERAGE)).isEqualTo(0.7);
    assertThat(sink.evalValue(Meters.EVAL_KID)).isNaN();
    assertThat(sink.evalValue(Meters.EVAL_JSD_BOUND)).isEqualTo(0.24); // kept, as FID
  }
}
