package dev.agon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A semi-supervised run (objective.kind = semi-supervised, data.labels = N per class) trains D's
 * classifier on the labelled minibatch every real batch carries: every D update's supervised term
 * is the cross-entropy of an actual labelled batch, not the 0 of an update without one.
 */
class SemiSupervisedRunTest {
  @TempDir Path tmp;

  @Test
  void everyDUpdateTrainsOnTheLabelledMinibatch() throws Exception {
    Path data = tmp.resolve("data");
    LabelledRunTest.idx(data, 0);
    Path run = tmp.resolve("run");
    CliRunner r =
        CliRunner.train(
            run,
            null,
            "data.kind=idx",
            "data.path=\"" + data + "\"",
            "data.labels=2",
            "objective.kind=semi-supervised",
            "objective.classes=4",
            "model.architecture=mlp",
            "model.latent-dim=8",
            "model.generator.hidden=[16]",
            "model.discriminator.hidden=[16]",
            "schedule.batch-size=8",
            "schedule.iterations=3",
            "eval.every-steps=0",
            "eval.plots=false",
            "eval.samples=50",
            "metrics.enabled=false");
    assertThat(r.status()).as(r.err()).isZero();
    List<Config> dSteps =
        Files.readAllLines(run.resolve("metrics.jsonl")).stream()
            .map(ConfigFactory::parseString)
            .filter(l -> l.getString("event").equals("d_step"))
            .toList();
    assertThat(dSteps).hasSize(3);
    for (Config l : dSteps) {
      // Four classes, a D near its initialisation: the cross-entropy is near ln 4 = 1.39.
      assertThat(l.getDouble("loss_d_supervised")).isBetween(0.5, 5.0);
      assertThat(l.getDouble("loss_d"))
          .isEqualTo(l.getDouble("loss_d_supervised") + l.getDouble("loss_d_unsupervised"));
    }
  }
}
