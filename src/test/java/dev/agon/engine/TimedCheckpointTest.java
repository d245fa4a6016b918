package dev.agon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.checkpoint.CheckpointStore;
import dev.agon.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** checkpoint.every-seconds: checkpoints fall due by time too, at iteration ends, all verified. */
class TimedCheckpointTest {
  @TempDir Path run;

  @Test
  void checkpointsFallDueByTime() throws Exception {
    TrainRun.Result r =
        TrainRun.start(
                ConfigLoader.load(
                    Optional.of(Path.of("config/ring.conf")),
                    List.of(
                        "schedule.iterations=1500",
                        "schedule.k=2",
                        "schedule.batch-size=64",
                        "model.latent-dim=16",
                        "model.generator.hidden=[32,32]",
                        "model.discriminator.hidden=[32,32]",
                        "eval.every-steps=0",
                        "eval.plots=false",
                        "checkpoint.every-steps=0",
                        "checkpoint.every-seconds=1",
                        "checkpoint.keep-last=100")),
                run,
                null,
                false,
                false)
            .await();
    List<Path> all = CheckpointStore.list(run);
    assertThat(all).hasSizeGreaterThanOrEqualTo(2); // at least one by time, and the final one
    for (Path p : all) {
      var c = CheckpointStore.read(p);
      assertThat(c.engine().get("engine.d_done")).isEqualTo(Long.toString(2 * c.step()));
    }
    assertThat(all.get(0)).isEqualTo(r.checkpoint());
    assertThat(Files.readString(run.resolve("metrics.jsonl"))).contains("\"event\":\"checkpoint\"");
  }
}
