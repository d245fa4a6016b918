package dev.agon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.checkpoint.CheckpointStore;
import dev.agon.testing.Await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM and SIGINT stop a training process cleanly: the iteration in flight finishes, the final
 * checkpoint is written and verifies, metrics are flushed and the exit status is 0; a second signal
 * exits at once with 128 + the signal number.
 */
@Tag("slow")
class SignalShutdownTest {
  @TempDir Path tmp;

  static final List<String> RUN =
      List.of(
          "schedule.iterations=1000000",
          "schedule.batch-size=64",
          "model.latent-dim=16",
          "model.generator.hidden=[32,32]",
          "model.discriminator.hidden=[32,32]",
          "eval.every-steps=0",
          "eval.plots=false",
          "checkpoint.every-steps=50");

  @Test
  void sigtermFinishesTheIterationWritesACheckpointAndExitsZero() throws Exception {
    Path run = tmp.resolve("term");
    TrainProcess p = TrainProcess.start(run, "1", List.of(), RUN);
    awaitCheckpoint(run, p);
    p.signal("TERM");
    int status = p.waitFor(60);
    assertThat(status).as(p.err()).isZero();
    assertThat(p.out()).contains("stopped (SIGTERM) after");
    Path last = CheckpointStore.latest(run).orElseThrow();
    CheckpointStore.Checkpoint c = CheckpointStore.read(last);
    assertThat(p.out()).contains("after " + c.step() + " G updates");
    assertThat(java.nio.file.Files.readString(run.resolve("metrics.jsonl")))
        .contains("\"event\":\"checkpoint\"");
    // The stopped run resumes.
    TrainProcess again = TrainProcess.start(run, "2", List.of(), RUN);
    awaitCheckpointAfter(run, again, c.step());
    again.signal("INT");
    assertThat(again.waitFor(60)).as(again.err()).isZero();
    assertThat(again.out()).contains("resuming from").contains("stopped (SIGINT)");
  }

  @Test
  void secondSignalExitsAtOnce() throws Exception {
    Path run = tmp.resolve("twice");
    // A slow final write, so that the second signal arrives while it runs.
    TrainProcess p =
        TrainProcess.start(run, "1", List.of("-Dagon.faults.checkpoint-write-delay-ms=3000"), RUN);
    awaitCheckpoint(run, p);
    p.signal("INT");
    // The handler took the first signal (the final write, 3 s, is then under way or next).
    Await.until(
        Duration.ofSeconds(30),
        () -> stderr(p).contains("SIGINT: finishing the current iteration"),
        "the first SIGINT taken");
    p.signal("INT");
    assertThat(p.waitFor(60)).isEqualTo(130);
    assertThat(p.err()).contains("again: exiting without a checkpoint");
  }

  static void awaitCheckpoint(Path run, TrainProcess p) throws Exception {
    awaitCheckpointAfter(run, p, -1);
  }

  static void awaitCheckpointAfter(Path run, TrainProcess p, long step) throws Exception {
    Await.until(
        Duration.ofSeconds(60),
        () -> {
          if (!p.process.isAlive()) {
            throw new AssertionError("process ended: " + stderr(p));
          }
          return latestStep(run) > step;
        },
        "a checkpoint after G update " + step + " in " + run);
  }

  private static long latestStep(Path run) {
    try {
      return CheckpointStore.latest(run)
          .map(d -> Long.parseLong(d.getFileName().toString()))
          .orElse(-1L);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String stderr(TrainProcess p) {
    try {
      return p.err();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
