package dev.agon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.agon.checkpoint.CheckpointStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The divergence guard: a non-finite loss or parameter (here from an absurd SGD learning rate)
 * rolls the run back to the last good state with both learning rates scaled, counts the event and
 * goes on; past guard.max-rollbacks the run gives up with exit status 3 and a clear message,
 * leaving the last good checkpoint in place.
 */
class DivergenceGuardTest {
  @TempDir Path tmp;

  private CliRunner train(Path run, String... sets) {
    List<String> all =
        new ArrayList<>(
            List.of(
                "schedule.iterations=40",
                "schedule.batch-size=32",
                "eval.every-steps=0",
                "eval.samples=100",
                "checkpoint.every-steps=10",
                "optim.discriminator={type=sgd, lr=1e30}",
                "model.discriminator.activation=leaky-relu"));
    all.addAll(List.of(sets));
    return CliRunner.train(run, "config/ring.conf", all.toArray(String[]::new));
  }

  private static List<Config> events(Path run, String name) throws Exception {
    return Files.readAllLines(run.resolve("metrics.jsonl")).stream()
        .map(ConfigFactory::parseString)
        .filter(e -> e.getString("event").equals(name))
        .toList();
  }

  @Test
  void divergenceRollsBackWithAScaledLearningRateAndTheRunContinues() throws Exception {
    Path run = tmp.resolve("recovers");
    CliRunner r = train(run, "guard.lr-scale=1e-32", "guard.max-rollbacks=1");
    assertThat(r.status()).as(r.err()).isZero();
    assertThat(r.out()).contains("finished after 40 G updates");
    List<Config> rollbacks = events(run, "rollback");
    assertThat(rollbacks).hasSize(1);
    assertThat(rollbacks.get(0).getString("detail"))
        .containsPattern("(generator|discriminator) update \\d+: (loss is|parameters are not)");
    var last = CheckpointStore.read(CheckpointStore.latest(run).orElseThrow());
    assertThat(Double.parseDouble(last.engine().get("discriminator.lr")))
        .isCloseTo(1e-2, org.assertj.core.api.Assertions.within(1e-6));
    assertThat(last.engine().get("guard.rollbacks")).isEqualTo("1");
    for (var t : last.tensors().values()) {
      assertThat(Arrays.stream(dev.agon.tensor.Tensors.toDoubles(t)).allMatch(Double::isFinite))
          .isTrue();
    }
  }

  @Test
  void afterMaxRollbacksTheRunGivesUpWithStatusThree() throws Exception {
    Path run = tmp.resolve("gives-up");
    CliRunner r = train(run, "guard.lr-scale=0.5", "guard.max-rollbacks=2");
    assertThat(r.status()).as(r.out() + r.err()).isEqualTo(Main.EXIT_GAVE_UP);
    assertThat(r.err())
        .contains("error: the run gave up")
        .containsPattern("loss is (NaN|-?Infinity)|parameters are not finite")
        .doesNotContain("Exception");
    assertThat(events(run, "rollback")).hasSize(3);
  }
}
