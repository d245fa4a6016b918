package dev.agon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.checkpoint.CheckpointStore;
import dev.agon.config.ConfigLoader;
import dev.agon.tensor.Tensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An actor that fails is restarted, with the whole run, from the last good checkpoint: the run
 * continues, the restart is logged and counted, and the result is the uninterrupted run's; a
 * failure that repeats past guard.max-restarts ends the run with its cause.
 */
class SupervisionTest {
  @TempDir Path tmp;

  @AfterEach
  void clearFaults() {
    System.clearProperty("agon.faults.generator-fails-at");
    System.clearProperty("agon.faults.generator-fails-times");
  }

  private static TrainRun start(Path dir, String... extra) throws Exception {
    List<String> o =
        new ArrayList<>(
            List.of(
                "schedule.iterations=40",
                "schedule.batch-size=32",
                "model.latent-dim=8",
                "model.generator.hidden=[16,16]",
                "model.discriminator.hidden=[16,16]",
                "eval.every-steps=0",
                "eval.plots=false",
                "checkpoint.every-steps=10",
                "seed=9"));
    o.addAll(Arrays.asList(extra));
    return TrainRun.start(
        ConfigLoader.load(Optional.of(Path.of("config/ring.conf")), o), dir, null, false, false);
  }

  @Test
  void aFailedActorIsRestartedFromTheLastCheckpointAndTheRunIsUnchanged() throws Exception {
    System.setProperty("agon.faults.generator-fails-at", "25");
    TrainRun.Result r = start(tmp.resolve("faulty")).await();
    System.clearProperty("agon.faults.generator-fails-at");
    assertThat(r.finished().failure()).isNull();
    assertThat(r.finished().gSteps()).isEqualTo(40);
    String metrics = Files.readString(tmp.resolve("faulty/metrics.jsonl"));
    assertThat(metrics).contains("\"event\":\"restart\"").contains("injected fault");
    assertThat(metrics).contains("\"event\":\"resumed_from\"").contains("0000000020");
    // The updates 21-24 the failed system recorded are dropped with the restart, which redoes them.
    List<String> gSteps =
        metrics.lines().filter(l -> l.startsWith("{\"event\":\"g_step\",")).toList();
    assertThat(gSteps).hasSize(40);
    for (int i = 0; i < 40; i++) {
      assertThat(gSteps.get(i)).startsWith("{\"event\":\"g_step\",\"step\":" + (i + 1) + ",");
    }

    start(tmp.resolve("clean")).await();
    var x = CheckpointStore.read(CheckpointStore.dirOf(tmp.resolve("clean"), 40));
    var y = CheckpointStore.read(CheckpointStore.dirOf(tmp.resolve("faulty"), 40));
    for (String name : x.tensors().keySet()) {
      assertThat(
              Arrays.equals(
                  Tensors.toDoubles(x.tensors().get(name)),
                  Tensors.toDoubles(y.tensors().get(name))))
          .as(name)
          .isTrue();
    }
  }

  @Test
  void aRepeatedFailureEndsTheRunWithItsCause() throws Exception {
    System.setProperty("agon.faults.generator-fails-at", "15");
    System.setProperty("agon.faults.generator-fails-times", "100");
    TrainRun.Result r = start(tmp.resolve("hopeless"), "guard.max-restarts=1").await();
    assertThat(r.finished().failure()).contains("generator failed").contains("injected fault");
    assertThat(r.finished().diverged()).isFalse();
    assertThat(r.checkpoint()).isNull();
    // The last good state stays: the checkpoint before the failure.
    assertThat(CheckpointStore.latestValid(tmp.resolve("hopeless"), w -> {}).orElseThrow().step())
        .isEqualTo(10);
  }
}
