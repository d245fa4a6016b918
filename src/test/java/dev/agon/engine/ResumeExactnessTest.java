package dev.agon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.checkpoint.CheckpointStore;
import dev.agon.config.ConfigLoader;
import dev.agon.config.LoadedConfig;
import dev.agon.tensor.Tensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A run stopped at G update T and resumed must be bit-identical at T + N to a run that never
 * stopped: parameters, optimizer moments, historical averages, G-EMA and network state (batch-norm
 * statistics), and the counters. Both an MLP ring run (Adam, k = 2, averaging and EMA) and a small
 * image run (DCGAN with batch norm in D, virtual batch norm in G, historical averaging, EMA,
 * minibatch discrimination) are checked, synchronously (s = 0).
 */
class ResumeExactnessTest {
  @TempDir Path tmp;

  @Test
  void ringMlpResumedAtTIsBitIdenticalAtTPlusN() throws Exception {
    assertResumeExact(
        "config/ring.conf",
        6,
        10,
        smallRing(
            "stabilizers.historical-averaging.generator-weight=0.01",
            "stabilizers.historical-averaging.discriminator-weight=0.01",
            "stabilizers.generator-ema.enabled=true",
            "stabilizers.generator-ema.decay=0.9",
            "stabilizers.generator-ema.start=2",
            "seed=11"));
  }

  /**
   * Issue 17: R1 and R2 (lazy, every 3rd D update, so lazy and eager updates fall on both sides of
   * the cut) and a learning-rate schedule on each player that changes the rate across the cut
   * (cosine for G, step for D). The schedules are functions of the update count and the base rate
   * the checkpoint carries, the penalties draw nothing: the resumed run must match bit for bit.
   */
  @Test
  void ringWithPenaltiesAndSchedulesResumedIsBitIdentical() throws Exception {
    assertResumeExact(
        "config/ring.conf",
        6,
        10,
        smallRing(
            "model.discriminator.activation=leaky-relu",
            "model.discriminator.leaky-slope=0.2",
            "objective.r1-gamma=10",
            "objective.r2-gamma=1",
            "objective.lazy-every=3",
            "optim.generator.schedule.kind=cosine",
            "optim.generator.schedule.floor=1e-4",
            "optim.generator.schedule.updates=8",
            "optim.discriminator.schedule.kind=step",
            "optim.discriminator.schedule.floor=1e-5",
            "optim.discriminator.schedule.every=5",
            "optim.discriminator.schedule.factor=0.5",
            "seed=12"));
    // Both were active on both sides of the cut (metrics.jsonl of the resumed run, both
    // launches): R1/R2 on every 3rd D update only, and each update's rate is the schedule's.
    List<com.typesafe.config.Config> d = steps("d_step");
    List<com.typesafe.config.Config> g = steps("g_step");
    assertThat(d).hasSize(20);
    assertThat(g).hasSize(10);
    for (com.typesafe.config.Config e : d) {
      long n = e.getLong("step");
      assertThat(e.getDouble("penalty_d") > 0).as("D update %d penalised", n).isEqualTo(n % 3 == 0);
      assertThat(e.getDouble("lr"))
          .as("D update %d", n)
          .isEqualTo(Math.max(1e-5, 1e-4 * Math.pow(0.5, (n - 1) / 5)));
    }
    for (com.typesafe.config.Config e : g) {
      long n = e.getLong("step");
      double t = Math.min(n - 1, 8) / 8.0;
      assertThat(e.getDouble("lr"))
          .as("G update %d", n)
          .isCloseTo(
              1e-4 + 9e-4 * (1 + Math.cos(Math.PI * t)) / 2,
              org.assertj.core.data.Offset.offset(1e-15));
    }
  }

  /**
   * Issue 17: historical averaging with a window of 3 versions, so both players' averages are in
   * their exponential phase on both sides of the cut (6 G and 12 D versions before it).
   */
  @Test
  void windowedHistoricalAveragingResumedIsBitIdentical() throws Exception {
    assertResumeExact(
        "config/ring.conf",
        6,
        10,
        smallRing(
            "stabilizers.historical-averaging.generator-weight=0.05",
            "stabilizers.historical-averaging.discriminator-weight=0.05",
            "stabilizers.historical-averaging.window=3",
            "seed=14"));
    // Averaging ran in both launches: every G update after the first has a past to be pulled to.
    List<com.typesafe.config.Config> g = steps("g_step");
    assertThat(g).hasSize(10);
    for (com.typesafe.config.Config e : g) {
      assertThat(e.getDouble("penalty_g") > 0)
          .as("G update %d penalised", e.getLong("step"))
          .isEqualTo(e.getLong("step") > 1);
    }
  }

  /**
   * Issue 16: InfoGAN's codes are drawn from keys, not carried: a resumed ring run (MLP, k = 2)
   * with a categorical and continuous codes continues bit for bit, and both launches report the MI
   * term.
   */
  @Test
  void infoGanRingRunResumedIsBitIdentical() throws Exception {
    assertResumeExact(
        "config/ring.conf",
        6,
        10,
        smallRing(
            "model.infogan.categorical=4",
            "model.infogan.continuous=2",
            "model.infogan.weight=0.5",
            "seed=13"));
    List<com.typesafe.config.Config> d = steps("d_step");
    List<com.typesafe.config.Config> g = steps("g_step");
    assertThat(d).hasSize(20);
    assertThat(g).hasSize(10);
    for (com.typesafe.config.Config e : d) {
      assertThat(e.getDouble("info_d")).as("D update %d", e.getLong("step")).isPositive();
    }
    for (com.typesafe.config.Config e : g) {
      assertThat(e.getDouble("info_g")).as("G update %d", e.getLong("step")).isPositive();
    }
  }

  /** The same for fashion-mnist-infogan shrunk: batch norm in D, so D's separate passes. */
  @Test
  void infoGanImageRunResumedIsBitIdentical() throws Exception {
    assertResumeExact(
        "config/fashion-mnist-infogan.conf",
        3,
        5,
        "schedule.batch-size=8",
        "model.dcgan.width=4",
        "eval.every-steps=0",
        "eval.plots=false",
        "seed=4");
  }

  /** The {@code event} lines of the split run's metrics.jsonl. */
  private List<com.typesafe.config.Config> steps(String event) throws Exception {
    return Files.readAllLines(tmp.resolve("split").resolve("metrics.jsonl")).stream()
        .map(com.typesafe.config.ConfigFactory::parseString)
        .filter(c -> c.hasPath("event") && c.getString("event").equals(event))
        .toList();
  }

  @Test
  void smallImageRunResumedAtTIsBitIdenticalAtTPlusN() throws Exception {
    assertResumeExact(
        "config/fashion-mnist-improved.conf",
        3,
        5,
        "schedule.batch-size=8",
        "model.dcgan.width=4",
        "stabilizers.virtual-batch-norm.reference-size=8",
        "stabilizers.minibatch-discrimination.kernels=6",
        "stabilizers.generator-ema.enabled=true",
        "stabilizers.generator-ema.decay=0.5",
        "eval.every-steps=0",
        "eval.plots=false",
        "seed=3");
  }

  /**
   * Dropout's ND4J kernel (issue 15) draws its masks from ND4J's generator reseeded per pass with
   * the (seed, stream, index) keys, so a resumed Goodfellow 2014 run (maxout and dropout in D) on
   * that kernel continues exactly as well.
   */
  @Test
  void goodfellow2014RunOnTheNd4jKernelsResumesExactly() throws Exception {
    String before = System.getProperty(dev.agon.nn.KernelChoice.PROPERTY);
    System.setProperty(dev.agon.nn.KernelChoice.PROPERTY, "nd4j");
    try {
      assertResumeExact(
          "config/mnist-goodfellow2014.conf",
          3,
          5,
          "schedule.batch-size=8",
          "model.goodfellow2014.generator-hidden=16",
          "model.goodfellow2014.maxout-units=8",
          // the released recipe's momentum ramp and rate decay, both moving across the cut
          "optim.generator.momentum-ramp.start=1",
          "optim.generator.momentum-ramp.updates=5",
          "optim.discriminator.momentum-ramp.start=2",
          "optim.discriminator.momentum-ramp.updates=4",
          "optim.generator.schedule.factor=0.9",
          // MNIST does not ship: the Goodfellow networks on the embedded data
          "data.kind=fashion-mnist",
          "data.path=\"\"",
          "data.split=test",
          "eval.every-steps=0",
          "eval.plots=false",
          "seed=3");
    } finally {
      if (before == null) {
        System.clearProperty(dev.agon.nn.KernelChoice.PROPERTY);
      } else {
        System.setProperty(dev.agon.nn.KernelChoice.PROPERTY, before);
      }
    }
  }

  /**
   * With staleness the fakes in flight at a checkpoint are not saved: the resumed run starts a new
   * schedule segment there (documented), finishes with the right counts and is reproducible.
   */
  @Test
  void stalenessRunResumesInANewSegment() throws Exception {
    String[] o = {
      "schedule.k=2",
      "schedule.staleness=1",
      "schedule.batch-size=16",
      "model.latent-dim=8",
      "model.generator.hidden=[16,16]",
      "model.discriminator.hidden=[16,16]",
      "eval.every-steps=0",
      "eval.plots=false",
      "seed=4"
    };
    Path[] dirs = {tmp.resolve("a"), tmp.resolve("b")};
    for (Path d : dirs) {
      run(d, "config/ring.conf", 5, "checkpoint.every-steps=0", o);
      TrainRun.Result r = start(d, "config/ring.conf", 12, "checkpoint.every-steps=0", o).await();
      assertThat(r.finished().gSteps()).isEqualTo(12);
      assertThat(r.finished().dSteps()).isEqualTo(24);
      assertThat(CheckpointStore.read(r.checkpoint()).engine())
          .containsEntry("schedule.origin_g", "5")
          .containsEntry("schedule.segment", "1");
    }
    assertSameState(CheckpointStore.dirOf(dirs[0], 12), CheckpointStore.dirOf(dirs[1], 12), "");
  }

  /**
   * A checkpoint written before the schedule's "epoch" became "segment" names it {@code
   * schedule.epoch}: rewritten so, it resumes to the same state as the untouched one, its segment
   * number read (segment 1 at the rewritten checkpoint, 2 after the next resume starts another).
   */
  @Test
  void aCheckpointWithTheOldSegmentKeyResumesTheSame() throws Exception {
    String[] o = {
      "schedule.staleness=1",
      "schedule.batch-size=16",
      "model.latent-dim=8",
      "model.generator.hidden=[16,16]",
      "model.discriminator.hidden=[16,16]",
      "eval.every-steps=0",
      "eval.plots=false",
      "seed=5"
    };
    Path[] dirs = {tmp.resolve("new"), tmp.resolve("old")};
    for (Path d : dirs) {
      run(d, "config/ring.conf", 3, "checkpoint.every-steps=0", o);
      run(d, "config/ring.conf", 6, "checkpoint.every-steps=0", o);
    }
    Path manifest = CheckpointStore.dirOf(dirs[1], 6).resolve("manifest.json");
    String text = Files.readString(manifest);
    assertThat(text).contains("\"schedule.segment\":\"1\"").doesNotContain("schedule.epoch");
    Files.writeString(manifest, text.replace("\"schedule.segment\"", "\"schedule.epoch\""));
    for (Path d : dirs) {
      run(d, "config/ring.conf", 9, "checkpoint.every-steps=0", o);
    }
    assertThat(CheckpointStore.read(CheckpointStore.dirOf(dirs[1], 9)).engine())
        .containsEntry("schedule.segment", "2")
        .doesNotContainKey("schedule.epoch");
    assertSameState(CheckpointStore.dirOf(dirs[0], 9), CheckpointStore.dirOf(dirs[1], 9), "");
  }

  /**
   * Issue 16 item 4: spectral norm's u and v move once per update (D's, and G's D replica's own),
   * so both must come back from the checkpoint for the resumed run to match bit for bit.
   */
  @Test
  void ringWithSpectralNormResumedIsBitIdentical() throws Exception {
    assertResumeExact("config/ring.conf", 3, 6, smallRing("model.spectral-norm=true", "seed=5"));
    CheckpointStore.Checkpoint c =
        CheckpointStore.read(CheckpointStore.dirOf(tmp.resolve("whole"), 6));
    // u, v of D's 3 layers (16 + 2, 16 + 16, 1 + 16) and of G's replica of D
    assertThat(c.tensors().get("discriminator_net_state").length()).isEqualTo(67);
    assertThat(c.tensors().get("generator_d_replica_state").length()).isEqualTo(67);
  }

  /**
   * Issue 16: a semi-supervised run (K+1 D with batch norm, so three passes per update: labelled,
   * real, fake; labelled minibatches from a seeded draw of 2 per class; G by feature matching)
   * continues exactly.
   */
  @Test
  void semiSupervisedRunResumedIsBitIdentical() throws Exception {
    assertResumeExact(
        "config/fashion-mnist-semi-supervised.conf",
        3,
        5,
        "data.split=test",
        "data.labels=2",
        "data.label-seed=4",
        "schedule.batch-size=8",
        "model.dcgan.width=4",
        "eval.every-steps=0",
        "eval.plots=false",
        "seed=3");
  }

  /**
   * Issue 16: a conditional SNGAN run (projection D, one joint pass; the fake classes recomputed
   * from G's keys on D's side) continues exactly; with batch norm in D, the two separate passes.
   */
  @Test
  void conditionalRunResumedIsBitIdentical() throws Exception {
    for (String bn : new String[] {"false", "true"}) {
      assertResumeExact(
          "config/fashion-mnist-sngan.conf",
          3,
          5,
          "model.conditional=true",
          "data.labels=all",
          "model.dcgan.discriminator-batch-norm=" + bn,
          "schedule.batch-size=8",
          "model.dcgan.width=4",
          "eval.every-steps=0",
          "eval.plots=false",
          "run.name=bn-" + bn,
          "seed=5");
      deleteRecursively(tmp.resolve("whole"));
      deleteRecursively(tmp.resolve("split"));
    }
  }

  /** The same with an mlp D, whose projection head follows a hand-written network's features. */
  @Test
  void conditionalMlpRunResumedIsBitIdentical() throws Exception {
    assertResumeExact(
        "config/fashion-mnist-sngan.conf",
        3,
        5,
        "model.architecture=mlp",
        "model.generator.hidden=[16]",
        "model.discriminator.hidden=[16]",
        "schedule.batch-size=8",
        "eval.every-steps=0",
        "eval.plots=false",
        "seed=5");
  }

  private static void deleteRecursively(Path p) throws java.io.IOException {
    try (var s = Files.walk(p)) {
      for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }

  private void assertResumeExact(String file, long t, long total, String... overrides)
      throws Exception {
    Path whole = tmp.resolve("whole");
    Path split = tmp.resolve("split");
    // Uninterrupted: T + N updates, with a periodic checkpoint at T on the way.
    run(whole, file, total, "checkpoint.every-steps=" + t, overrides);
    // Interrupted: stopped at T (its final checkpoint), then resumed to T + N.
    run(split, file, t, "checkpoint.every-steps=0", overrides);
    TrainRun resumed = start(split, file, total, "checkpoint.every-steps=0", overrides);
    assertThat(resumed.resumedFrom()).isEqualTo(CheckpointStore.dirOf(split, t));
    resumed.await();

    // At T the uninterrupted run has already drawn the fakes of the next iteration, the stopped
    // one has not: virtual batch norm's statistics (G's network state there) are a cache of the
    // last forward pass, recomputed from the weights before every pass, so they may differ at T.
    assertSameState(
        CheckpointStore.dirOf(whole, t), CheckpointStore.dirOf(split, t), "generator_net_state");
    assertSameState(CheckpointStore.dirOf(whole, total), CheckpointStore.dirOf(split, total), "");
  }

  private static void assertSameState(Path a, Path b, String cache) throws Exception {
    CheckpointStore.Checkpoint x = CheckpointStore.read(a);
    CheckpointStore.Checkpoint y = CheckpointStore.read(b);
    assertThat(y.tensors().keySet()).isEqualTo(x.tensors().keySet());
    assertThat(x.tensors()).containsKeys("generator_optimizer", "discriminator_optimizer");
    for (Map.Entry<String, INDArray> e : x.tensors().entrySet()) {
      if (e.getKey().equals(cache)) {
        continue;
      }
      assertThat(
              Arrays.equals(
                  Tensors.toDoubles(e.getValue()), Tensors.toDoubles(y.tensors().get(e.getKey()))))
          .as("tensor %s of %s and %s", e.getKey(), a, b)
          .isTrue();
    }
    assertThat(y.engine()).isEqualTo(x.engine());
  }

  private static void run(Path dir, String file, long iterations, String extra, String... o)
      throws Exception {
    start(dir, file, iterations, extra, o).await();
  }

  private static TrainRun start(Path dir, String file, long iterations, String extra, String... o)
      throws Exception {
    List<String> overrides = new ArrayList<>(Arrays.asList(o));
    overrides.add("schedule.iterations=" + iterations);
    overrides.add(extra);
    LoadedConfig loaded = ConfigLoader.load(Optional.of(Path.of(file)), overrides);
    return TrainRun.start(loaded, dir, null, false, false);
  }

  /**
   * The small ring run the MLP resume tests share (k = 2, batch 32, 8-d noise, 16-unit layers, no
   * evaluations), then {@code more}.
   */
  private static String[] smallRing(String... more) {
    List<String> sets =
        new java.util.ArrayList<>(
            List.of(
                "schedule.k=2",
                "schedule.batch-size=32",
                "model.latent-dim=8",
                "model.generator.hidden=[16,16]",
                "model.discriminator.hidden=[16,16]",
                "eval.every-steps=0",
                "eval.plots=false"));
    sets.addAll(List.of(more));
    return sets.toArray(String[]::new);
  }
}
