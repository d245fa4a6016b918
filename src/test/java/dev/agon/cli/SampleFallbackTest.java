package dev.agon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.checkpoint.CheckpointStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which checkpoint {@code agon sample}, {@code agon eval} and a resumed {@code agon train} take
 * when the newest one cannot be trusted: a corrupt newest checkpoint, or a directory whose name
 * disagrees with its manifest's step. They fall back to the newest checkpoint that reads back
 * whole, with a warning naming the one skipped, as a resume does; retention never deletes real
 * checkpoints to keep a misnamed one.
 */
class SampleFallbackTest {
  @TempDir static Path shared;
  static Path trained;

  static final String[] RUN = {
    "schedule.batch-size=8", "eval.samples=50", "checkpoint.every-steps=2", "checkpoint.keep-last=3"
  };

  /** A run with checkpoints at G updates 2 and 4. */
  @BeforeAll
  static void trainOnce() {
    trained = shared.resolve("trained");
    CliRunner r = train(trained, 4);
    assertThat(r.status()).as(r.err()).isZero();
    assertThat(CheckpointStore.dirOf(trained, 2)).isDirectory();
    assertThat(CheckpointStore.dirOf(trained, 4)).isDirectory();
  }

  @TempDir Path dir;

  @Test
  void sampleSkipsACorruptNewestCheckpointWithAWarning() throws Exception {
    Path run = copy();
    corrupt(CheckpointStore.dirOf(run, 4));
    Path out = dir.resolve("s.npy");
    CliRunner r = CliRunner.run("sample", "--run", run.toString(), "--n", "10", "--out", "" + out);
    assertThat(r.status()).as(r.err()).isZero();
    assertThat(out).isRegularFile();
    assertThat(r.errLines())
        .singleElement()
        .asString()
        .startsWith("warning: skipping checkpoint 0000000004: ")
        .contains("SHA-256 mismatch");
  }

  @Test
  void evalScoresTheNewestWholeCheckpointWithAWarning() throws Exception {
    Path run = copy();
    corrupt(CheckpointStore.dirOf(run, 4));
    CliRunner r = CliRunner.run("eval", "--run", run.toString(), "--n", "100");
    assertThat(r.status()).as(r.err()).isZero();
    assertThat(r.out()).contains("agon eval: " + CheckpointStore.dirOf(run, 2));
    assertThat(r.errLines())
        .singleElement()
        .asString()
        .startsWith("warning: skipping checkpoint 0000000004: ");
  }

  @Test
  void aDirectoryNamedForAnotherStepIsSkippedNotTrusted() throws Exception {
    Path run = copy();
    Path misnamed = copyDir(CheckpointStore.dirOf(run, 2), CheckpointStore.dirOf(run, 9));
    CliRunner r = CliRunner.run("eval", "--run", run.toString(), "--n", "100");
    assertThat(r.status()).as(r.err()).isZero();
    assertThat(r.out()).contains("agon eval: " + CheckpointStore.dirOf(run, 4));
    assertThat(r.errLines())
        .singleElement()
        .asString()
        .startsWith("warning: skipping checkpoint 0000000009: ")
        .contains("G update 2");
    assertThat(misnamed.resolve(CheckpointStore.MANIFEST)).isRegularFile();
  }

  @Test
  void aResumeSkipsAMisnamedCheckpointAndRetentionKeepsTheRealOnes() throws Exception {
    Path run = copy();
    Path misnamed = copyDir(CheckpointStore.dirOf(run, 2), CheckpointStore.dirOf(run, 9));
    CliRunner r =
        CliRunner.train(
            run,
            "config/ring.conf",
            "schedule.batch-size=8",
            "eval.samples=50",
            "checkpoint.every-steps=2",
            "checkpoint.keep-last=2",
            "schedule.iterations=6");
    assertThat(r.status()).as(r.err()).isZero();
    assertThat(r.out()).contains("finished after 6 G updates");
    // Resumed from 4, the newest whole checkpoint, not from the one named 9 (which holds 2).
    assertThat(Files.readString(run.resolve("metrics.jsonl")))
        .contains("\"event\":\"resumed_from\",\"g_step\":4,");
    assertThat(CheckpointStore.list(run))
        .containsExactly(misnamed, CheckpointStore.dirOf(run, 6), CheckpointStore.dirOf(run, 4));
  }

  private static CliRunner train(Path run, long iterations) {
    List<String> sets = new java.util.ArrayList<>(List.of(RUN));
    sets.add("schedule.iterations=" + iterations);
    return CliRunner.train(run, "config/ring.conf", sets.toArray(String[]::new));
  }

  private static void corrupt(Path checkpoint) throws Exception {
    Path f = checkpoint.resolve("generator.f32");
    byte[] b = Files.readAllBytes(f);
    b[b.length / 2] ^= 0x40;
    Files.write(f, b);
  }

  private Path copy() throws Exception {
    return copyDir(trained, dir.resolve("run"));
  }

  private static Path copyDir(Path from, Path to) throws Exception {
    try (var s = Files.walk(from)) {
      for (Path p : s.sorted().toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
    return to;
  }
}
