package dev.agon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.testing.Await;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, step 1: the Generator on a JVM of its own (coordinator node + generator node on
 * loopback, tensors over Aeron IPC) trains bit for bit what one {@code agon train} JVM does with
 * the same seed: every file of the final checkpoint (G, D, their optimizer states, EMA) and every
 * loss of {@code metrics.jsonl}. Intermediate checkpoints (every 25 updates) make G's state cross
 * the transport too.
 */
class MultiJvmBitIdentityTest {
  static final long ITERATIONS = 300;

  /** This test's directory under {@link #shared}. */
  Path dir;

  @BeforeEach
  void ownDirectory() throws IOException {
    dir = Files.createTempDirectory(shared, "test-");
  }

  final List<Process> started = new ArrayList<>();

  @AfterEach
  void stopAll() throws InterruptedException {
    for (Process p : started) {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** The one-JVM run both tests compare with, trained once (in parallel with the first test). */
  private static TrainProcess baseline;

  @TempDir static Path shared;

  private static synchronized Path baseline() throws IOException {
    Path one = shared.resolve("one");
    if (baseline == null) {
      baseline = TrainProcess.start(one, "one", List.of(), KillResumeFaultTest.run(ITERATIONS));
    }
    return one;
  }

  private static void awaitBaseline() throws Exception {
    assertThat(baseline.waitFor(240)).as(baseline.diagnosis()).isZero();
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void generatorOnItsOwnJvmTrainsBitForBitLikeOneJvm() throws Exception {
    Path one = baseline();
    Path multi = dir.resolve("multi");
    String seed = coordinatorAndGenerator(multi);
    Process coordinator = started.get(0);

    awaitBaseline();
    assertThat(coordinator.waitFor(240, TimeUnit.SECONDS)).as(log("coordinator")).isTrue();
    assertThat(coordinator.exitValue()).as(log("coordinator")).isZero();
    assertThat(log("coordinator")).contains("finished after " + ITERATIONS + " G updates");
    // The Generator really ran on the generator node, not in the coordinator's JVM.
    assertThat(log("coordinator"))
        .containsPattern("the Generator runs on node pekko://agon@127\\.0\\.0\\.1:\\d+")
        .doesNotContain("the Generator runs on node pekko://agon@" + seed);
    assertSameRun(one, multi);
  }

  /**
   * Issue 14, step 3: the generator node is killed (SIGKILL) after the first checkpoint; the run
   * fails over to a restart that waits for a generator node, a new one joins, loads G's state from
   * the newest checkpoint and the run completes bit for bit like the uninterrupted one.
   */
  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void killedGeneratorNodeIsReplacedAndTheRunCompletesBitForBit() throws Exception {
    Path one = baseline();
    Path multi = dir.resolve("multi");
    String seed = coordinatorAndGenerator(multi);
    Process coordinator = started.get(0);
    Process generator = started.get(1);

    Await.until(
        Duration.ofMinutes(3),
        Duration.ofMillis(50),
        () -> Files.isDirectory(multi.resolve("checkpoints")) && !checkpoints(multi).isEmpty(),
        "the first checkpoint of the two-JVM run");
    generator.destroyForcibly(); // SIGKILL: no goodbye to the cluster
    Await.until(
        Duration.ofSeconds(60),
        Duration.ofMillis(50),
        () -> log("coordinator").contains("role generator is gone"),
        "the coordinator notices the generator node gone");
    node("generator-2", "--role", "generator", "--seed", seed);

    awaitBaseline();
    assertThat(coordinator.waitFor(240, TimeUnit.SECONDS)).as(log("coordinator")).isTrue();
    assertThat(coordinator.exitValue()).as(log("coordinator")).isZero();
    assertThat(log("coordinator"))
        .contains("finished after " + ITERATIONS + " G updates", "role generator is back");
    assertThat(log("coordinator").lines().filter(l -> l.contains("the Generator runs on node")))
        .hasSize(2);
    assertSameRun(one, multi);
  }

  /**
   * Issue 14, step 2: three JVMs (coordinator with data-loader and evaluator, generator,
   * discriminator): real batches, fakes and snapshots all cross Aeron, bit for bit the same run.
   */
  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void threeJvmsTrainBitForBitLikeOneJvm() throws Exception {
    Path one = baseline();
    Path multi = dir.resolve("multi");
    int port = freePort();
    String seed = "127.0.0.1:" + port;
    Process coordinator =
        node(
            "coordinator",
            "--role",
            "coordinator,data-loader,evaluator",
            "--port",
            Integer.toString(port),
            "--seed",
            seed,
            "--run",
            multi.toString());
    int metricsPort = freePort();
    node(
        "generator",
        "--role",
        "generator",
        "--seed",
        seed,
        "--metrics-port",
        Integer.toString(metricsPort));
    node("discriminator", "--role", "discriminator", "--seed", seed);

    // While it trains, the generator node's /metrics shows its real streams: fakes out, D
    // snapshots in, and the latency of each D snapshot it received.
    Await.until(
        Duration.ofMinutes(3),
        Duration.ofMillis(200),
        () -> {
          String text = scrape(metricsPort);
          return sample(text, "agon_transport_sent_bytes_total", "stream=\"generator-out\"") > 0
              && sample(text, "agon_transport_received_bytes_total", "stream=\"generator-in\"") > 0
              && sample(
                      text, "agon_transport_snapshot_latency_seconds_count", "kind=\"d-snapshot\"")
                  > 0;
        },
        "the generator node's /metrics counts its streams' bytes and D snapshots' latency");

    awaitBaseline();
    assertThat(coordinator.waitFor(240, TimeUnit.SECONDS)).as(log("coordinator")).isTrue();
    assertThat(coordinator.exitValue()).as(log("coordinator")).isZero();
    assertThat(log("coordinator"))
        .contains("finished after " + ITERATIONS + " G updates")
        .containsPattern("the Generator runs on node pekko://agon@127\\.0\\.0\\.1:\\d+")
        .containsPattern("the Discriminator runs on node pekko://agon@127\\.0\\.0\\.1:\\d+");
    assertSameRun(one, multi);
  }

  /** G and D lag each other by one update: {@link #LAGGED} iterations with staleness 1. */
  static final long LAGGED = 100;

  /**
   * Three JVMs with staleness 1 train what one JVM does with the same lag: G's reports may not
   * overtake the D reports of the versions they used, whatever path each crossed.
   */
  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void threeJvmsWithStalenessOneTrainBitForBitLikeOneJvm() throws Exception {
    Path one = dir.resolve("one-lagged");
    List<String> lagged = lagged();
    TrainProcess plain = TrainProcess.start(one, "one-lagged", List.of(), lagged);
    started.add(plain.process);
    Path multi = dir.resolve("multi");
    int port = freePort();
    String seed = "127.0.0.1:" + port;
    List<String> sets = new ArrayList<>();
    lagged.forEach(s -> sets.addAll(List.of("--set", s)));
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

    assertThat(plain.waitFor(240)).as(plain.diagnosis()).isZero();
    assertThat(coordinator.waitFor(240, TimeUnit.SECONDS)).as(log("coordinator")).isTrue();
    assertThat(coordinator.exitValue()).as(log("coordinator")).isZero();
    assertThat(log("coordinator")).contains("finished after " + LAGGED + " G updates");
    assertSameRun(one, multi, LAGGED);
  }

  private static List<String> lagged() {
    List<String> o = new ArrayList<>(KillResumeFaultTest.RUN);
    o.add("schedule.iterations=" + LAGGED);
    o.add("schedule.staleness=1");
    return o;
  }

  /** Starts the coordinator node training into {@code run} and a generator node; the seed. */
  private String coordinatorAndGenerator(Path run) throws IOException {
    int port = freePort();
    String seed = "127.0.0.1:" + port;
    node(
        "coordinator",
        "--role",
        "coordinator,data-loader,discriminator,evaluator",
        "--port",
        Integer.toString(port),
        "--seed",
        seed,
        "--run",
        run.toString());
    node("generator", "--role", "generator", "--seed", seed);
    return seed;
  }

  /** Every file of the final checkpoints (but times and names) and every loss are equal. */
  private static void assertSameRun(Path one, Path multi) throws IOException {
    assertSameRun(one, multi, ITERATIONS);
  }

  static void assertSameRun(Path one, Path multi, long iterations) throws IOException {
    Path a = newestCheckpoint(one);
    Path b = newestCheckpoint(multi);
    assertThat(b.getFileName()).isEqualTo(a.getFileName());
    TreeMap<String, byte[]> fa = files(a);
    TreeMap<String, byte[]> fb = files(b);
    assertThat(fb.keySet()).isEqualTo(fa.keySet());
    for (String f : fa.keySet()) {
      if (f.equals("manifest.json") || f.endsWith(".conf")) {
        continue; // times and the run directory's name
      }
      assertThat(fb.get(f)).as("checkpoint file " + f).isEqualTo(fa.get(f));
    }
    assertThat(losses(multi)).isEqualTo(losses(one)).hasSize((int) (2 * iterations));
  }

  static List<Path> checkpoints(Path run) throws IOException {
    try (Stream<Path> s = Files.list(run.resolve("checkpoints"))) {
      return s.filter(Files::isDirectory).toList();
    }
  }

  /**
   * The step lines of metrics.jsonl without their timings: G's in order, then D's (with staleness
   * the two players run concurrently, so how their lines interleave is timing, not the run).
   */
  private static List<String> losses(Path run) throws IOException {
    List<String> g = new ArrayList<>();
    List<String> d = new ArrayList<>();
    for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
      String t =
          line.replaceAll("\"(ms|nanos|[a-z_]*_ms|[a-z_]*_nanos|time[a-z_]*)\":[-0-9.eE]+,?", "");
      if (line.contains("\"event\":\"g_step\"")) {
        g.add(t);
      } else if (line.contains("\"event\":\"d_step\"")) {
        d.add(t);
      }
    }
    g.addAll(d);
    return g;
  }

  private static Path newestCheckpoint(Path run) throws IOException {
    try (Stream<Path> s = Files.list(run.resolve("checkpoints"))) {
      return s.filter(Files::isDirectory).max(Path::compareTo).orElseThrow();
    }
  }

  private static TreeMap<String, byte[]> files(Path d) throws IOException {
    TreeMap<String, byte[]> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(d)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        m.put(d.relativize(p).toString(), Files.readAllBytes(p));
      }
    }
    return m;
  }

  String log(String tag) throws IOException {
    return Files.readString(dir.resolve(tag + ".out"))
        + Files.readString(dir.resolve(tag + ".err"));
  }

  private Process node(String tag, String... args) throws IOException {
    List<String> sets = new ArrayList<>();
    KillResumeFaultTest.run(ITERATIONS).forEach(s -> sets.addAll(List.of("--set", s)));
    return node(tag, sets, args);
  }

  /** An {@code agon node} JVM with {@code sets} ("--set", "KEY=VALUE" pairs) after its args. */
  Process node(String tag, List<String> sets, String... args) throws IOException {
    return node(dir, started, "config/ring.conf", tag, sets, args);
  }

  /**
   * An {@code agon node} JVM of {@code config} logging to {@code dir}/TAG.out and .err, added to
   * {@code started}; for the other multi-JVM tests.
   */
  static Process node(
      Path dir, List<Process> started, String config, String tag, List<String> sets, String... args)
      throws IOException {
    ProcessBuilder pb = nodeProcess(config, sets, args);
    pb.redirectOutput(dir.resolve(tag + ".out").toFile());
    pb.redirectError(dir.resolve(tag + ".err").toFile());
    Process p = pb.start();
    started.add(p);
    return p;
  }

  /** An {@code agon node} JVM's command for the ring (the test's classpath). */
  static ProcessBuilder nodeProcess(List<String> sets, String... args) {
    return nodeProcess("config/ring.conf", sets, args);
  }

  /** An {@code agon node} JVM's command (the test's classpath), heartbeats every 500 ms. */
  static ProcessBuilder nodeProcess(String config, List<String> sets, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx384m");
    cmd.add("-Djava.awt.headless=true");
    cmd.add("--add-opens");
    cmd.add("java.base/sun.nio.ch=ALL-UNNAMED");
    cmd.add("--add-opens");
    cmd.add("java.base/jdk.internal.misc=ALL-UNNAMED");
    cmd.add("--add-opens");
    cmd.add("java.base/java.util.zip=ALL-UNNAMED");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("dev.agon.cli.Main");
    cmd.add("node");
    cmd.addAll(List.of("--config", config));
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("--set", "cluster.join-timeout-seconds=60"));
    cmd.addAll(List.of("--set", "cluster.heartbeat-interval-ms=500"));
    // 5 s: on a loaded 2-core machine heartbeats 1.5-2.4 s apart were seen, and a false "gone"
    // (a worker exiting, a pause) is not what these tests look at; the tests that kill a node
    // wait for the detection with deadlines of a minute.
    cmd.addAll(List.of("--set", "cluster.acceptable-heartbeat-pause-ms=5000"));
    cmd.addAll(sets); // after the cluster settings above, so that a test can change them
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("OMP_NUM_THREADS", "1");
    pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
    return pb;
  }

  private static String scrape(int port) throws IOException, InterruptedException {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
    return r.body();
  }

  /**
   * The value of the first sample of {@code family} whose labels contain {@code label}; 0 if none.
   */
  private static double sample(String text, String family, String label) {
    for (String line : text.split("\n")) {
      if (line.startsWith(family + "{") && line.contains(label)) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return 0;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
