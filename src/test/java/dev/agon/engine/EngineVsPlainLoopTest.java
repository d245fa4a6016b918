package dev.agon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.config.AgonConfig;
import dev.agon.tensor.Tensors;
import dev.agon.train.DiscriminatorTrainer;
import dev.agon.train.Factory;
import dev.agon.train.GeneratorTrainer;
import dev.agon.train.PlainLoop;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The synchronous actor engine (staleness 0) must compute exactly what a single-threaded loop of
 * Algorithm 1 computes: same seed, same steps, every parameter bit equal.
 */
class EngineVsPlainLoopTest {
  static ActorTestKit kit;

  @BeforeAll
  static void start() {
    kit = ActorTestKit.create(TrainRun.pekkoConfig());
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  @ParameterizedTest(name = "k = {0}")
  @ValueSource(ints = {1, 3})
  void bitIdenticalToPlainLoop(int k) {
    AgonConfig c = TestConfigs.smallRing("schedule.k=" + k, "schedule.iterations=200", "seed=7");
    EngineSettings s = TrainRun.settings(c);
    Coordinator.Finished f = new EngineHarness().run(kit, c, s);

    int dims = Factory.data(c).dims();
    GeneratorTrainer g = GeneratorTrainer.create(c, dims);
    DiscriminatorTrainer d = DiscriminatorTrainer.create(c, dims);
    PlainLoop.run(
        g, d, Factory.data(c), k, s.batchSize(), 0, s.iterations(), new PlainLoop.Listener() {});

    assertThat(f.gSteps()).isEqualTo(200);
    assertThat(f.dSteps()).isEqualTo(200L * k);
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
