package dev.agon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
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
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void generatorOnItsOwnJvmTrainsBitForBitLikeOneJvm() throws Exception {
    List<String> sets = KillResumeFaultTest.run(ITERATIONS);
    Path one = dir.resolve("one");
    Path multi = dir.resolve("multi");
    TrainProcess plain = TrainProcess.start(one, "one", List.of(), sets);
    started.add(plain.process);

    int port = freePort();
    String seed = "127.0.0.1:" + port;
    Process coordinator =
        node(
            "coordinator",
            sets,
            "--role",
            "coordinator,data-loader,discriminator,evaluator",
            "--port",
            Integer.toString(port),
            "--seed",
            seed,
            "--run",
            multi.toString());
    Process generator = node("generator", sets, "--role", "generator", "--seed", seed);

    assertThat(plain.waitFor(240)).as(plain.diagnosis()).isZero();
    assertThat(coordinator.waitFor(240, TimeUnit.SECONDS)).as(log("coordinator")).isTrue();
    assertThat(coordinator.exitValue()).as(log("coordinator")).isZero();
    assertThat(log("coordinator")).contains("finished after " + ITERATIONS + " G updates");
    // The generator node ends with the coordinator (it is gone) or keeps waiting: either way
    // it is stopped here.
    generator.destroyForcibly();
    // The Generator really ran on the generator node, not in the coordinator's JVM.
    assertThat(log("coordinator"))
        .containsPattern("the Generator runs on node pekko://agon@127\\.0\\.0\\.1:\\d+");

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
    assertThat(losses(multi)).isEqualTo(losses(one)).hasSize((int) (2 * ITERATIONS));
  }

  /** The step lines of metrics.jsonl without their timings. */
  private static List<String> losses(Path run) throws IOException {
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
      if (line.contains("\"event\":\"g_step\"") || line.contains("\"event\":\"d_step\"")) {
        out.add(
            line.replaceAll(
                "\"(ms|nanos|[a-z_]*_ms|[a-z_]*_nanos|time[a-z_]*)\":[-0-9.eE]+,?", ""));
      }
    }
    return out;
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

  private String log(String tag) throws IOException {
    return Files.readString(dir.resolve(tag + ".out"))
        + Files.readString(dir.resolve(tag + ".err"));
  }

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
    for (String s : sets) {
      cmd.addAll(List.of("--set", s));
    }
    cmd.addAll(List.of("--set", "cluster.join-timeout-seconds=60"));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("OMP_NUM_THREADS", "1");
    pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
    pb.redirectOutput(dir.resolve(tag + ".out").toFile());
    pb.redirectError(dir.resolve(tag + ".err").toFile());
    Process p = pb.start();
    started.add(p);
    return p;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
