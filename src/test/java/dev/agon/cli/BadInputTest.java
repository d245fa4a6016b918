package dev.agon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input: one clear line naming the key and where it came from, exit status 2, no trace. */
class BadInputTest {
  @TempDir Path dir;

  Path file(String name, String text) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, text);
    return f;
  }

  void assertOneCleanError(CliRunner r, String... fragments) {
    assertThat(r.status()).as(r.err()).isEqualTo(2);
    assertThat(r.errLines()).as(r.err()).hasSize(1);
    assertThat(r.errLines().get(0)).startsWith("error: ").contains(fragments);
    assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void unknownKeyNamesKeyFileLineAndSuggestion() throws IOException {
    Path f = file("typo.conf", "run.name = x\nschedule {\n  bach-size = 64\n}\n");
    CliRunner r = CliRunner.run("train", "--config", f.toString());
    assertOneCleanError(r, f + ":3", "schedule.bach-size", "schedule.batch-size");
  }

  @Test
  void wrongTypeNamesKeyAndLine() throws IOException {
    Path f = file("type.conf", "schedule.k = three\n");
    assertOneCleanError(CliRunner.run("train", "--config", f.toString()), f + ":1", "schedule.k");
  }

  @Test
  void missingFileIsNamed() {
    Path f = dir.resolve("nope.conf");
    assertOneCleanError(CliRunner.run("train", "--config", f.toString()), "nope.conf");
  }

  @Test
  void nonPositiveBatchSizeFromFileAndFromOverride() throws IOException {
    Path f = file("batch.conf", "# comment\nschedule.batch-size = 0\n");
    assertOneCleanError(
        CliRunner.run("train", "--config", f.toString()), f + ":2", "schedule.batch-size");
    assertOneCleanError(
        CliRunner.run("train", "--set", "schedule.batch-size=-5"), "--set", "schedule.batch-size");
  }

  @Test
  void configCheckAcceptsTheShippedExperimentsAndRejectsBadOnes() throws IOException {
    for (String exp : new String[] {"config/ring.conf", "config/grid.conf"}) {
      CliRunner ok = CliRunner.run("config", "check", exp);
      assertThat(ok.status()).as(ok.err()).isZero();
      assertThat(ok.out()).contains("ok: " + exp);
    }
    Path f = file("bad.conf", "model.latent-dim = 0\n");
    assertOneCleanError(CliRunner.run("config", "check", f.toString()), "model.latent-dim");
  }

  @Test
  void sampleWithoutRunDirectoryIsAUsageError() {
    assertOneCleanError(
        CliRunner.run("sample", "--run", dir.resolve("missing").toString(), "--out", "x.npy"),
        "not a run directory");
  }

  @Test
  void missingOrCorruptDataSetIsNamedAndNoRunDirectoryIsMade() throws IOException {
    Path run = dir.resolve("run");
    Path mnist = dir.resolve("mnist");
    assertOneCleanError(
        CliRunner.run(
            "train",
            "--run",
            run.toString(),
            "--set",
            "data.kind=mnist",
            "--set",
            "data.path=\"" + mnist + "\""),
        mnist.toString(),
        "t10k-images-idx3-ubyte");
    Files.createDirectories(mnist);
    Files.write(mnist.resolve("t10k-images-idx3-ubyte"), new byte[] {0, 0, 8, 3, 0, 0, 0, 5});
    assertOneCleanError(
        CliRunner.run(
            "train",
            "--run",
            run.toString(),
            "--set",
            "data.kind=mnist",
            "--set",
            "data.path=\"" + mnist + "\""),
        "t10k-images-idx3-ubyte");
    assertThat(run).doesNotExist();
  }
}
