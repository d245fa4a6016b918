package dev.agon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a resume makes of the {@code metrics.jsonl} a killed process left: a torn last line is cut
 * off (not ended, which would leave an unparsable line mid-file), records of updates past the
 * checkpoint it resumes from are dropped (the run redoes them), and evaluations of G versions the
 * checkpoint holds are kept. The kill itself is simulated by appending what a killed writer leaves.
 */
class MetricsLogRecoveryTest {
  @TempDir static Path shared;
  static Path trained;

  static final String[] RUN = {
    "schedule.batch-size=8", "eval.samples=50", "checkpoint.every-steps=0"
  };

  /** A run trained to its final checkpoint at G update 3. */
  @BeforeAll
  static void trainOnce() {
    trained = shared.resolve("trained");
    CliRunner r = train(trained, 3);
    assertThat(r.status()).as(r.err()).isZero();
  }

  @TempDir Path dir;

  @Test
  void aTornLastLineIsCutOffNotEnded() throws Exception {
    Path run = copy();
    append(run, "{\"event\":\"g_step\",\"step\":4,\"d_version_used\":3,\"stal");
    resume(run, 5);
    assertWholeAndOnce(run, 5);
  }

  @Test
  void recordsOfUpdatesPastTheCheckpointAreDroppedOnResume() throws Exception {
    Path run = copy();
    append(run, line("d_step", 4) + "\n" + line("g_step", 4) + "\n" + line("d_step", 5) + "\n");
    resume(run, 6);
    assertWholeAndOnce(run, 6);
  }

  @Test
  void anEvaluationOfAVersionTheCheckpointHoldsIsKept() throws Exception {
    Path run = copy();
    String eval = "{\"event\":\"eval\",\"step\":2,\"g_version\":2,\"ema\":false,\"samples\":50}";
    append(run, line("g_step", 4) + "\n" + eval + "\n" + line("d_step", 4) + "\n");
    resume(run, 5);
    assertWholeAndOnce(run, 5);
    assertThat(Files.readAllLines(run.resolve("metrics.jsonl"))).contains(eval);
  }

  private Path copy() throws Exception {
    Path run = dir.resolve("run");
    try (var s = Files.walk(trained)) {
      for (Path p : s.sorted().toList()) {
        Path t = run.resolve(trained.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
    return run;
  }

  private static CliRunner train(Path run, long iterations) {
    List<String> sets = new ArrayList<>(List.of(RUN));
    sets.add("schedule.iterations=" + iterations);
    return CliRunner.train(run, "config/ring.conf", sets.toArray(String[]::new));
  }

  private static void resume(Path run, long iterations) {
    CliRunner r = train(run, iterations);
    assertThat(r.status()).as(r.err()).isZero();
  }

  private static String line(String event, long step) {
    return "{\"event\":\"" + event + "\",\"step\":" + step + ",\"ms\":1.0}";
  }

  private static void append(Path run, String text) throws Exception {
    Files.writeString(
        run.resolve("metrics.jsonl"), text, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
  }

  /** Every line is JSON; G updates 1..n and D updates 1..n (k = 1) appear once each. */
  private static void assertWholeAndOnce(Path run, long n) throws Exception {
    List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
    List<Long> g = new ArrayList<>();
    List<Long> d = new ArrayList<>();
    for (String l : lines) {
      Config c = MetricsLogKillTest.parse(l);
      assertThat(c).as("not JSON: %s", l).isNotNull();
      if (c.getString("event").equals("g_step")) {
        g.add(c.getLong("step"));
      } else if (c.getString("event").equals("d_step")) {
        d.add(c.getLong("step"));
      }
    }
    List<Long> expected = new ArrayList<>();
    for (long i = 1; i <= n; i++) {
      expected.add(i);
    }
    assertThat(g).as("G updates in order, once each").isEqualTo(expected);
    assertThat(d).as("D updates in order, once each").isEqualTo(expected);
  }
}
