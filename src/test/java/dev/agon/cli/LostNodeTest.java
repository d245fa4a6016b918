package dev.agon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.testing.Await;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, item 4: a node that dies is a pause of the run, not a failure. Three JVMs on loopback
 * (coordinator with data-loader and evaluator, generator, discriminator) train {@link #ITERATIONS}
 * updates with {@code guard.max-restarts = 0}; a node is killed (SIGKILL) once the first checkpoint
 * is written, a replacement joins, and the run completes bit for bit like an uninterrupted one-JVM
 * run (final checkpoint files and every loss line).
 */
class LostNodeTest {
  static final long ITERATIONS = 100;

  private static List<String> sets() {
    List<String> o = KillResumeFaultTest.run(ITERATIONS);
    o.add("guard.max-restarts=0");
    return o;
  }

  @TempDir static Path shared;

  /** The uninterrupted one-JVM run, trained once (in parallel with the first test). */
  private static TrainProcess baseline;

  private static synchronized Path baseline() throws IOException {
    Path one = shared.resolve("one");
    if (baseline == null) {
      baseline = TrainProcess.start(one, "one", List.of(), sets());
    }
    return one;
  }

  private Path dir;
  private final List<Process> started = new ArrayList<>();

  /** Settings a test adds to every node's (the same on each: one config hash). */
  private final List<String> extra = new ArrayList<>();

  @BeforeEach
  void ownDirectory() throws IOException {
    dir = Files.createTempDirectory(shared, "test-");
  }

  @AfterEach
  void stopAll() throws InterruptedException {
    for (Process p : started) {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /**
   * The discriminator node dies: the coordinator pauses (no restart is counted, so max-restarts 0
   * does not end the run), says which role is gone, and resumes from the newest checkpoint when a
   * new discriminator node joins.
   */
  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void killedDiscriminatorNodePausesTheRunWhichResumesBitForBitWhenANewOneJoins() throws Exception {
    Path one = baseline();
    Path multi = dir.resolve("multi");
    String seed = "127.0.0.1:" + MultiJvmBitIdentityTest.freePort();
    Process coordinator = coordinator("coordinator", seed, multi);
    node("generator", "--role", "generator", "--seed", seed);
    Process discriminator = node("discriminator", "--role", "discriminator", "--seed", seed);

    awaitFirstCheckpoint(multi);
    discriminator.destroyForcibly(); // SIGKILL: no goodbye to the cluster
    Await.until(
        Duration.ofSeconds(60),
        () -> read("coordinator").contains("paused: role discriminator is gone"),
        "the coordinator pauses the run, naming the role gone");
    node("discriminator-2", "--role", "discriminator", "--seed", seed);

    assertThat(coordinator.waitFor(240, TimeUnit.SECONDS)).as(read("coordinator")).isTrue();
    assertThat(coordinator.exitValue()).as(read("coordinator")).isZero();
    assertThat(read("coordinator"))
        .contains(
            "finished after " + ITERATIONS + " G updates", "resumed: role discriminator is back")
        .doesNotContain("restart 1 of 0", "giving up");
    String metrics = Files.readString(multi.resolve("metrics.jsonl"));
    assertThat(metrics).contains("\"event\":\"node_lost\"", "\"event\":\"node_back\"");
    assertThat(metrics).doesNotContain("\"event\":\"restart\"");
    assertThat(baseline.waitFor(240)).as(baseline.diagnosis()).isZero();
    MultiJvmBitIdentityTest.assertSameRun(one, multi, ITERATIONS);
  }

  /**
   * The coordinator node dies: the worker nodes notice within a bounded time and exit 1 (what
   * systemd's Restart=on-failure and compose's restart policy restart); a coordinator started again
   * with the same --run and new workers complete the run bit for bit.
   */
  @Test
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void killedCoordinatorNodeRestartedWithItsRunCompletesBitForBit() throws Exception {
    Path one = baseline();
    Path multi = dir.resolve("multi");
    int port = MultiJvmBitIdentityTest.freePort();
    String seed = "127.0.0.1:" + port;
    Process coordinator = coordinator("coordinator", seed, multi);
    Process generator = node("generator", "--role", "generator", "--seed", seed);
    Process discriminator = node("discriminator", "--role", "discriminator", "--seed", seed);

    awaitFirstCheckpoint(multi);
    coordinator.destroyForcibly();
    // The workers notice within the failure detector's pause plus a margin, and exit 1.
    assertThat(generator.waitFor(60, TimeUnit.SECONDS)).as(read("generator")).isTrue();
    assertThat(discriminator.waitFor(60, TimeUnit.SECONDS)).as(read("discriminator")).isTrue();
    assertThat(generator.exitValue()).as(read("generator")).isEqualTo(1);
    assertThat(discriminator.exitValue()).as(read("discriminator")).isEqualTo(1);
    assertThat(read("generator")).contains("is gone; start this node again to rejoin");

    Process again = coordinator("coordinator-2", seed, multi);
    node("generator-2", "--role", "generator", "--seed", seed);
    node("discriminator-2", "--role", "discriminator", "--seed", seed);
    assertThat(again.waitFor(240, TimeUnit.SECONDS)).as(read("coordinator-2")).isTrue();
    assertThat(again.exitValue()).as(read("coordinator-2")).isZero();
    assertThat(read("coordinator-2")).contains("finished after " + ITERATIONS + " G updates");
    assertThat(baseline.waitFor(240)).as(baseline.diagnosis()).isZero();
    MultiJvmBitIdentityTest.assertSameRun(one, multi, ITERATIONS);
  }

  /**
   * {@code agon ctl stop} while the run waits for a lost discriminator node: the stop is honoured
   * at once (the wait ends; no replacement is needed), the coordinator ends as a stopped run does
   * (exit 0, not "gave up"), its checkpoints stay as they were, and a coordinator started again
   * with the same --run and new nodes completes the run bit for bit.
   */
  @Test
  @Timeout(value = 7, unit = TimeUnit.MINUTES)
  void ctlStopWhileWaitingForALostRoleEndsTheRunLikeAStopAndItResumesBitForBit() throws Exception {
    extra.addAll(List.of("metrics.enabled=true", "metrics.port=0"));
    Path one = baseline();
    Path multi = dir.resolve("multi");
    String seed = "127.0.0.1:" + MultiJvmBitIdentityTest.freePort();
    Process coordinator = coordinator("coordinator", seed, multi);
    node("generator", "--role", "generator", "--seed", seed);
    Process discriminator = node("discriminator", "--role", "discriminator", "--seed", seed);

    awaitFirstCheckpoint(multi);
    discriminator.destroyForcibly();
    Await.until(
        Duration.ofSeconds(60),
        () -> read("coordinator").contains("paused: role discriminator is gone"),
        "the coordinator pauses the run, naming the role gone");
    List<Path> kept = MultiJvmBitIdentityTest.checkpoints(multi);

    // The pause is observable: ctl status, the gauge; the user's controls are refused meanwhile.
    CliRunner status = CliRunner.run("ctl", "status", "--run", multi.toString());
    assertThat(status.status()).as(status.err()).isZero();
    assertThat(status.out()).contains("waiting-for-role", "waiting for role discriminator since ");
    String port = Files.readString(multi.resolve("http.port")).trim();
    String scrape =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    assertThat(scrape).containsPattern("(?m)^agon_run_waiting_for_roles\\{.*\\} 1\\.0$");
    CliRunner pause = CliRunner.run("ctl", "pause", "--run", multi.toString());
    assertThat(pause.status()).as(pause.out() + pause.err()).isEqualTo(1);
    assertThat(pause.out()).contains("waits for role discriminator");

    CliRunner stop = CliRunner.run("ctl", "stop", "--run", multi.toString());
    assertThat(stop.status()).as(stop.out() + stop.err()).isZero();
    assertThat(coordinator.waitFor(60, TimeUnit.SECONDS)).as(read("coordinator")).isTrue();
    assertThat(coordinator.exitValue()).as(read("coordinator")).isZero();
    assertThat(read("coordinator"))
        .contains("stopped while waiting for role discriminator")
        .doesNotContain("gave up");
    assertThat(MultiJvmBitIdentityTest.checkpoints(multi))
        .containsExactlyInAnyOrderElementsOf(kept);

    String again = "127.0.0.1:" + MultiJvmBitIdentityTest.freePort();
    Process resumed = coordinator("coordinator-2", again, multi);
    node("generator-2", "--role", "generator", "--seed", again);
    node("discriminator-2", "--role", "discriminator", "--seed", again);
    assertThat(resumed.waitFor(240, TimeUnit.SECONDS)).as(read("coordinator-2")).isTrue();
    assertThat(resumed.exitValue()).as(read("coordinator-2")).isZero();
    assertThat(read("coordinator-2")).contains("finished after " + ITERATIONS + " G updates");
    assertThat(baseline.waitFor(240)).as(baseline.diagnosis()).isZero();
    MultiJvmBitIdentityTest.assertSameRun(one, multi, ITERATIONS);
  }

  static void awaitFirstCheckpoint(Path run) {
    Await.until(
        Duration.ofMinutes(3),
        () -> {
          try {
            return Files.isDirectory(run.resolve("checkpoints"))
                && !MultiJvmBitIdentityTest.checkpoints(run).isEmpty();
          } catch (IOException e) {
            return false; // a checkpoint directory being renamed into place
          }
        },
        "the first checkpoint of the three-JVM run");
  }

  private Process coordinator(String tag, String seed, Path run) throws IOException {
    return node(
        tag,
        "--role",
        "coordinator,data-loader,evaluator",
        "--port",
        seed.substring(seed.indexOf(':') + 1),
        "--seed",
        seed,
        "--run",
        run.toString());
  }

  private Process node(String tag, String... args) throws IOException {
    List<String> s = new ArrayList<>();
    sets().forEach(x -> s.addAll(List.of("--set", x)));
    extra.forEach(x -> s.addAll(List.of("--set", x)));
    ProcessBuilder pb = MultiJvmBitIdentityTest.nodeProcess(s, args);
    pb.redirectOutput(dir.resolve(tag + ".out").toFile());
    pb.redirectError(dir.resolve(tag + ".err").toFile());
    Process p = pb.start();
    started.add(p);
    return p;
  }

  private String read(String tag) {
    try {
      return Files.readString(dir.resolve(tag + ".out"))
          + Files.readString(dir.resolve(tag + ".err"));
    } catch (IOException e) {
      return "(cannot read the " + tag + " node's output: " + e + ")";
    }
  }
}
