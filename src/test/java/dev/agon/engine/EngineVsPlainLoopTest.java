package dev.agon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.config.AgonConfig;
import dev.agon.tensor.Tensors;
import dev.agon.train.DiscriminatorTrainer;
import dev.agon.train.Factory;
import dev.agon.train.GeneratorTrainer;
import dev.agon.train.PlainLoop;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The actor engine must compute exactly what a single-threaded loop computes: same seed, same
 * steps, every parameter bit equal. With staleness 0 the loop is Algorithm 1 itself; with s ≥ 1 it
 * is the same loop with the schedule's fixed lag, which the concurrent engine must reproduce
 * whatever the timing.
 */
class EngineVsPlainLoopTest extends ActorKitTest {
  @ParameterizedTest(name = "k = {0}, s = {1}, {2} iterations")
  @CsvSource({"1, 0, 200", "3, 0, 200", "1, 1, 100", "2, 1, 100", "1, 2, 100", "3, 4, 60"})
  void bitIdenticalToPlainLoop(int k, int s, int iterations) {
    AgonConfig c =
        TestConfigs.smallRing(
            "schedule.k=" + k,
            "schedule.staleness=" + s,
            "schedule.iterations=" + iterations,
            "seed=7");
    EngineSettings settings = TrainRun.settings(c);
    Coordinator.Finished f = new EngineHarness().run(kit, c, settings);
    assertMatchesPlainLoop(c, settings, f);
  }

  /**
   * The image path through the engine: D with batch statistics in separate passes, dropout-free
   * DCGAN with every Improved-GAN switch, the 2014 maxout D with dropout keyed per pass (feature
   * matching reads real batches in the Generator, minibatch discrimination, virtual batch norm,
   * historical averaging, label smoothing), WGAN-GP with its keyed interpolation weights, SNGAN
   * (spectral norm's u, v in D and in G's D replica) and the semi-supervised K+1 D (the labelled
   * minibatch each real batch carries), synchronous and with staleness.
   */
  @ParameterizedTest(name = "{0}, k = {1}, s = {2}")
  @CsvSource({
    "fashion-mnist-improved, 1, 0",
    "fashion-mnist-improved, 1, 1",
    "fashion-mnist-wgan-gp, 2, 1",
    "mnist-goodfellow2014, 2, 1",
    "fashion-mnist-sngan, 2, 1",
    "fashion-mnist-semi-supervised, 1, 1"
  })
  void imageExperimentsAreBitIdenticalToPlainLoop(String experiment, int k, int s) {
    AgonConfig c =
        dev.agon.config.ConfigLoader.load(
                java.util.Optional.of(java.nio.file.Path.of("config", experiment + ".conf")),
                java.util.List.of(
                    "schedule.k=" + k,
                    "schedule.staleness=" + s,
                    "schedule.iterations=6",
                    "schedule.batch-size=8",
                    "model.dcgan.width=4",
                    "stabilizers.virtual-batch-norm.reference-size=8",
                    "stabilizers.minibatch-discrimination.kernels=6",
                    "eval.every-steps=0",
                    "model.goodfellow2014.generator-hidden=16",
                    "model.goodfellow2014.maxout-units=8",
                    // MNIST does not ship: the Goodfellow networks on the embedded data
                    experiment.startsWith("mnist") ? "data.kind=fashion-mnist" : "seed=3",
                    experiment.startsWith("mnist") ? "data.path=\"\"" : "seed=3",
                    experiment.startsWith("mnist") ? "data.split=test" : "seed=3",
                    // the semi-supervised run: the embedded split, its labelled minibatches
                    experiment.endsWith("semi-supervised") ? "data.split=test" : "seed=3",
                    "seed=3"))
            .config();
    EngineSettings settings = TrainRun.settings(c);
    Coordinator.Finished f = new EngineHarness().run(kit, c, settings);
    assertMatchesPlainLoop(c, settings, f);
  }

  /**
   * Packing (PacGAN): D's one output per pack of m samples on the ring's MLP (one joint pass) and
   * on the DCGAN with batch norm (real and fake packs in separate passes), with staleness.
   */
  @ParameterizedTest(name = "{0}, pack = {1}")
  @CsvSource({"ring, 4", "fashion-mnist-dcgan, 2"})
  void packedRunsAreBitIdenticalToPlainLoop(String experiment, int pack) {
    AgonConfig c =
        dev.agon.config.ConfigLoader.load(
                java.util.Optional.of(java.nio.file.Path.of("config", experiment + ".conf")),
                java.util.List.of(
                    "model.pack=" + pack,
                    "schedule.k=2",
                    "schedule.staleness=1",
                    "schedule.iterations=" + (experiment.equals("ring") ? 40 : 6),
                    "schedule.batch-size=8",
                    "model.dcgan.width=4",
                    "eval.every-steps=0",
                    "seed=3"))
            .config();
    EngineSettings settings = TrainRun.settings(c);
    Coordinator.Finished f = new EngineHarness().run(kit, c, settings);
    assertMatchesPlainLoop(c, settings, f);
  }

  /** Runs the plain loop of {@code c} and asserts the engine's final parameters equal its own. */
  static void assertMatchesPlainLoop(AgonConfig c, EngineSettings s, Coordinator.Finished f) {
    long[] dims = Factory.data(c).sampleShape();
    GeneratorTrainer g = GeneratorTrainer.create(c, dims);
    DiscriminatorTrainer d = DiscriminatorTrainer.create(c, dims);
    PlainLoop.run(
        g,
        d,
        Factory.data(c),
        s.schedule(),
        s.batchSize(),
        s.iterations(),
        new PlainLoop.Listener() {});

    assertThat(f.gSteps()).isEqualTo(s.iterations());
    assertThat(f.dSteps()).isEqualTo(s.iterations() * s.k());
    assertBitEqual(Tensors.toFloats(f.generatorParams()), Tensors.toFloats(g.params()));
    assertBitEqual(Tensors.toFloats(f.discriminatorParams()), Tensors.toFloats(d.params()));
    // The parameters did move: the comparison is not between two initialisations.
    GeneratorTrainer fresh = GeneratorTrainer.create(c, dims);
    assertThat(Tensors.toFloats(fresh.params())).isNotEqualTo(Tensors.toFloats(g.params()));
  }

  static void assertBitEqual(float[] a, float[] b) {
    assertThat(a).hasSameSizeAs(b);
    for (int i = 0; i < a.length; i++) {
      if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
        throw new AssertionError("parameter " + i + " differs: " + a[i] + " vs " + b[i]);
      }
    }
  }
}
