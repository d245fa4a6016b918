package dev.agon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.checkpoint.CheckpointStore;
import dev.agon.config.ConfigLoader;
import dev.agon.engine.TrainRun;
import dev.agon.tensor.Tensors;
import dev.agon.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault injection: the training JVM is killed with SIGKILL at 20 seeded random moments (during
 * start-up, training and checkpoint writes, which a write delay makes long) and restarted each
 * time. Every restart must resume from the newest complete checkpoint, which must verify; no kill
 * may lose more than one checkpoint interval beyond the one being written; a corrupted newest
 * checkpoint is skipped with a warning; and the run, finished after all that, must be bit-identical
 * to one that was never interrupted (staleness 0).
 */
@Tag("slow")
class KillResumeFaultTest {
  @TempDir Path tmp;

  static final long INTERVAL = 25;

  /** Far more than 20 kills let the run reach, so that no process finishes before its kill. */
  static final long ITERATIONS = 100_000_000;

  /** Updates the last, uninterrupted process trains beyond the newest checkpoint. */
  static final long TAIL = 100;

  static final List<String> RUN =
      List.of(
          "schedule.batch-size=64",
          "model.latent-dim=16",
          "model.generator.hidden=[32,32]",
          "model.discriminator.hidden=[32,32]",
          "stabilizers.generator-ema.enabled=true",
          "eval.every-steps=0",
          "eval.plots=false",
          "checkpoint.keep-last=3",
          "checkpoint.every-steps=" + INTERVAL,
          "metrics.enabled=false");

  /** {@link #RUN} trained to {@code iterations} G updates. */
  static List<String> run(long iterations) {
    List<String> o = new ArrayList<>(RUN);
    o.add("schedule.iterations=" + iterations);
    return o;
  }

  @Test
  void killedAtRandomMomentsItAlwaysResumesFromAValidCheckpoint() throws Exception {
    Path run = tmp.resolve("run");
    Random rnd = new Random(20261126L);
    int killsDuringWrite = 0;
    int resumes = 0;
    List<String> report = new ArrayList<>();
    long startup = 0;
    for (int i = 0; i < 20; i++) {
      Optional<Path> before = CheckpointStore.latest(run);
      TrainProcess p =
          TrainProcess.start(
              run,
              "kill" + i,
              List.of("-Dagon.faults.checkpoint-write-delay-ms=40"),
              run(ITERATIONS));
      // Even kills fall at a moment drawn from start-up to a few seconds past the first
      // checkpoint, as long as that takes here: the first process measures it (13 s on a loaded
      // 2-core machine). Odd kills fall within 3 s after the process has resumed, so that half of
      // them hit training and checkpoint writes however slow start-up is (under load, moments
      // drawn from start-up alone mostly hit start-up again).
      if (i == 0) {
        startup = awaitFirstCheckpoint(run, p);
      } else {
        long delayMs = 200 + rnd.nextInt((int) startup + 5000);
        try {
          if (i % 2 == 1) {
            awaitResumed(p, i);
            delayMs = rnd.nextInt(3000);
          }
          // The process must live until its kill moment: one that ends by itself is a defect.
          Await.holds(
              Duration.ofMillis(delayMs),
              p.process::isAlive,
              "kill " + i + ": the training process lives until its kill moment");
        } catch (AssertionError e) {
          throw new AssertionError(e.getMessage() + "\n" + p.diagnosis(), e);
        }
      }
      boolean writing = temporaryDirs(run) > 0;
      p.signal("KILL");
      int status = p.waitFor(30);
      assertThat(status).as("kill %d: exit status; %s", i, p.diagnosis()).isEqualTo(137);
      if (writing || temporaryDirs(run) > 0) {
        killsDuringWrite++;
      }
      String out = p.out();
      if (before.isPresent() && out.contains("agon: run ")) {
        if (out.lines().anyMatch(l -> l.startsWith("agon: resuming from"))) {
          assertThat(out).contains("agon: resuming from " + before.get());
          resumes++;
        }
      }
      Optional<CheckpointStore.Checkpoint> after = CheckpointStore.latestValid(run, w -> {});
      if (before.isPresent()) {
        // A kill never destroys the checkpoint a run could resume from.
        assertThat(after).isPresent();
        assertThat(after.get().step())
            .isGreaterThanOrEqualTo(Long.parseLong(before.get().getFileName().toString()));
      }
      long done = gStepsLogged(run);
      long kept = after.map(CheckpointStore.Checkpoint::step).orElse(0L);
      // Loses at most the interval in progress and the one being written.
      assertThat(kept)
          .as("kill %d: %d G updates logged", i, done)
          .isGreaterThanOrEqualTo(done / INTERVAL * INTERVAL - INTERVAL);
      report.add(i + ":" + done + "->" + kept + (writing ? "w" : ""));
    }
    System.out.println("kill -> resumable step: " + report);
    assertThat(resumes).as("restarts that resumed").isGreaterThanOrEqualTo(8);
    assertThat(killsDuringWrite).as("kills during a checkpoint write").isGreaterThanOrEqualTo(3);

    // A corrupted newest checkpoint is skipped with a warning; the run then finishes.
    Path newest = CheckpointStore.latest(run).orElseThrow();
    Path f = newest.resolve("discriminator.f32");
    byte[] b = Files.readAllBytes(f);
    b[b.length / 2] ^= 0x40;
    Files.write(f, b);
    // schedule.iterations may change on resume: it does not change what is computed.
    long end = CheckpointStore.latestValid(run, w -> {}).orElseThrow().step() + TAIL;
    TrainProcess last = TrainProcess.start(run, "last", List.of(), run(end));
    assertThat(last.waitFor(120)).as(last.err()).isZero();
    // The warning goes to the console logger (stdout under the test logback config).
    assertThat(last.out() + last.err()).contains("skipping checkpoint " + newest.getFileName());
    assertThat(last.out()).contains("finished after " + end + " G updates");

    // Bit-identical to a run that was never interrupted.
    Path whole = tmp.resolve("whole");
    TrainRun.start(
            ConfigLoader.load(Optional.of(Path.of("config/ring.conf")), run(end)),
            whole,
            null,
            false,
            false)
        .await();
    CheckpointStore.Checkpoint x = CheckpointStore.read(CheckpointStore.dirOf(whole, end));
    CheckpointStore.Checkpoint y = CheckpointStore.read(CheckpointStore.dirOf(run, end));
    assertThat(y.tensors().keySet()).isEqualTo(x.tensors().keySet());
    for (String name : x.tensors().keySet()) {
      assertThat(
              Arrays.equals(
                  Tensors.toDoubles(x.tensors().get(name)),
                  Tensors.toDoubles(y.tensors().get(name))))
          .as(name)
          .isTrue();
    }
  }

  /** Waits, up to three minutes, until process {@code i} says it resumed from a checkpoint. */
  private static void awaitResumed(TrainProcess p, int i) {
    Await.until(
        Duration.ofMinutes(3),
        Duration.ofMillis(20),
        () -> {
          assertThat(p.process.isAlive()).as("process %d is alive", i).isTrue();
          return p.out().contains("agon: resuming from");
        },
        "process " + i + " resumes");
  }

  /** Waits, up to three minutes, for the run's first checkpoint; the milliseconds it took. */
  private static long awaitFirstCheckpoint(Path run, TrainProcess p) {
    long t0 = System.nanoTime();
    Await.until(
        Duration.ofMinutes(3),
        Duration.ofMillis(20),
        () -> {
          assertThat(p.process.isAlive())
              .as("the training process is alive: %s", p.diagnosis())
              .isTrue();
          return CheckpointStore.latest(run).isPresent();
        },
        "the run's first checkpoint");
    return (System.nanoTime() - t0) / 1_000_000;
  }

  private static long temporaryDirs(Path run) throws Exception {
    Path root = run.resolve("checkpoints");
    if (!Files.isDirectory(root)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(p -> p.getFileName().toString().startsWith(".tmp-")).count();
    }
  }

  /** The highest G update in metrics.jsonl: a lower bound of the progress (it is buffered). */
  private static long gStepsLogged(Path run) throws Exception {
    Path m = run.resolve("metrics.jsonl");
    if (!Files.exists(m)) {
      return 0;
    }
    long max = 0;
    for (String line : Files.readAllLines(m)) {
      if (line.startsWith("{\"event\":\"g_step\",\"step\":")) {
        int from = "{\"event\":\"g_step\",\"step\":".length();
        int to = line.indexOf(',', from);
        if (to > from && line.endsWith("}")) {
          max = Math.max(max, Long.parseLong(line.substring(from, to)));
        }
      }
    }
    return max;
  }
}
