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

  /** Runs the plain loop of {@code c} and asserts the engine's final parameters equal its own. */
  static void assertMatchesPlainLoop(AgonConfig c, EngineSettings s, Coordinator.Finished f) {
    int dims = Factory.data(c).dims();
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
