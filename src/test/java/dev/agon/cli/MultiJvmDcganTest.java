package dev.agon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, "Must show: ring and a small DCGAN": three JVMs on loopback (coordinator with
 * data-loader and evaluator, generator, discriminator; image batches, fakes, snapshots and states
 * over Aeron IPC) train the DCGAN experiment bit for bit like one {@code agon train} JVM with the
 * same seed: every file of the final checkpoint and every loss of {@code metrics.jsonl}. The DCGAN
 * is {@code config/fashion-mnist-dcgan.conf} made small (width 8, latent 16, batch 8) so that 300
 * synchronous iterations take about 20 s in one JVM on 2 cores; the layers (transposed
 * convolutions, batch norm) and the 28x28 images are the real ones. A checkpoint every 100 updates
 * makes both players' states cross the transport.
 */
class MultiJvmDcganTest {
  static final long ITERATIONS = 300;
  static final String CONFIG = "config/fashion-mnist-dcgan.conf";

  /** The small DCGAN: the overrides of both deployments. */
  static final List<String> SMALL =
      List.of(
          "schedule.iterations=" + ITERATIONS,
          "schedule.batch-size=8",
          "model.latent-dim=16",
          "model.dcgan.width=8",
          "eval.every-steps=0",
          "eval.samples=100",
          "eval.plots=false",
          "checkpoint.every-steps=100",
          "metrics.enabled=false");

  @TempDir Path dir;
  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void stopAll() throws InterruptedException {
    for (Process p : started) {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void threeJvmsTrainTheSmallDcganBitForBitLikeOneJvm() throws Exception {
    Path one = dir.resolve("one");
    TrainProcess plain = TrainProcess.start(one, "one", CONFIG, List.of(), SMALL);
    started.add(plain.process);
    Path multi = dir.resolve("multi");
    int port = MultiJvmBitIdentityTest.freePort();
    String seed = "127.0.0.1:" + port;
    List<String> sets = new ArrayList<>();
    SMALL.forEach(s -> sets.addAll(List.of("--set", s)));
    Process coordinator =
        node(
            "coordinator",
            sets,
            "--role",
            "coordinator,data-loader,evaluator",
            "--port",
            Integer.toString(port),
            "--seed",
            seed,
            "--run",
            multi.toString());
    node("generator", sets, "--role", "generator", "--seed", seed);
    node("discriminator", sets, "--role", "discriminator", "--seed", seed);

    assertThat(plain.waitFor(300)).as(plain.diagnosis()).isZero();
    assertThat(coordinator.waitFor(300, TimeUnit.SECONDS)).as(log("coordinator")).isTrue();
    assertThat(coordinator.exitValue()).as(log("coordinator")).isZero();
    assertThat(log("coordinator"))
        .contains("finished after " + ITERATIONS + " G updates")
        .containsPattern("the Generator runs on node pekko://agon@127\\.0\\.0\\.1:\\d+")
        .containsPattern("the Discriminator runs on node pekko://agon@127\\.0\\.0\\.1:\\d+");
    MultiJvmBitIdentityTest.assertSameRun(one, multi, ITERATIONS);
  }

  private Process node(String tag, List<String> sets, String... args) throws Exception {
    return MultiJvmBitIdentityTest.node(dir, started, CONFIG, tag, sets, args);
  }

  private String log(String tag) throws Exception {
    return Files.readString(dir.resolve(tag + ".out"))
        + Files.readString(dir.resolve(tag + ".err"));
  }
}
