package dev.agon.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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
    CliRunner t = tinyImageRun(run, 2);
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
  void theEvaluatorsNumbersAreAgonEvalsNumbersOnTheSameWeights() throws Exception {
    Path run = tmp.resolve("same");
    CliRunner t =
        tinyImageRun(
            run,
            3,
            "eval.samples=300",
            "eval.metrics=[is,fid,pr,classes]",
            "eval.reference-cache=" + tmp.resolve("cache"));
    assertThat(t.status()).as(t.err()).isZero();
    String last = null;
    for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
      if (line.contains("\"event\":\"eval\"")) {
        last = line;
      }
    }
    assertThat(last).as("final evaluation line").isNotNull();
    Config during = ConfigFactory.parseString(last);
    assertThat(during.getInt("step")).isEqualTo(3);
    assertThat(during.getInt("samples")).isEqualTo(300);
    CliRunner e =
        CliRunner.run(
            "eval",
            "--run",
            run.toString(),
            "--n",
            "300",
            "--neighbours",
            "300",
            "--metrics",
            "is,fid,pr,classes,jsd",
            "--jsd-samples",
            "300",
            "--cache",
            tmp.resolve("cache").toString());
    assertThat(e.status()).as(e.err()).isZero();
    // The Evaluator wrote the cache; agon eval read it.
    assertThat(e.out()).contains("real features read from the cache");
    Config offline =
        ConfigFactory.parseString(
            Files.readString(run.resolve("checkpoints/0000000003/eval.json")));
    for (String k :
        new String[] {
          "is",
          "is_std",
          "fid",
          "precision",
          "recall",
          "kl_to_data",
          "jsd_value",
          "jsd_lower_bound",
          "pixel_duplicate_ratio",
          "pixel_distance_ratio"
        }) {
      assertThat(offline.getDouble(k)).as(k).isEqualTo(during.getDouble(k));
    }
    assertThat(during.getString("protocol_classifier")).startsWith("fashion-mnist-cnn");
  }

  @Test
  void twoDimensionalRunsGetModesParzenAndTheJsdBound() throws Exception {
    Path run = tmp.resolve("ring");
    CliRunner t =
        CliRunner.train(run, "config/ring.conf", "schedule.iterations=300", "eval.every-steps=0");
    assertThat(t.status()).as(t.err()).isZero();
    CliRunner e =
        CliRunner.run(
            "eval",
            "--run",
            run.toString(),
            "--metrics",
            "modes,parzen,jsd",
            "--n",
            "2000",
            "--parzen-samples",
            "1000",
            "--jsd-samples",
            "1000");
    assertThat(e.status()).as(e.err()).isZero();
    assertThat(e.out()).contains("modes").contains("Parzen LL").contains("JSD bound");
    Config json =
        ConfigFactory.parseString(
            Files.readString(run.resolve("checkpoints/0000000300/eval.json")));
    assertThat(json.getInt("total_modes")).isEqualTo(8);
    assertThat(json.getInt("modes")).isBetween(0, 8);
    double ll = json.getDouble("parzen_ll");
    assertThat(ll).isFinite();
    assertThat(json.getDouble("parzen_se")).isPositive();
    assertThat(json.getDouble("parzen_sigma")).isBetween(0.1, 1.0);
    // A lower bound on a JSD in nats: never above log 2; (V + log 4)/2 with V <= 0.
    double bound = json.getDouble("jsd_lower_bound");
    assertThat(bound).isLessThanOrEqualTo(Math.log(2));
    assertThat(json.getDouble("jsd_value")).isLessThanOrEqualTo(0.0);
    assertThat(bound).isCloseTo((json.getDouble("jsd_value") + Math.log(4)) / 2, within(1e-12));

    CliRunner wrong = CliRunner.run("eval", "--run", run.toString(), "--metrics", "fid");
    assertThat(wrong.status()).isEqualTo(2);
    assertThat(wrong.err()).contains("metric 'fid' does not apply to 2-D data");
  }

  /** Needs the Fashion-MNIST train split (Debian's dataset-fashion-mnist; .ci/run installs it). */
  @Test
  void imageRunsGetParzenOnPixelsAndTheJsdBoundOnTheHeldOutSplit() throws Exception {
    Path run = tmp.resolve("img");
    CliRunner t = tinyImageRun(run, 2, "eval.metrics=[]");
    assertThat(t.status()).as(t.err()).isZero();
    CliRunner e =
        CliRunner.run(
            "eval",
            "--run",
            run.toString(),
            "--metrics",
            "parzen,jsd",
            "--parzen-samples",
            "100",
            "--jsd-samples",
            "200");
    assertThat(e.status()).as(e.err()).isZero();
    Config json =
        ConfigFactory.parseString(
            Files.readString(run.resolve("checkpoints/0000000002/eval.json")));
    assertThat(json.hasPath("fid")).isFalse();
    // 784 pixels in [0, 1] around 100 untrained samples: a very low log-likelihood per image
    assertThat(json.getDouble("parzen_ll")).isFinite().isLessThan(0.0);
    assertThat(json.getString("protocol_parzen")).contains("last 10,000 train images");
    assertThat(json.getDouble("jsd_lower_bound")).isLessThanOrEqualTo(Math.log(2));
    assertThat(json.getString("protocol_jsd")).contains("200 held-out real, 200 fresh fakes");
  }

  @Test
  void unknownMetricsAreNamed() {
    CliRunner r = CliRunner.run("eval", "--real", "test:test", "--metrics", "is,inception");
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).contains("unknown metric 'inception'").contains("parzen");
  }

  @Test
  void needsExactlyOneOfRunAndReal() {
    CliRunner r = CliRunner.run("eval");
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).contains("exactly one of --run DIR and --real A:B");
  }

  /** A DCGAN of width 4 trained for {@code iterations} at batch 8, scored only at the end. */
  private static CliRunner tinyImageRun(Path run, int iterations, String... sets) {
    String[] all = new String[sets.length + 4];
    all[0] = "schedule.iterations=" + iterations;
    all[1] = "schedule.batch-size=8";
    all[2] = "model.dcgan.width=4";
    all[3] = "eval.every-steps=0";
    System.arraycopy(sets, 0, all, 4, sets.length);
    return CliRunner.train(run, null, all);
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
