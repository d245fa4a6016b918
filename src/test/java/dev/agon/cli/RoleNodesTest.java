package dev.agon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.testing.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 14, the roles on nodes of their own: evaluations across JVMs score the G version one JVM
 * scores (the version the evaluation schedule names, not the one current when the request reaches a
 * remote Generator), with every role on a JVM of its own. Each run is compared with one {@code agon
 * train} JVM of the same config: final checkpoint, losses and evaluation records of {@code
 * metrics.jsonl}. Uses {@link MultiJvmBitIdentityTest}'s node launcher and comparisons.
 */
class RoleNodesTest {
  static final long ITERATIONS = 100;

  /**
   * Evaluations at G versions 40 and 80, and the final one; 500 samples each, so that the Evaluator
   * keeps up (an evaluation falling due while it scores would be deferred).
   */
  static final long EVAL_EVERY = 40;

  @TempDir static Path shared;

  private static TrainProcess baseline;

  private final MultiJvmBitIdentityTest jvms = new MultiJvmBitIdentityTest();

  @BeforeEach
  void ownDirectory() throws IOException {
    jvms.dir = Files.createTempDirectory(shared, "test-");
  }

  @AfterEach
  void stopAll() throws InterruptedException {
    jvms.stopAll();
  }

  /** The ring run of every test: checkpoints every 25 updates, evaluations every 40. */
  static List<String> run() {
    List<String> o = new ArrayList<>(KillResumeFaultTest.run(ITERATIONS));
    o.remove("eval.every-steps=0");
    o.add("eval.every-steps=" + EVAL_EVERY);
    o.add("eval.samples=500");
    return o;
  }

  /** The one-JVM run the tests compare with, trained once (beside the first test's nodes). */
  private static synchronized Path baseline() throws IOException {
    Path one = shared.resolve("one");
    if (baseline == null) {
      baseline = TrainProcess.start(one, "one", List.of(), run());
    }
    return one;
  }

  /**
   * The nodes' settings: the run's, and a failure detector patient enough for six busy JVMs on a
   * small machine (a node downed for late heartbeats fails the run; that is not what is tested).
   */
  private static List<String> sets() {
    List<String> sets = new ArrayList<>();
    run().forEach(s -> sets.addAll(List.of("--set", s)));
    sets.addAll(List.of("--set", "cluster.acceptable-heartbeat-pause-ms=10000"));
    return sets;
  }

  /**
   * The Generator on a node of its own: an evaluation falls due after G update 40 (80) and must
   * score G version 40, whenever the request reaches the generator node.
   */
  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void evaluationsOfARemoteGeneratorScoreTheVersionOneJvmScores() throws Exception {
    Path one = baseline();
    Path multi = jvms.dir.resolve("multi");
    int port = MultiJvmBitIdentityTest.freePort();
    String seed = "127.0.0.1:" + port;
    Process coordinator =
        jvms.node(
            "coordinator",
            sets(),
            "--role",
            "coordinator,data-loader,discriminator,evaluator",
            "--port",
            Integer.toString(port),
            "--seed",
            seed,
            "--run",
            multi.toString());
    jvms.node("generator", sets(), "--role", "generator", "--seed", seed);

    assertFinished(coordinator);
    assertSameRunAndEvaluations(one, multi);
  }

  /**
   * Every role on a JVM of its own: the DataLoader's batches, G's fakes and snapshots, D's
   * snapshots and the snapshots to score all cross Aeron; the run and its evaluations are one
   * JVM's.
   */
  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void fiveJvmsTrainAndEvaluateBitForBitLikeOneJvm() throws Exception {
    Path one = baseline();
    Path multi = jvms.dir.resolve("multi");
    int port = MultiJvmBitIdentityTest.freePort();
    String seed = "127.0.0.1:" + port;
    Process coordinator =
        jvms.node(
            "coordinator",
            sets(),
            "--role",
            "coordinator",
            "--port",
            Integer.toString(port),
            "--seed",
            seed,
            "--run",
            multi.toString());
    for (String role : List.of("data-loader", "evaluator", "generator", "discriminator")) {
      jvms.node(role, sets(), "--role", role, "--seed", seed);
    }

    assertFinished(coordinator);
    for (String role : List.of("DataLoader", "Evaluator", "Generator", "Discriminator")) {
      assertThat(jvms.log("coordinator"))
          .containsPattern("the " + role + " runs on node pekko://agon@127\\.0\\.0\\.1:\\d+")
          .doesNotContain("the " + role + " runs on node pekko://agon@" + seed);
    }
    assertSameRunAndEvaluations(one, multi);
  }

  /**
   * A lost data-loader node, or a lost evaluator node (SIGKILL once the first checkpoint is
   * written), pauses the run as a player's does, naming its role; a replacement node ends the pause
   * and the run completes bit for bit like one JVM. Two JVMs: the role under test on a node of its
   * own, every other role on the coordinator node.
   *
   * <p>Without its DataLoader D waits, so every evaluation is one JVM's too. Without its Evaluator
   * training goes on until the loss is noticed (nothing waits for an evaluation), and the run may
   * resume from a checkpoint past the evaluations that fell due meanwhile (seen: from the final
   * one): those records are missing, every one recorded is one JVM's, the final one included.
   */
  @ParameterizedTest
  @ValueSource(strings = {"data-loader", "evaluator"})
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void aLostServiceNodePausesTheRunWhichCompletesBitForBitWithAReplacement(String role)
      throws Exception {
    Path one = baseline();
    Path multi = jvms.dir.resolve("multi");
    int port = MultiJvmBitIdentityTest.freePort();
    String seed = "127.0.0.1:" + port;
    // Two JVMs need no patience beyond LostNodeTest's; the loss must be noticed by the membership
    // (a pause) before Aeron notices the dead subscriber (a failure: a restart), as designed.
    List<String> sets = new ArrayList<>(sets());
    sets.addAll(List.of("--set", "cluster.acceptable-heartbeat-pause-ms=3000"));
    String others =
        String.join(
            ",",
            Stream.of("coordinator", "data-loader", "generator", "discriminator", "evaluator")
                .filter(r -> !r.equals(role))
                .toList());
    Process coordinator =
        jvms.node(
            "coordinator",
            sets,
            "--role",
            others,
            "--port",
            Integer.toString(port),
            "--seed",
            seed,
            "--run",
            multi.toString());
    Process lost = jvms.node(role, sets, "--role", role, "--seed", seed);

    LostNodeTest.awaitFirstCheckpoint(multi);
    lost.destroyForcibly(); // SIGKILL: no goodbye to the cluster
    try {
      Await.until(
          Duration.ofSeconds(90),
          Duration.ofMillis(100),
          () -> jvms.log("coordinator").contains("paused: role " + role + " is gone"),
          "the coordinator pauses the run, naming the role gone");
    } catch (AssertionError e) {
      throw new AssertionError(
          e.getMessage() + "; the coordinator:\n" + jvms.log("coordinator"), e);
    }
    jvms.node(role + "-2", sets, "--role", role, "--seed", seed);

    assertFinished(coordinator);
    assertThat(jvms.log("coordinator"))
        .contains("resumed: role " + role + " is back")
        .doesNotContain("giving up");
    String metrics = Files.readString(multi.resolve("metrics.jsonl"));
    assertThat(metrics)
        .contains("\"event\":\"node_lost\"", "\"role\":\"" + role + "\"", "\"event\":\"node_back\"")
        .doesNotContain("\"event\":\"restart\"");
    if (role.equals("data-loader")) {
      assertSameRunAndEvaluations(one, multi);
    } else {
      MultiJvmBitIdentityTest.assertSameRun(one, multi, ITERATIONS);
      List<String> recorded = evaluations(multi);
      assertThat(evaluations(one)).containsAll(recorded);
      assertThat(recorded).anyMatch(l -> l.contains("\"final\":true"));
    }
  }

  private void assertFinished(Process coordinator) throws Exception {
    assertThat(baseline.waitFor(240)).as(baseline.diagnosis()).isZero();
    assertThat(coordinator.waitFor(240, TimeUnit.SECONDS)).as(jvms.log("coordinator")).isTrue();
    assertThat(coordinator.exitValue()).as(jvms.log("coordinator")).isZero();
    assertThat(jvms.log("coordinator")).contains("finished after " + ITERATIONS + " G updates");
  }

  private static void assertSameRunAndEvaluations(Path one, Path multi) throws IOException {
    MultiJvmBitIdentityTest.assertSameRun(one, multi, ITERATIONS);
    List<String> expected = evaluations(one);
    // The schedule names G versions 40 and 80 (none skipped), and one JVM must score those.
    assertThat(expected)
        .hasSize(3)
        .anyMatch(l -> l.contains("\"step\":40,\"g_version\":40,") && l.contains("\"skipped\":0"))
        .anyMatch(l -> l.contains("\"step\":80,\"g_version\":80,") && l.contains("\"skipped\":0"))
        .anyMatch(l -> l.contains("\"final\":true"));
    assertThat(evaluations(multi)).isEqualTo(expected);
  }

  /** The eval lines of metrics.jsonl without their timings, in order. */
  static List<String> evaluations(Path run) throws IOException {
    return Files.readAllLines(run.resolve("metrics.jsonl")).stream()
        .filter(l -> l.contains("\"event\":\"eval\""))
        .map(l -> l.replaceAll(",?\"(ms|time_ms)\":[-0-9.eE]+", ""))
        .toList();
  }
}
