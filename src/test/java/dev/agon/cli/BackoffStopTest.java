package dev.agon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 follow-up: {@code agon ctl stop} while a one-JVM run waits out a restart's backoff (the
 * Generator crashed; the run is to start again from the newest checkpoint) ends the run at once as
 * a stop: exit 0, a stop message, no checkpoint written, and {@code --run DIR} then completes bit
 * for bit like an uninterrupted run. Meanwhile the status API says the run is restarting and the
 * other controls are answered at once (503) saying so. The backoff is made 10 minutes long, so that
 * waiting it out cannot pass for ending promptly.
 */
class BackoffStopTest {
  static final long ITERATIONS = 100;

  /** The Generator fails before this update, after the checkpoints of updates 25 and 50. */
  static final long FAILS_AT = 60;

  @TempDir Path dir;

  /** Processes this test started, killed should it fail (the backoff would hold one 10 min). */
  private final List<TrainProcess> started = new java.util.ArrayList<>();

  @AfterEach
  void killLeftovers() throws InterruptedException {
    for (TrainProcess p : started) {
      p.process.destroyForcibly();
      p.process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static List<String> sets() {
    List<String> o = KillResumeFaultTest.run(ITERATIONS);
    o.addAll(List.of("metrics.enabled=true", "metrics.port=0"));
    return o;
  }

  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void ctlStopDuringARestartBackoffEndsTheRunAsAStopAndItResumesBitForBit() throws Exception {
    Path one = dir.resolve("one");
    TrainProcess baseline = TrainProcess.start(one, "one", List.of(), sets());
    started.add(baseline);
    Path run = dir.resolve("run");
    TrainProcess p =
        TrainProcess.start(
            run,
            "1",
            List.of(
                "-Dagon.faults.generator-fails-at=" + FAILS_AT,
                "-Dagon.faults.restart-backoff-ms=600000"),
            sets());
    started.add(p);
    Path metrics = run.resolve("metrics.jsonl");
    // The restart event is written before the backoff's wait begins.
    Await.until(
        Duration.ofMinutes(4),
        () -> {
          try {
            return Files.exists(metrics)
                && Files.readString(metrics).contains("\"event\":\"restart\"");
          } catch (java.io.IOException e) {
            return false;
          }
        },
        "the injected failure's restart event");
    List<Path> kept = MultiJvmBitIdentityTest.checkpoints(run);
    assertThat(kept).isNotEmpty();

    // The backoff is observable: state restarting, not running (nothing trains) nor finishing.
    CliRunner ctlStatus = CliRunner.run("ctl", "status", "--run", run.toString());
    assertThat(ctlStatus.status()).as(ctlStatus.err()).isZero();
    assertThat(ctlStatus.out()).contains("restarting");
    // Other controls need a running Coordinator: answered at once (503, ctl exit 2), naming the
    // restart rather than Pekko's word on the failed system ("Recipient ... terminated").
    long asked = System.nanoTime();
    CliRunner checkpoint = CliRunner.run("ctl", "checkpoint", "--run", run.toString());
    assertThat(checkpoint.status()).as(checkpoint.out() + checkpoint.err()).isEqualTo(2);
    assertThat(checkpoint.out()).contains("restarting");
    assertThat(Duration.ofNanos(System.nanoTime() - asked)).isLessThan(Duration.ofSeconds(60));

    long sent = System.nanoTime();
    CliRunner stop = CliRunner.run("ctl", "stop", "--run", run.toString());
    assertThat(stop.status()).as(stop.out() + stop.err()).isZero();
    assertThat(stop.out()).contains("backoff", "newest checkpoint kept");
    // Well inside the 10-minute backoff: the stop ends the wait, not its deadline.
    int status = p.waitFor(90);
    assertThat(status).as(p.diagnosis()).isZero();
    assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofSeconds(90));
    assertThat(p.out()).contains("stopped", "is the last good state");
    assertThat(p.out() + p.err()).doesNotContain("gave up");
    assertThat(MultiJvmBitIdentityTest.checkpoints(run)).containsExactlyInAnyOrderElementsOf(kept);

    TrainProcess again = TrainProcess.start(run, "2", List.of(), sets());
    started.add(again);
    assertThat(again.waitFor(240)).as(again.diagnosis()).isZero();
    assertThat(again.out()).contains("resuming from", "finished after " + ITERATIONS);
    assertThat(baseline.waitFor(240)).as(baseline.diagnosis()).isZero();
    MultiJvmBitIdentityTest.assertSameRun(one, run, ITERATIONS);
  }
}
