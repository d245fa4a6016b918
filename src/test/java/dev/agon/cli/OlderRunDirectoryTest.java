package dev.agon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run directory written by an older Agon has a {@code config.conf} without the keys added since:
 * {@code agon sample} and {@code agon eval} read it with those keys at their embedded defaults (as
 * a resume treats them: no change), saying so in one warning line, instead of refusing the run as
 * if its file were damaged. A key the defaults do not know stays an error.
 */
class OlderRunDirectoryTest {
  @TempDir Path dir;

  /** Keys of issue 17 (gradient penalties, schedules): absent from runs written before it. */
  static final List<String> NEWER = List.of("lazy-every", "r1-gamma", "r2-gamma");

  @Test
  void sampleAndEvalReadARunWithoutTheKeysAddedSinceAtTheirDefaults() throws Exception {
    Path run = dir.resolve("run");
    CliRunner t =
        CliRunner.train(
            run,
            "config/ring.conf",
            "schedule.iterations=2",
            "schedule.batch-size=8",
            "eval.samples=50");
    assertThat(t.status()).as(t.err()).isZero();
    Path config = run.resolve("config.conf");
    Files.writeString(config, older(Files.readString(config)));

    Path out = dir.resolve("s.npy");
    CliRunner s = CliRunner.run("sample", "--run", run.toString(), "--n", "10", "--out", "" + out);
    assertThat(s.status()).as(s.err()).isZero();
    assertThat(out).isRegularFile();
    assertThat(s.errLines())
        .singleElement()
        .asString()
        .startsWith("warning: ")
        .contains(
            "objective.r1-gamma",
            "objective.lazy-every",
            "optim.generator.schedule",
            "optim.discriminator.schedule",
            "embedded default");

    CliRunner e = CliRunner.run("eval", "--run", run.toString(), "--n", "100");
    assertThat(e.status()).as(e.err()).isZero();
    assertThat(e.errLines()).singleElement().asString().startsWith("warning: ");
  }

  @Test
  void aKeyTheDefaultsDoNotKnowIsStillAnError() throws Exception {
    Path run = dir.resolve("run");
    CliRunner t =
        CliRunner.train(run, "config/ring.conf", "schedule.iterations=2", "schedule.batch-size=8");
    assertThat(t.status()).as(t.err()).isZero();
    Path config = run.resolve("config.conf");
    Files.writeString(config, Files.readString(config).replace("  r1-gamma", "  r1-gama"));
    CliRunner s =
        CliRunner.run("sample", "--run", run.toString(), "--out", "" + dir.resolve("s.npy"));
    assertThat(s.status()).isEqualTo(2);
    assertThat(s.err()).contains("objective.r1-gama: unknown key");
    assertThat(dir.resolve("s.npy")).doesNotExist();
  }

  /** The text an Agon before issue 17 wrote: without its keys and the players' schedule blocks. */
  static String older(String rendered) {
    List<String> kept = new ArrayList<>();
    boolean inSchedule = false;
    for (String line : rendered.lines().toList()) {
      String key = line.strip();
      if (key.equals("schedule {") && line.startsWith("    ")) {
        inSchedule = true;
        continue;
      }
      if (inSchedule) {
        inSchedule = !key.equals("}");
        continue;
      }
      if (NEWER.stream().anyMatch(k -> key.startsWith(k + " "))) {
        continue;
      }
      kept.add(line);
    }
    String text = String.join("\n", kept) + "\n";
    assertThat(text).doesNotContain("r1-gamma", "kind = constant");
    return text;
  }
}
