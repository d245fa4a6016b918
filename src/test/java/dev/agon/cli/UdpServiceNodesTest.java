package dev.agon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
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
 * Issue 14, UDP between hosts for the service roles: with {@code cluster.transport = udp} the
 * DataLoader and the Evaluator each run on a node of their own (a JVM with its own media driver and
 * UDP port, so no IPC stream could be shared), and the run is bit for bit one {@code agon train}
 * JVM's: final checkpoint, losses and evaluation records of {@code metrics.jsonl}. The players stay
 * on the coordinator node: three JVMs and the baseline, the fewest that put each service role on a
 * host of its own.
 *
 * <p>One evaluation falls due during training (G version {@link #EVAL_EVERY}), then the final one.
 * With the players local, training outruns the remote Evaluator: a second evaluation falling due
 * before the first one's credit is back over Artery is deferred and scores a newer version (seen
 * once: the report of version 40 arrived after G update 80), which is timing, not the transport.
 */
class UdpServiceNodesTest {
  static final long ITERATIONS = 150;

  static final long EVAL_EVERY = 75;

  @TempDir Path dir;

  private final List<Process> started = new ArrayList<>();

  /**
   * SIGTERM first, so each node closes its media driver and deletes its directory (tens of MiB of
   * /dev/shm each); SIGKILL only if that takes over 30 s.
   */
  @AfterEach
  void stopAll() throws InterruptedException {
    for (Process p : started) {
      p.destroy();
    }
    for (Process p : started) {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void dataLoaderAndEvaluatorNodesOverUdpTrainAndEvaluateBitForBitLikeOneJvm() throws Exception {
    Path one = dir.resolve("one");
    TrainProcess baseline = TrainProcess.start(one, "one", List.of(), run());
    Path multi = dir.resolve("multi");
    int port = MultiJvmBitIdentityTest.freePort();
    String seed = "127.0.0.1:" + port;
    Process coordinator =
        node(
            "coordinator",
            "--role",
            "coordinator,generator,discriminator",
            "--port",
            Integer.toString(port),
            "--seed",
            seed,
            "--run",
            multi.toString());
    node("data-loader", "--role", "data-loader", "--seed", seed);
    node("evaluator", "--role", "evaluator", "--seed", seed);

    assertThat(baseline.waitFor(240)).as(baseline.diagnosis()).isZero();
    assertThat(coordinator.waitFor(240, TimeUnit.SECONDS)).as(log("coordinator")).isTrue();
    assertThat(coordinator.exitValue()).as(log("coordinator")).isZero();
    assertThat(log("coordinator")).contains("finished after " + ITERATIONS + " G updates");
    for (String role : List.of("DataLoader", "Evaluator")) {
      assertThat(log("coordinator"))
          .containsPattern("the " + role + " runs on node pekko://agon@127\\.0\\.0\\.1:\\d+")
          .doesNotContain("the " + role + " runs on node pekko://agon@" + seed);
    }
    // Each node received on a UDP endpoint of its own, through a media driver of its own.
    List<String> ends = new ArrayList<>();
    List<String> drivers = new ArrayList<>();
    for (String tag : List.of("coordinator", "data-loader", "evaluator")) {
      var m =
          java.util.regex.Pattern.compile(
                  "tensors over UDP at (127\\.0\\.0\\.1:\\d+) \\(media driver (.+)\\)")
              .matcher(log(tag));
      assertThat(m.find()).as(log(tag)).isTrue();
      ends.add(m.group(1));
      drivers.add(m.group(2));
    }
    assertThat(ends).doesNotHaveDuplicates();
    assertThat(drivers).doesNotHaveDuplicates();
    MultiJvmBitIdentityTest.assertSameRun(one, multi, ITERATIONS);
    List<String> expected = RoleNodesTest.evaluations(one);
    assertThat(expected)
        .hasSize(2)
        .anyMatch(l -> l.contains("\"step\":75,\"g_version\":75,") && l.contains("\"skipped\":0"))
        .anyMatch(l -> l.contains("\"final\":true"));
    assertThat(RoleNodesTest.evaluations(multi)).isEqualTo(expected);
  }

  /** The ring run: checkpoints every 25 updates, one evaluation during training, 500 samples. */
  private static List<String> run() {
    List<String> o = new ArrayList<>(KillResumeFaultTest.run(ITERATIONS));
    o.remove("eval.every-steps=0");
    o.add("eval.every-steps=" + EVAL_EVERY);
    o.add("eval.samples=500");
    return o;
  }

  private String log(String tag) throws IOException {
    return Files.readString(dir.resolve(tag + ".out"))
        + Files.readString(dir.resolve(tag + ".err"));
  }

  /** An {@code agon node} JVM of the ring run with cluster.transport = udp. */
  private Process node(String tag, String... args) throws IOException {
    List<String> sets = new ArrayList<>();
    run().forEach(s -> sets.addAll(List.of("--set", s)));
    sets.addAll(List.of("--set", "cluster.transport=udp"));
    // Patient enough for four busy JVMs on a small machine: a false "gone" is not what is tested.
    sets.addAll(List.of("--set", "cluster.acceptable-heartbeat-pause-ms=10000"));
    ProcessBuilder pb = MultiJvmBitIdentityTest.nodeProcess(sets, args);
    pb.redirectOutput(dir.resolve(tag + ".out").toFile());
    pb.redirectError(dir.resolve(tag + ".err").toFile());
    Process p = pb.start();
    started.add(p);
    return p;
  }
}
