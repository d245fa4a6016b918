package dev.agon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import dev.agon.checkpoint.CheckpointStore;
import dev.agon.testing.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code metrics.jsonl} after kill -9: the training JVM is killed at seeded moments of its progress
 * (each a G update the log must show first, so some land right after a buffer was written out,
 * mid-line) and resumed each time; after the last run finishes, every line parses as JSON and every
 * G and D update of the finished run is recorded exactly once (records a resumed run redoes are
 * dropped, records the resumed checkpoint holds are kept).
 */
@Tag("slow")
class MetricsLogKillTest {
  @TempDir Path tmp;

  static final int KILLS = 4;

  /** Updates the last, uninterrupted process trains beyond the newest checkpoint. */
  static final long TAIL = 30;

  static final List<String> EXTRA =
      List.of("checkpoint.every-steps=20", "eval.every-steps=25", "eval.samples=200");

  @Test
  void afterKillsAndResumesEveryLineParsesAndEveryUpdateIsRecordedOnce() throws Exception {
    Path run = tmp.resolve("run");
    Path log = run.resolve("metrics.jsonl");
    Random rnd = new Random(20270112L);
    long reached = 0;
    for (int i = 0; i < KILLS; i++) {
      TrainProcess p =
          TrainProcess.start(
              run, "kill" + i, List.of(), sets(KillResumeFaultTest.ITERATIONS)); // never ends
      long target = reached + 25 + rnd.nextInt(50);
      int n = i;
      Await.until(
          Duration.ofSeconds(90),
          Duration.ofMillis(10),
          () -> {
            assertThat(p.process.isAlive()).as("process %d exited: %s", n, p.diagnosis()).isTrue();
            return lastGStep(log) >= target;
          },
          "G update " + target + " in the log");
      reached = lastGStep(log);
      p.signal("KILL");
      assertThat(p.waitFor(30)).as("kill %d: exit status; %s", i, p.diagnosis()).isEqualTo(137);
    }
    long end = CheckpointStore.latestValid(run, w -> {}).orElseThrow().step() + TAIL;
    TrainProcess last = TrainProcess.start(run, "last", List.of(), sets(end));
    assertThat(last.waitFor(120)).as(last.err()).isZero();
    long dEnd =
        Long.parseLong(
            CheckpointStore.read(CheckpointStore.dirOf(run, end)).engine().get("engine.d_done"));

    List<String> unparsable = new ArrayList<>();
    TreeMap<Long, Integer> g = new TreeMap<>();
    TreeMap<Long, Integer> d = new TreeMap<>();
    TreeMap<Long, Integer> evals = new TreeMap<>();
    List<String> lines = Files.readAllLines(log);
    for (int n = 0; n < lines.size(); n++) {
      Config c = parse(lines.get(n));
      if (c == null) {
        unparsable.add((n + 1) + ": " + lines.get(n));
        continue;
      }
      switch (c.getString("event")) {
        case "g_step" -> g.merge(c.getLong("step"), 1, Integer::sum);
        case "d_step" -> d.merge(c.getLong("step"), 1, Integer::sum);
        case "eval" -> {
          if (!c.hasPath("final")) {
            evals.merge(c.getLong("step"), 1, Integer::sum);
          }
        }
        default -> {}
      }
    }
    assertThat(unparsable).as("lines of %s that are not JSON", log).isEmpty();
    assertThat(g.keySet()).as("G updates recorded").containsExactlyElementsOf(range(end));
    assertThat(g.values()).as("G updates recorded more than once").allMatch(v -> v == 1);
    assertThat(d.keySet()).as("D updates recorded").containsExactlyElementsOf(range(dEnd));
    assertThat(d.values()).as("D updates recorded more than once").allMatch(v -> v == 1);
    assertThat(evals.values()).as("evaluations recorded more than once").allMatch(v -> v == 1);
  }

  private static List<String> sets(long iterations) {
    List<String> s = new ArrayList<>(KillResumeFaultTest.run(iterations));
    s.removeIf(o -> o.startsWith("checkpoint.every-steps=") || o.startsWith("eval.every-steps="));
    s.addAll(EXTRA);
    return s;
  }

  private static List<Long> range(long n) {
    List<Long> r = new ArrayList<>();
    for (long i = 1; i <= n; i++) {
      r.add(i);
    }
    return r;
  }

  /** A line as strict JSON, or null when it is not. */
  static Config parse(String line) {
    try {
      return ConfigFactory.parseString(
          line, ConfigParseOptions.defaults().setSyntax(ConfigSyntax.JSON));
    } catch (ConfigException e) {
      return null;
    }
  }

  /** The highest G update of a whole {@code g_step} line in the log (0 when there is none). */
  static long lastGStep(Path log) throws IOException {
    if (!Files.exists(log)) {
      return 0;
    }
    long max = 0;
    for (String line : Files.readAllLines(log)) {
      if (line.startsWith("{\"event\":\"g_step\"") && line.endsWith("}")) {
        Config c = parse(line);
        if (c != null) {
          max = Math.max(max, c.getLong("step"));
        }
      }
    }
    return max;
  }
}
