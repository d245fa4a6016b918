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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, UDP between hosts: three {@code agon node} JVMs on loopback with {@code
 * cluster.transport = udp}, each embedding its own media driver (its own directory, so Aeron IPC
 * between them is impossible) and receiving on its own UDP port, train bit for bit what one {@code
 * agon train} JVM does: every file of the final checkpoint and every loss of {@code metrics.jsonl}
 * ({@link MultiJvmBitIdentityTest#assertSameRun}). The second case adds Artery over TLS ({@code
 * tls-tcp}) and a {@code kill -9} of the discriminator node after the first checkpoint: the
 * replacement receives D's state from the coordinator over UDP (it never reads the run directory).
 */
class UdpTrainingTest {
  static final long ITERATIONS = 120;

  @TempDir static Path shared;

  private static TrainProcess baseline;

  private Path dir;
  private final List<Process> started = new ArrayList<>();

  @BeforeEach
  void ownDirectory() throws IOException {
    dir = Files.createTempDirectory(shared, "test-");
  }

  /**
   * SIGTERM first, so each node closes its media driver and deletes the driver's directory (tens of
   * MiB of /dev/shm each); SIGKILL only if that takes over 30 s. A node this test killed leaves its
   * directory behind, so it is deleted here (the node printed it).
   */
  @AfterEach
  void stopAll() throws Exception {
    for (Process p : started) {
      p.destroy();
    }
    for (Process p : started) {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
      }
    }
    for (String tag : killed) {
      var m = java.util.regex.Pattern.compile("\\(media driver (.+)\\)").matcher(log(tag));
      if (m.find()) {
        dev.agon.util.DurableFiles.deleteTree(Path.of(m.group(1)).getParent());
      }
    }
  }

  /** Tags of nodes killed with SIGKILL, whose driver directories {@link #stopAll} deletes. */
  private final List<String> killed = new ArrayList<>();

  private static synchronized Path baseline() throws IOException {
    Path one = shared.resolve("one");
    if (baseline == null) {
      baseline = TrainProcess.start(one, "one", List.of(), KillResumeFaultTest.run(ITERATIONS));
    }
    return one;
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void threeJvmsOverUdpTrainBitForBitLikeOneJvm() throws Exception {
    Path one = baseline();
    Path multi = dir.resolve("multi");
    String seed = threeNodes(multi, List.of());
    Process coordinator = started.get(0);

    assertThat(baseline.waitFor(240)).as(baseline.diagnosis()).isZero();
    assertThat(coordinator.waitFor(240, TimeUnit.SECONDS)).as(log("coordinator")).isTrue();
    assertThat(coordinator.exitValue()).as(log("coordinator")).isZero();
    assertThat(log("coordinator"))
        .contains("finished after " + ITERATIONS + " G updates")
        .containsPattern("the Discriminator runs on node pekko://agon@127\\.0\\.0\\.1:\\d+")
        .doesNotContain("the Discriminator runs on node pekko://agon@" + seed);
    assertOwnUdpEndpoints();
    MultiJvmBitIdentityTest.assertSameRun(one, multi, ITERATIONS);
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void overTlsAKilledDiscriminatorNodeIsReplacedWithItsStateOverUdp() throws Exception {
    Path one = baseline();
    Path multi = dir.resolve("multi");
    List<String> tls = tls(dir.resolve("tls"));
    String seed = threeNodes(multi, tls);
    Process coordinator = started.get(0);
    Process discriminator = started.get(2);

    Await.until(
        Duration.ofMinutes(3),
        Duration.ofMillis(50),
        () ->
            Files.isDirectory(multi.resolve("checkpoints"))
                && !MultiJvmBitIdentityTest.checkpoints(multi).isEmpty(),
        "the first checkpoint of the three-JVM run");
    discriminator.destroyForcibly(); // SIGKILL: no goodbye to the cluster
    killed.add("discriminator");
    Await.until(
        Duration.ofSeconds(60),
        Duration.ofMillis(50),
        () -> log("coordinator").contains("role discriminator is gone"),
        "the coordinator notices the discriminator node gone");
    node("discriminator-2", tls, "--role", "discriminator", "--seed", seed);

    assertThat(baseline.waitFor(240)).as(baseline.diagnosis()).isZero();
    assertThat(coordinator.waitFor(240, TimeUnit.SECONDS)).as(log("coordinator")).isTrue();
    assertThat(coordinator.exitValue()).as(log("coordinator")).isZero();
    assertThat(log("coordinator"))
        .contains("finished after " + ITERATIONS + " G updates", "role discriminator is back");
    assertThat(log("coordinator").lines().filter(l -> l.contains("the Discriminator runs on")))
        .hasSize(2);
    assertThat(log("discriminator-2")).contains("tensors over UDP at 127.0.0.1:");
    MultiJvmBitIdentityTest.assertSameRun(one, multi, ITERATIONS);
  }

  /**
   * A stopped node (SIGTERM, as systemd and compose stop it) deletes its media driver's directory:
   * with udp every node has one, tens of MiB of /dev/shm that would otherwise leak per stop.
   */
  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void aStoppedNodeDeletesItsMediaDriverDirectory() throws Exception {
    int seedPort = MultiJvmBitIdentityTest.freePort(); // nobody listens: the node keeps trying
    Process p = node("lonely", List.of(), "--role", "generator", "--seed", "127.0.0.1:" + seedPort);
    var driver = java.util.regex.Pattern.compile("\\(media driver (.+)\\)");
    Await.until(
        Duration.ofSeconds(60),
        Duration.ofMillis(50),
        () -> driver.matcher(log("lonely")).find(),
        "the node's UDP endpoint and media driver");
    var m = driver.matcher(log("lonely"));
    assertThat(m.find()).isTrue();
    Path dir = Path.of(m.group(1)).getParent();
    assertThat(dir).exists();

    p.destroy(); // SIGTERM
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as(log("lonely")).isTrue();
    assertThat(dir).as(log("lonely")).doesNotExist();
  }

  /** Coordinator (with data-loader and evaluator), generator and discriminator nodes; the seed. */
  private String threeNodes(Path run, List<String> sets) throws IOException {
    int port = MultiJvmBitIdentityTest.freePort();
    String seed = "127.0.0.1:" + port;
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
        run.toString());
    node("generator", sets, "--role", "generator", "--seed", seed);
    node("discriminator", sets, "--role", "discriminator", "--seed", seed);
    return seed;
  }

  /**
   * Each node announced a UDP endpoint and a media driver of its own: three ports, three driver
   * directories (so no two nodes could have shared an IPC stream).
   */
  private void assertOwnUdpEndpoints() throws IOException {
    List<String> ends = new ArrayList<>();
    List<String> drivers = new ArrayList<>();
    for (String tag : List.of("coordinator", "generator", "discriminator")) {
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
  }

  /**
   * A CA and one key and certificate for 127.0.0.1 (every node uses the same files, so the config
   * hash agrees), made with openssl; the settings that turn Artery's tls-tcp on with them.
   */
  private static List<String> tls(Path d) throws Exception {
    Files.createDirectories(d);
    openssl(
        d,
        "req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=agon-test-ca -keyout ca.key -out"
            + " ca.crt");
    openssl(
        d,
        "req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1"
            + " -keyout node.key -out node.csr");
    openssl(
        d,
        "x509 -req -in node.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2"
            + " -copy_extensions copy -out node.crt");
    List<String> sets = new ArrayList<>();
    sets.addAll(List.of("--set", "cluster.tls.enabled=true"));
    for (String[] f :
        new String[][] {
          {"key-file", "node.key"}, {"cert-file", "node.crt"}, {"ca-cert-file", "ca.crt"}
        }) {
      sets.addAll(List.of("--set", "cluster.tls." + f[0] + "=\"" + d.resolve(f[1]) + "\""));
    }
    return sets;
  }

  private static void openssl(Path d, String args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("openssl"));
    cmd.addAll(List.of(args.split(" ")));
    Process p =
        new ProcessBuilder(cmd)
            .directory(d.toFile())
            .redirectErrorStream(true)
            .redirectOutput(d.resolve("openssl.log").toFile())
            .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(d.resolve("openssl.log"))).isZero();
  }

  private String log(String tag) throws IOException {
    return Files.readString(dir.resolve(tag + ".out"))
        + Files.readString(dir.resolve(tag + ".err"));
  }

  /**
   * An {@code agon node} JVM with cluster.transport = udp, {@code sets} ("--set", "KEY=VALUE"
   * pairs) and the run's settings after its args.
   */
  private Process node(String tag, List<String> sets, String... args) throws IOException {
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
    cmd.addAll(List.of("--config", "config/ring.conf"));
    cmd.addAll(List.of(args));
    cmd.addAll(sets);
    KillResumeFaultTest.run(ITERATIONS).forEach(s -> cmd.addAll(List.of("--set", s)));
    cmd.addAll(List.of("--set", "cluster.transport=udp"));
    cmd.addAll(List.of("--set", "cluster.join-timeout-seconds=60"));
    cmd.addAll(List.of("--set", "cluster.heartbeat-interval-ms=500"));
    // Wide enough for a loaded 2-core machine (heartbeats 2.4 s late were seen): a false "gone"
    // would restart the run once more than the test expects.
    cmd.addAll(List.of("--set", "cluster.acceptable-heartbeat-pause-ms=6000"));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("OMP_NUM_THREADS", "1");
    pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
    pb.redirectOutput(dir.resolve(tag + ".out").toFile());
    pb.redirectError(dir.resolve(tag + ".err").toFile());
    Process p = pb.start();
    started.add(p);
    return p;
  }
}
