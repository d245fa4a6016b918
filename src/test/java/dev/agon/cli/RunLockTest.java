package dev.agon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import dev.agon.checkpoint.CheckpointStore;
import dev.agon.testing.Await;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run directory has one owner: a second {@code agon train} into it is refused (exit 2, naming the
 * process that holds it) while the first trains, also across the first's in-process restarts.
 */
class RunLockTest {
  @TempDir Path tmp;

  @Test
  @Tag("slow")
  void aSecondProcessIsRefusedAndTheFirstRunStaysItsOwn() throws Exception {
    Path run = tmp.resolve("run");
    // The first process fails once before G update 20 and restarts inside the same JVM: the
    // second is started only after that restart, so the lock must have survived it.
    TrainProcess first =
        TrainProcess.start(
            run, "first", List.of("-Dagon.faults.generator-fails-at=20"), SignalShutdownTest.RUN);
    awaitRestartThenCheckpoint(run, first);

    // A key a resume may change freely, so that today's code would resume and write checkpoints
    // under another config hash instead of being refused.
    List<String> second = new ArrayList<>(SignalShutdownTest.RUN);
    second.add("checkpoint.every-steps=7");
    TrainProcess intruder = TrainProcess.start(run, "second", List.of(), second);
    int status = intruder.waitFor(120);
    List<String> errLines = intruder.err().lines().filter(l -> !l.isBlank()).toList();
    assertThat(status).as(intruder.out() + intruder.err()).isEqualTo(2);
    assertThat(errLines).as(intruder.err()).hasSize(1);
    assertThat(errLines.get(0))
        .startsWith("error: ")
        .contains(run.toString())
        .contains("pid " + first.process.pid() + "@");
    assertThat(first.process.isAlive()).as(first.err()).isTrue();

    first.signal("TERM");
    assertThat(first.waitFor(120)).as(first.err()).isZero();
    assertThat(first.out()).contains("stopped (SIGTERM) after");

    // The first's run is whole and only its own: every line of metrics.jsonl parses, one run
    // started, and every checkpoint verifies and carries the first's config.
    List<Config> records = new ArrayList<>();
    for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
      records.add(
          ConfigFactory.parseString(
              line, ConfigParseOptions.defaults().setSyntax(ConfigSyntax.JSON)));
    }
    List<Config> starts =
        records.stream().filter(r -> r.getString("event").equals("run_start")).toList();
    assertThat(starts).hasSize(1);
    String hash = starts.get(0).getString("config_sha256");
    List<Path> checkpoints = CheckpointStore.list(run);
    assertThat(checkpoints).isNotEmpty();
    for (Path c : checkpoints) {
      assertThat(CheckpointStore.read(c).configSha256()).as(c.toString()).isEqualTo(hash);
    }
  }

  @Test
  void aRunDirectoryLockedByAnotherHolderIsRefusedWithoutTouchingIt() throws Exception {
    Path run = Files.createDirectories(tmp.resolve("run"));
    Path lock = run.resolve("agon.lock");
    // What a running agon train writes into its lock file: pid@host and when it started.
    Files.writeString(lock, "4242@elsewhere 2026-01-01T00:00:00Z\n");
    try (FileChannel ch =
            FileChannel.open(lock, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock held = ch.tryLock()) {
      assertThat(held).isNotNull();
      List<String> before = BadInputCorpusTest.contents(tmp);
      CliRunner r =
          CliRunner.train(run, "config/ring.conf", "schedule.iterations=3", "eval.samples=50");
      assertThat(r.status()).as(r.out() + r.err()).isEqualTo(2);
      assertThat(r.errLines()).as(r.err()).hasSize(1);
      assertThat(r.errLines().get(0))
          .startsWith("error: ")
          .contains(run.toString())
          .contains("pid 4242@elsewhere");
      assertThat(BadInputCorpusTest.contents(tmp)).isEqualTo(before);
    }
    // Released: the directory trains, and its lock file names this process.
    CliRunner r =
        CliRunner.train(run, "config/ring.conf", "schedule.iterations=3", "eval.samples=50");
    assertThat(r.status()).as(r.err()).isZero();
    assertThat(Files.readString(lock)).startsWith(ProcessHandle.current().pid() + "@");
  }

  /**
   * A directory this JVM locked through {@link RunLock} is refused from the registry, without a
   * second channel on the file: closing one would drop the JVM's POSIX lock, so a child process
   * started after the refusal must still be refused.
   */
  @Test
  void aRunDirectoryLockedInThisJvmStaysLockedAfterARefusal() throws Exception {
    Path run = Files.createDirectories(tmp.resolve("run"));
    try (RunLock held = RunLock.acquire(run)) {
      CliRunner r =
          CliRunner.train(run, "config/ring.conf", "schedule.iterations=3", "eval.samples=50");
      assertThat(r.status()).as(r.out() + r.err()).isEqualTo(2);
      assertThat(r.errLines().get(0))
          .contains(run.toString())
          .contains("pid " + ProcessHandle.current().pid() + "@");
      TrainProcess other = TrainProcess.start(run, "other", List.of(), List.of());
      assertThat(other.waitFor(120)).as(other.err()).isEqualTo(2);
      assertThat(other.err()).contains("pid " + ProcessHandle.current().pid() + "@");
    }
  }

  private static void awaitRestartThenCheckpoint(Path run, TrainProcess p) {
    Path metrics = run.resolve("metrics.jsonl");
    Await.until(
        Duration.ofSeconds(120),
        Duration.ofMillis(100),
        () -> {
          assertThat(p.process.isAlive()).as("process ended: %s", p.diagnosis()).isTrue();
          return Files.exists(metrics)
              && Files.readString(metrics).contains("\"event\":\"restart\"")
              && CheckpointStore.latest(run).isPresent();
        },
        "a restart and a checkpoint");
  }
}
