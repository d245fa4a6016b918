package dev.agon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.agon.checkpoint.BestCheckpoint;
import dev.agon.tensor.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The user's path: train a short run, then export samples from it. */
class TrainAndSampleTest {
  @TempDir Path tmp;

  @Test
  void trainWritesRunDirectoryAndSampleExportsNpyAndPng() throws Exception {
    Path run = tmp.resolve("short");
    CliRunner t =
        CliRunner.train(
            run,
            "config/ring.conf",
            "schedule.iterations=30",
            "schedule.k=2",
            "schedule.batch-size=32",
            "eval.samples=100",
            "eval.every-steps=10");
    assertThat(t.status()).as(t.err()).isZero();
    assertThat(t.out()).contains("finished after 30 G updates and 60 D updates");
    assertThat(run.resolve("config.conf")).isRegularFile();
    assertThat(Files.readString(run.resolve("config.conf"))).contains("iterations").contains("30");
    assertThat(run.resolve("agon.log")).isRegularFile();
    List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
    List<Config> events = lines.stream().map(ConfigFactory::parseString).toList();
    assertThat(events.get(0).getString("event")).isEqualTo("run_start");
    assertThat(events.stream().filter(e -> e.getString("event").equals("d_step"))).hasSize(60);
    List<Config> g = events.stream().filter(e -> e.getString("event").equals("g_step")).toList();
    assertThat(g).hasSize(30);
    assertThat(g.get(29).getLong("d_version_used")).isEqualTo(60);
    assertThat(g.get(29).getDouble("loss_g")).isFinite();
    Config last = events.get(events.size() - 1);
    assertThat(last.getString("event")).isEqualTo("eval");
    assertThat(last.getBoolean("final")).isTrue();
    // The Evaluator scored snapshots during the run; the first one falls due at G update 10
    // with the Evaluator idle, so it is never skipped.
    List<Config> periodic =
        events.stream()
            .filter(e -> e.getString("event").equals("eval") && !e.hasPath("final"))
            .toList();
    assertThat(periodic).isNotEmpty();
    assertThat(periodic.get(0).getLong("step")).isEqualTo(10);
    assertThat(periodic.get(0).getLong("g_version")).isEqualTo(10);
    // Its JSD bound read the D that G update 10 trained against: D version k * 10 (s = 0); the
    // final one reads the final D.
    assertThat(periodic.get(0).getLong("jsd_d_version")).isEqualTo(20);
    assertThat(periodic.get(0).getDouble("jsd_lower_bound")).isLessThanOrEqualTo(Math.log(2));
    assertThat(last.getLong("jsd_d_version")).isEqualTo(60);
    assertThat(last.getString("protocol_jsd")).contains("100 held-out real, 100 fresh fakes");
    assertThat(run.resolve("samples/step-0000010.png")).isRegularFile();
    assertThat(run.resolve("samples/latest.png")).isRegularFile();
    // The final evaluation draws its plot too, and names it in its event.
    assertThat(run.resolve("samples/step-0000030.png")).isRegularFile();
    assertThat(last.getString("plot")).isEqualTo("step-0000030.png");

    Path npy = tmp.resolve("s.npy");
    Path png = tmp.resolve("s.png");
    CliRunner s =
        CliRunner.run(
            "sample",
            "--run",
            run.toString(),
            "--n",
            "300",
            "--out",
            npy.toString(),
            "--png",
            png.toString());
    assertThat(s.status()).as(s.err()).isZero();
    Npy.Array a = Npy.readFloat32(npy);
    assertThat(a.shape()).containsExactly(300, 2);
    assertThat(png).isRegularFile();
    assertThat(javax.imageio.ImageIO.read(png.toFile()).getWidth()).isEqualTo(640);
  }

  /** The default experiment's path, narrowed: image grids during and after, NCHW sample export. */
  @Test
  void imageRunWritesSampleGridsAndSampleExportsNchw() throws Exception {
    Path run = tmp.resolve("dcgan");
    CliRunner t =
        CliRunner.train(
            run,
            null,
            "schedule.iterations=4",
            "schedule.batch-size=8",
            "model.dcgan.width=4",
            "eval.every-steps=2");
    assertThat(t.status()).as(t.err()).isZero();
    assertThat(t.out()).contains("finished after 4 G updates and 4 D updates");
    java.awt.image.BufferedImage grid =
        javax.imageio.ImageIO.read(run.resolve("samples/step-0000004.png").toFile());
    // 8 x 8 images of 28 x 28 at scale 3 with 2-pixel borders
    assertThat(grid.getWidth()).isEqualTo(8 * (28 * 3 + 2) + 2);
    // (A periodic grid at update 2 may be skipped: the Evaluator skips while it is still
    // starting or busy. The final grid above is always drawn.)
    assertThat(run.resolve("samples/latest.png")).isRegularFile();

    Path npy = tmp.resolve("images.npy");
    Path png = tmp.resolve("images.png");
    CliRunner s =
        CliRunner.run(
            "sample",
            "--run",
            run.toString(),
            "--n",
            "10",
            "--out",
            npy.toString(),
            "--png",
            png.toString());
    assertThat(s.status()).as(s.err()).isZero();
    Npy.Array a = Npy.readFloat32(npy);
    assertThat(a.shape()).containsExactly(10L, 1L, 28L, 28L);
    for (float v : a.data()) {
      assertThat(v).isBetween(-1f, 1f);
    }
    assertThat(javax.imageio.ImageIO.read(png.toFile()).getWidth()).isEqualTo(4 * (28 * 3 + 2) + 2);
  }

  @Test
  void generatorEmaIsCheckpointedAndUsedForTheFinalEvaluation() throws Exception {
    Path run = tmp.resolve("ema");
    CliRunner t =
        CliRunner.train(
            run,
            "config/ring.conf",
            "schedule.iterations=20",
            "schedule.batch-size=16",
            "stabilizers.generator-ema.enabled=true",
            "stabilizers.generator-ema.decay=0.9",
            "stabilizers.historical-averaging.discriminator-weight=0.1");
    assertThat(t.status()).as(t.err()).isZero();
    Path checkpoint = run.resolve("checkpoints/0000000020");
    assertThat(checkpoint.resolve("generator_ema.f32")).isRegularFile();
    assertThat(dev.agon.checkpoint.CheckpointStore.read(checkpoint).tensors().get("generator_ema"))
        .isNotNull();
    List<Config> events =
        Files.readAllLines(run.resolve("metrics.jsonl")).stream()
            .map(ConfigFactory::parseString)
            .toList();
    Config last = events.get(events.size() - 1);
    assertThat(last.getBoolean("ema")).isTrue();
    // Historical averaging on D reports a penalty from its second update on.
    assertThat(
            events.stream()
                .filter(e -> e.getString("event").equals("d_step") && e.getLong("step") > 1)
                .allMatch(e -> e.getDouble("penalty_d") > 0))
        .isTrue();
  }

  @Test
  void runDirectoryWithCheckpointsIsResumedAndAChangedConfigRefused() throws Exception {
    Path run = tmp.resolve("done");
    CliRunner first =
        CliRunner.train(run, "config/ring.conf", "schedule.iterations=2", "schedule.batch-size=8");
    assertThat(first.status()).as(first.err()).isZero();
    CliRunner changed = CliRunner.train(run, "config/ring.conf");
    assertThat(changed.status()).isEqualTo(2);
    assertThat(changed.err())
        .contains("resume refused")
        .contains("schedule.batch-size: 8 -> 512")
        .contains("--allow-config-change")
        .doesNotContain("Exception");
    CliRunner resumed =
        CliRunner.train(run, "config/ring.conf", "schedule.iterations=4", "schedule.batch-size=8");
    assertThat(resumed.status()).as(resumed.err()).isZero();
    assertThat(resumed.out())
        .contains("resuming from")
        .contains("finished after 4 G updates and 4 D updates");
    assertThat(run.resolve("checkpoints/0000000002/manifest.json")).isRegularFile();
    assertThat(run.resolve("checkpoints/0000000004/manifest.json")).isRegularFile();
  }

  /**
   * Issue 17 item 5: with checkpoint.best-metric, retention keeps the best-scoring checkpoint
   * beside the newest; the run's summary says which weights its score belongs to and names the best
   * one; {@code sample --step best} and {@code eval --step best} read exactly that checkpoint.
   */
  @Test
  void bestCheckpointIsNamedAndReadByStepBest() throws Exception {
    Path run = tmp.resolve("best");
    CliRunner t =
        CliRunner.train(
            run,
            "config/ring.conf",
            "schedule.iterations=60",
            "schedule.batch-size=64",
            "eval.samples=500",
            "eval.every-steps=10",
            "checkpoint.every-steps=10",
            "checkpoint.keep-last=1",
            "checkpoint.best-metric=high-quality");
    assertThat(t.status()).as(t.err()).isZero();
    BestCheckpoint best = BestCheckpoint.read(run).orElseThrow();
    assertThat(t.out())
        .contains("agon: final iterate at G update 60: modes ")
        .contains(
            "agon: best evaluated checkpoint: G update "
                + best.step()
                + ", high_quality "
                + best.value()
                + " (agon sample --step best)");
    // It is an evaluation the run recorded (the final one competes too), no worse than any
    // evaluation of a checkpoint before it. Only checkpoints (every 10 updates) compete: an
    // evaluation that found the evaluator busy at its step runs later, on a snapshot of a step
    // that has no checkpoint (seen: step 47), and cannot become the best checkpoint.
    List<Config> evals =
        Files.readAllLines(run.resolve("metrics.jsonl")).stream()
            .map(ConfigFactory::parseString)
            .filter(e -> e.getString("event").equals("eval"))
            .toList();
    assertThat(evals)
        .anySatisfy(
            e -> {
              assertThat(e.getLong("step")).isEqualTo(best.step());
              assertThat(e.getDouble("high_quality")).isEqualTo(best.value());
            });
    assertThat(
            evals.stream()
                .filter(e -> e.getLong("step") < best.step() && e.getLong("step") % 10 == 0))
        .allSatisfy(e -> assertThat(e.getDouble("high_quality")).isLessThanOrEqualTo(best.value()));
    // keep-last = 1: the newest and the best are what is left.
    assertThat(run.resolve("checkpoints").resolve(String.format("%010d", best.step())))
        .isDirectory();
    assertThat(run.resolve("checkpoints/0000000060")).isDirectory();

    Path byName = tmp.resolve("best.npy");
    Path byStep = tmp.resolve("step.npy");
    CliRunner a =
        CliRunner.run(
            "sample", "--run", run.toString(), "--step", "best", "--n", "50", "--out", "" + byName);
    CliRunner b =
        CliRunner.run(
            "sample",
            "--run",
            run.toString(),
            "--step",
            "" + best.step(),
            "--n",
            "50",
            "--out",
            "" + byStep);
    assertThat(a.status()).as(a.err()).isZero();
    assertThat(b.status()).as(b.err()).isZero();
    assertThat(a.out()).contains("(G update " + best.step() + ", G's weights)");
    assertThat(Files.readAllBytes(byName)).isEqualTo(Files.readAllBytes(byStep));
    CliRunner e = CliRunner.run("eval", "--run", run.toString(), "--step", "best");
    assertThat(e.status()).as(e.err()).isZero();
    assertThat(
            run.resolve("checkpoints")
                .resolve(String.format("%010d", best.step()))
                .resolve("eval.json"))
        .isRegularFile();
  }
}
