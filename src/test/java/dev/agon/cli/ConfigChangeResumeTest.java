package dev.agon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.checkpoint.CheckpointStore;
import dev.agon.config.AgonConfig;
import dev.agon.config.ConfigLoader;
import dev.agon.config.Player;
import dev.agon.tensor.Tensors;
import dev.agon.train.DiscriminatorTrainer;
import dev.agon.train.Factory;
import dev.agon.train.GeneratorTrainer;
import dev.agon.train.PlainLoop;
import dev.agon.train.PlayerState;
import dev.agon.train.Schedule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A resume with {@code --allow-config-change}: every key the change check lets through is what the
 * resumed run computes with and what its manifest, metrics and saved config record; keys a
 * checkpoint cannot be continued under (shapes, data, seed) are refused even with the flag.
 */
class ConfigChangeResumeTest {
  @TempDir Path tmp;

  /** A small ring run: a few G updates take well under a second each on one core. */
  private static final String[] BASE = {
    "schedule.batch-size=16",
    "model.latent-dim=8",
    "model.generator.hidden=[16,16]",
    "model.discriminator.hidden=[16,16]",
    "stabilizers.historical-averaging.generator-weight=0.1",
    "stabilizers.generator-ema.enabled=true",
    "eval.every-steps=0",
    "eval.plots=false",
    "eval.samples=50",
    "checkpoint.every-steps=0",
    "metrics.enabled=false"
  };

  @Test
  void aNewKIsWhatRunsWhatTheManifestRecordsAndWhatALaterResumeKeeps() throws Exception {
    Path run = tmp.resolve("run");
    assertOk(train(run, false, "schedule.iterations=4"));

    CliRunner r = train(run, true, "schedule.iterations=8", "schedule.k=2");
    assertOk(r);
    // After the resume point (G 4, D 4) each G update follows two D updates: G update i trains
    // against D version 4 + 2 (i - 4), and D makes updates 5..12.
    List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
    assertThat(longs(lines, "d_step", "step")).containsExactlyElementsOf(range(1, 12));
    assertThat(dVersionsUsed(lines, 5, 8)).containsExactly(6L, 8L, 10L, 12L);
    // The new k is a recorded schedule segment starting at the resume point, as a live change.
    assertThat(lines)
        .filteredOn(l -> l.contains("\"event\":\"schedule_change\""))
        .singleElement()
        .satisfies(
            l ->
                assertThat(l)
                    .contains("\"change\":\"schedule\"", "\"k\":2", "\"staleness\":0")
                    .contains("\"from_g_step\":5", "\"from_d_step\":5"));
    assertThat(engine(run, 8))
        .containsEntry("engine.d_done", "12")
        .containsEntry("schedule.k", "2")
        .containsEntry("schedule.origin_g", "4")
        .containsEntry("schedule.origin_d", "4")
        .containsEntry("schedule.segment", "1");
    assertThat(Files.readString(run.resolve("config.conf")))
        .containsPattern("(?m)^\\s*k = 2$")
        .doesNotContainPattern("(?m)^\\s*k = 1$"); // a whole line: "pack = 1" is no k

    // Without the flag, k = 2 is the config that ran: it passes and still runs k = 2 ...
    assertOk(train(run, false, "schedule.iterations=10", "schedule.k=2"));
    lines = Files.readAllLines(run.resolve("metrics.jsonl"));
    assertThat(dVersionsUsed(lines, 9, 10)).containsExactly(14L, 16L);
    assertThat(engine(run, 10))
        .containsEntry("engine.d_done", "16")
        .containsEntry("schedule.k", "2")
        .containsEntry("schedule.origin_g", "4");
    // ... and going back to k = 1 is a change against it.
    CliRunner back = train(run, false, "schedule.iterations=12");
    assertThat(back.status()).as(back.err()).isEqualTo(2);
    assertThat(back.err()).contains("schedule.k: 2 -> 1");
  }

  @Test
  void changedLearningRateAndAveragingTakeEffect() throws Exception {
    Path run = tmp.resolve("run");
    assertOk(train(run, false, "schedule.iterations=4"));
    assertOk(
        train(
            run,
            true,
            "schedule.iterations=6",
            "optim.generator.lr=5e-4",
            "stabilizers.historical-averaging.generator-weight=0.3",
            "stabilizers.historical-averaging.discriminator-weight=0.2",
            "stabilizers.historical-averaging.start=5"));
    assertThat(engine(run, 6))
        .containsEntry("generator.lr", "5.0E-4")
        .containsEntry("generator.history_weight", "0.3")
        .containsEntry("generator.history_start", "5")
        .containsEntry("discriminator.history_weight", "0.2")
        .containsEntry("discriminator.history_start", "5");
  }

  @Test
  void disablingTheGeneratorEmaDropsIt() throws Exception {
    Path run = tmp.resolve("run");
    assertOk(train(run, false, "schedule.iterations=4"));
    assertThat(CheckpointStore.read(CheckpointStore.dirOf(run, 4)).tensors())
        .containsKey("generator_ema");
    assertOk(train(run, true, "schedule.iterations=6", "stabilizers.generator-ema.enabled=false"));
    assertThat(CheckpointStore.read(CheckpointStore.dirOf(run, 6)).tensors())
        .doesNotContainKey("generator_ema");
  }

  /**
   * Keys the trainers are built from (objective, optimizer hyperparameters, EMA decay) next to a
   * new k, learning rate and averaging weight: the resumed run equals, bit for bit, a plain loop
   * that restores the checkpoint into trainers of the new config and runs the new k from the resume
   * point; and it differs from one with the old values, so the changes mattered.
   */
  @Test
  void aResumeWithChangedKeysEqualsAPlainLoopOfTheNewConfigFromTheCheckpoint() throws Exception {
    Path run = tmp.resolve("run");
    assertOk(train(run, false, "schedule.iterations=4"));
    String[] changed = {
      "schedule.iterations=7",
      "schedule.k=2",
      "objective.real-label=0.9",
      "optim.generator.beta1=0.8",
      "optim.generator.lr=5e-4",
      "optim.discriminator.beta2=0.99",
      "optim.discriminator.eps=1e-4",
      "stabilizers.historical-averaging.generator-weight=0.3",
      "stabilizers.generator-ema.decay=0.5"
    };
    assertOk(train(run, true, changed));
    CheckpointStore.Checkpoint last = CheckpointStore.read(CheckpointStore.dirOf(run, 7));

    float[][] expected = plainLoopFromStep4(run, changed);
    assertThat(Tensors.toFloats(last.tensors().get("generator"))).isEqualTo(expected[0]);
    assertThat(Tensors.toFloats(last.tensors().get("discriminator"))).isEqualTo(expected[1]);
    assertThat(Tensors.toFloats(last.tensors().get("generator_ema"))).isEqualTo(expected[2]);

    float[][] unchanged =
        plainLoopFromStep4(run, "schedule.iterations=7", "schedule.k=2", "optim.generator.lr=5e-4");
    for (int i = 0; i < 3; i++) {
      assertThat(unchanged[i]).as("tensor %d with the old values", i).isNotEqualTo(expected[i]);
    }
  }

  /**
   * G, D and the G-EMA after a plain loop from checkpoint 4 of {@code run} (k = 1 up to there) to
   * update 7 with k = 2, with trainers of BASE plus {@code sets}; the checkpoint's learning rates
   * and averaging weight give way to the generator's lr and averaging weight of the new config.
   */
  private static float[][] plainLoopFromStep4(Path run, String... sets) throws Exception {
    List<String> all = new ArrayList<>(Arrays.asList(BASE));
    all.addAll(Arrays.asList(sets));
    AgonConfig c = ConfigLoader.load(Optional.of(Path.of("config/ring.conf")), all).config();
    CheckpointStore.Checkpoint at4 = CheckpointStore.read(CheckpointStore.dirOf(run, 4));
    long[] shape = Factory.data(c).sampleShape();
    GeneratorTrainer g = GeneratorTrainer.create(c, shape);
    DiscriminatorTrainer d = DiscriminatorTrainer.create(c, shape);
    PlayerState.from(Player.GENERATOR, at4.tensors(), at4.engine()).restore(g, true);
    PlayerState.from(Player.DISCRIMINATOR, at4.tensors(), at4.engine()).restore(d, false);
    g.historicalAveraging(c.stabilizers().historicalAveraging().generatorWeight(), 0);
    Schedule schedule = new Schedule(1, 0, 7).changedAt(4, 4, 2, 0);
    PlainLoop.run(
        g, d, Factory.data(c), schedule, c.schedule().batchSize(), 7, new PlainLoop.Listener() {});
    return new float[][] {
      Tensors.toFloats(g.params()), Tensors.toFloats(d.params()), Tensors.toFloats(g.emaParams())
    };
  }

  @Test
  void keysACheckpointCannotContinueUnderAreRefusedEvenWithTheFlag() throws Exception {
    Path run = tmp.resolve("run");
    assertOk(train(run, false, "schedule.iterations=3"));
    String[][] refused = {
      {"seed=2", "seed: 1 -> 2"},
      {"data.ring.radius=2.0", "data.ring.radius: 1 -> 2"},
      {"model.latent-dim=16", "model.latent-dim: 8 -> 16"},
      {"model.discriminator.activation=relu", "model.discriminator.activation"},
      {"schedule.batch-size=32", "schedule.batch-size: 16 -> 32"},
      {"optim.discriminator.type=sgd", "optim.discriminator.type"},
    };
    List<String> before = BadInputCorpusTest.contents(run);
    for (String[] c : refused) {
      CliRunner r = train(run, true, "schedule.iterations=5", c[0]);
      assertThat(r.status()).as(c[0] + ": " + r.out() + r.err()).isEqualTo(2);
      assertThat(r.errLines())
          .as(c[0])
          .singleElement()
          .satisfies(
              l -> assertThat(l).startsWith("error: ").contains(c[1]).contains("cannot change"));
      assertThat(BadInputCorpusTest.contents(run)).as(c[0] + ": nothing written").isEqualTo(before);
    }
  }

  private static CliRunner train(Path run, boolean allowChange, String... sets) {
    List<String> args =
        new ArrayList<>(
            List.of("train", "--config", "config/ring.conf", "--run", run.toString(), "--quiet"));
    if (allowChange) {
      args.add("--allow-config-change");
    }
    List<String> all = new ArrayList<>(Arrays.asList(BASE));
    all.addAll(Arrays.asList(sets));
    for (String s : all) {
      args.addAll(List.of("--set", s));
    }
    return CliRunner.run(args.toArray(String[]::new));
  }

  private static void assertOk(CliRunner r) {
    assertThat(r.status()).as(r.out() + r.err()).isZero();
  }

  private static Map<String, String> engine(Path run, long step) throws Exception {
    return CheckpointStore.read(CheckpointStore.dirOf(run, step)).engine();
  }

  /** The D version each G update from..to trained against, in order. */
  private static List<Long> dVersionsUsed(List<String> lines, long from, long to) {
    List<Long> steps = longs(lines, "g_step", "step");
    List<Long> used = longs(lines, "g_step", "d_version_used");
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) {
      if (steps.get(i) >= from && steps.get(i) <= to) {
        out.add(used.get(i));
      }
    }
    return out;
  }

  /** Field {@code field} (an integer) of every {@code event} record, in file order. */
  private static List<Long> longs(List<String> lines, String event, String field) {
    java.util.regex.Pattern p = java.util.regex.Pattern.compile("\"" + field + "\":(-?\\d+)");
    List<Long> out = new ArrayList<>();
    for (String l : lines) {
      if (l.startsWith("{\"event\":\"" + event + "\"")) {
        Matcher m = p.matcher(l);
        assertThat(m.find()).as(l).isTrue();
        out.add(Long.parseLong(m.group(1)));
      }
    }
    return out;
  }

  private static List<Long> range(long from, long to) {
    List<Long> out = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      out.add(i);
    }
    return out;
  }
}
