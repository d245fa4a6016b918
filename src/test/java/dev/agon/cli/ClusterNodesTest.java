package dev.agon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.testing.Await;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three {@code agon node} JVMs on loopback (coordinator with data-loader and evaluator, generator,
 * discriminator) form a cluster and the coordinator reports it complete; a second generator is
 * refused; the generator killed with SIGKILL is reported gone within the failure detector's time
 * and a new generator node brings the role back. Reads the coordinator's stdout, waiting with
 * deadlines. About 30-60 s on a loaded 2-core machine (four JVM starts).
 */
class ClusterNodesTest {
  /** The failure detector of the test: a node silent this long is unreachable. */
  static final int PAUSE_MS = 2000;

  /** Slack on top of PAUSE_MS for the detector's phi threshold, gossip and a loaded machine. */
  static final Duration SLACK = Duration.ofSeconds(10);

  static final Duration START = Duration.ofSeconds(90);

  @TempDir Path dir;

  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void stopNodes() throws InterruptedException {
    for (Process p : started) {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void nodesFormTheClusterAndAKilledRoleComesBack() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    String seed = "127.0.0.1:" + port;
    Node coordinator =
        node(
            "coordinator",
            "--role",
            "coordinator,data-loader,evaluator",
            "--port",
            Integer.toString(port),
            "--seed",
            seed);
    Node generator = node("generator", "--role", "generator", "--seed", seed);
    node("discriminator", "--role", "discriminator", "--seed", seed);

    Await.until(
        START,
        Duration.ofMillis(100),
        () -> coordinator.out().contains("cluster complete:"),
        "the coordinator reports the cluster complete");
    String complete =
        coordinator.out().lines().filter(l -> l.contains("cluster complete:")).findFirst().get();
    assertThat(complete)
        .contains("coordinator@" + seed, "data-loader@" + seed, "evaluator@" + seed)
        .containsPattern("generator@127\\.0\\.0\\.1:\\d+")
        .containsPattern("discriminator@127\\.0\\.0\\.1:\\d+");
    // The main thread prints this after the membership actor's "cluster complete" line.
    Await.until(
        START,
        Duration.ofMillis(100),
        () -> coordinator.out().contains("no --run given"),
        "the coordinator says it only watches (no --run)");

    Node second = node("generator-2", "--role", "generator", "--seed", seed);
    assertThat(second.process.waitFor(START.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(second.process.exitValue()).as(second.err()).isEqualTo(2);
    assertThat(second.err().lines().filter(l -> !l.isBlank()))
        .singleElement()
        .asString()
        .startsWith("error: ")
        .contains("role generator is already taken by node");

    generator.process.destroyForcibly(); // SIGKILL: no goodbye to the cluster
    long killed = System.nanoTime();
    Await.until(
        Duration.ofMillis(PAUSE_MS).plus(SLACK),
        Duration.ofMillis(50),
        () -> coordinator.out().contains("role generator is gone"),
        "the coordinator reports the generator gone within the failure detector's time");
    Duration noticed = Duration.ofNanos(System.nanoTime() - killed);
    System.out.println("generator killed; reported gone after " + noticed.toMillis() + " ms");

    node("generator-3", "--role", "generator", "--seed", seed);
    Await.until(
        START,
        Duration.ofMillis(100),
        () ->
            coordinator.out().contains("role generator is back")
                && coordinator.out().lines().filter(l -> l.contains("cluster complete:")).count()
                    == 2,
        "a new generator node brings the role back and the cluster is complete again");
    assertThat(coordinator.process.isAlive()).as(coordinator.err()).isTrue();
  }

  /** A running {@code agon node} JVM with its stdout and stderr in files under the temp dir. */
  record Node(Process process, Path stdout, Path stderr) {
    String out() throws IOException {
      return Files.readString(stdout);
    }

    String err() throws IOException {
      return Files.readString(stderr);
    }
  }

  private Node node(String tag, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-XX:TieredStopAtLevel=1"); // four JVMs on two cores: start fast, run little
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("dev.agon.cli.Main");
    cmd.add("node");
    cmd.addAll(List.of("--config", "config/ring.conf"));
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("--set", "cluster.heartbeat-interval-ms=500"));
    cmd.addAll(List.of("--set", "cluster.acceptable-heartbeat-pause-ms=" + PAUSE_MS));
    cmd.addAll(List.of("--set", "cluster.join-timeout-seconds=60"));
    Path out = dir.resolve(tag + ".out");
    Path err = dir.resolve(tag + ".err");
    Process p =
        new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    started.add(p);
    return new Node(p, out, err);
  }
}
