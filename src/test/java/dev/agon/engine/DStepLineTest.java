package dev.agon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.agon.objective.DLoss;
import org.junit.jupiter.api.Test;

/** The {@code d_step} line of metrics.jsonl, with and without the semi-supervised loss terms. */
class DStepLineTest {
  private static Config line(DLoss loss) {
    return ConfigFactory.parseString(
        Recorder.dStep(new Messages.DStepReport(7, 6, 1, 3, loss, 0.0, 2.5, 1e-4, 1_000_000, 9)));
  }

  @Test
  void semiSupervisedStepsReportBothLossTerms() {
    Config l = line(new DLoss(1.75, 0.6, 0.3, 0.8, 0.5, 1.25));
    assertThat(l.getDouble("loss_d")).isEqualTo(1.75);
    assertThat(l.getDouble("loss_d_supervised")).isEqualTo(0.5);
    assertThat(l.getDouble("loss_d_unsupervised")).isEqualTo(1.25);
    assertThat(l.getLong("step")).isEqualTo(7);
  }

  @Test
  void otherObjectivesLinesHaveNoSuchKeys() {
    Config l = line(new DLoss(1.2, 0.6, 0.3, 0.8));
    assertThat(l.getDouble("loss_d")).isEqualTo(1.2);
    assertThat(l.hasPath("loss_d_supervised")).isFalse();
    assertThat(l.hasPath("loss_d_unsupervised")).isFalse();
    assertThat(l.root().keySet())
        .containsExactlyInAnyOrder(
            "event",
            "step",
            "g_version_used",
            "staleness",
            "real_batch",
            "loss_d",
            "penalty_d",
            "grad_norm",
            "lr",
            "d_accuracy",
            "d_real",
            "d_fake",
            "ms",
            "time_ms");
  }
}
