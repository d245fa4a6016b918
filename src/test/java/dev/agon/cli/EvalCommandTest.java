package dev.agon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code agon eval} with the shipped classifier, on real data and on a (barely trained) run. */
class EvalCommandTest {
  @TempDir Path tmp;

  @Test
  void realSplitAgainstItselfScoresLikeRealData() {
    CliRunner r =
        CliRunner.run(
            "eval", "--real", "test:test", "--n", "300", "--metrics", "is,fid,pr,classes");
    assertThat(r.status()).as(r.err()).isZero();
    String out = r.out();
    assertThat(out).contains("fashion-mnist/test (first 300) against fashion-mnist/test");
    // 300 real images against all 10,000 of their split: high IS, all classes, precision ~1
    double is = value(out, "IS");
    assertThat(is).isGreaterThan(5.0);
    assertThat(out).contains("classes 10/10");
    assertThat(value(out, "precision / recall")).isGreaterThan(0.8);
  }

  @Test
  void runScoresWriteJsonBesideTheCheckpointAndFlagAnUntrainedGenerator() throws Exception {
    Path run = tmp.resolve("r");
    CliRunner t =
        CliRunner.run(
            "train",
            "--run",
            run.toString(),
            "--quiet",
            "--set",
            "schedule.iterations=2",
            "--set",
            "schedule.batch-size=8",
            "--set",
            "model.dcgan.width=4",
            "--set",
            "eval.every-steps=0");
    assertThat(t.status()).as(t.err()).isZero();
    CliRunner e = CliRunner.run("eval", "--run", run.toString(), "--n", "200");
    assertThat(e.status()).as(e.err()).isZero();
    Config json =
        ConfigFactory.parseString(
            Files.readString(run.resolve("checkpoints/0000000002/eval.json")));
    assertThat(json.getInt("samples")).isEqualTo(200);
    // Two updates of a tiny G: far from the data in every metric.
    assertThat(json.getDouble("fid")).isGreaterThan(10.0);
    assertThat(json.getDouble("is")).isLessThan(5.0);
    // Near-identical fakes: their own manifold is tiny, so few real images fall inside it.
    assertThat(json.getDouble("recall")).isLessThan(0.5);
    assertThat(json.getDouble("coverage")).isLessThan(0.5);
    assertThat(json.getString("protocol_classifier")).startsWith("fashion-mnist-cnn");
  }

  @Test
  void needsExactlyOneOfRunAndReal() {
    CliRunner r = CliRunner.run("eval");
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).contains("exactly one of --run DIR and --real A:B");
  }

  /** The first number after {@code name} on its line of the table. */
  private static double value(String out, String name) {
    for (String line : out.split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(20).trim().split("[ /±]+")[0]);
      }
    }
    throw new AssertionError("no line " + name + " in\n" + out);
  }
}
