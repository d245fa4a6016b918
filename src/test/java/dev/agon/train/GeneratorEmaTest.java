package dev.agon.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agon.config.AgonConfig;
import dev.agon.config.EmaConfig;
import dev.agon.engine.TestConfigs;
import dev.agon.nn.Mlp;
import dev.agon.tensor.Noise;
import dev.agon.tensor.Seeds;
import dev.agon.tensor.Tensors;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class GeneratorEmaTest {
  private static final int B = 16;
  private static final AgonConfig C = TestConfigs.smallRing("seed=5");
  private static final int DIMS = Factory.data(C).dims();
  private static final INDArray D_PARAMS =
      Mlp.create(Factory.discriminatorSpec(C, DIMS), 9, DataType.FLOAT).params();

  private static Mlp gNet() {
    return Mlp.create(Factory.generatorSpec(C, DIMS), 3, DataType.FLOAT);
  }

  private static Mlp replica() {
    return Mlp.create(Factory.discriminatorSpec(C, DIMS), 0, DataType.FLOAT);
  }

  /** A trainer whose optimizer sets every weight of G to {@code values[t-1]} at update t. */
  private static GeneratorTrainer assigning(EmaConfig ema, double... values) {
    return new GeneratorTrainer(
        gNet(),
        replica(),
        new Stubs.Assign(values),
        Factory.objective(C.objective()),
        C.seed(),
        null,
        ema);
  }

  private static GeneratorTrainer adam(EmaConfig ema) {
    Mlp g = gNet();
    return new GeneratorTrainer(
        g,
        replica(),
        Factory.optimizer(C.optim().generator(), g),
        Factory.objective(C.objective()),
        C.seed(),
        null,
        ema);
  }

  private static float[] floats(INDArray a) {
    return Tensors.toFloats(a);
  }

  private static void assertAll(INDArray a, float expected) {
    for (float v : floats(a)) {
      assertThat(v).isEqualTo(expected);
    }
  }

  private static void assertBitEqual(float[] a, float[] b) {
    assertThat(a).hasSameSizeAs(b);
    for (int i = 0; i < a.length; i++) {
      assertThat(Float.floatToRawIntBits(a[i]))
          .as("element %d", i)
          .isEqualTo(Float.floatToRawIntBits(b[i]));
    }
  }

  /**
   * Decay 0.75 from G update 1, weights 1, 2, 4 after updates 1, 2, 3: EMA 1 (the copy), then 0.75
   * * 1 + 0.25 * 2 = 1.25, then 0.75 * 1.25 + 0.25 * 4 = 1.9375.
   */
  @Test
  void handCheckedOverThreeUpdates() {
    GeneratorTrainer g = assigning(new EmaConfig(true, 0.75, 1), 1, 2, 4);
    assertThat(g.emaParams()).isNull();
    g.step(1, D_PARAMS, B);
    assertAll(g.emaParams(), 1f);
    g.step(2, D_PARAMS, B);
    assertAll(g.emaParams(), 1.25f);
    g.step(3, D_PARAMS, B);
    assertAll(g.emaParams(), 1.9375f);
    assertAll(g.params(), 4f); // the live weights are not touched
    assertThat(g.version()).isEqualTo(3);
  }

  /** Start 2: nothing after update 1, a copy of version 2, then 0.75 * 2 + 0.25 * 4 = 2.5. */
  @Test
  void startsAtTheStartUpdate() {
    GeneratorTrainer g = assigning(new EmaConfig(true, 0.75, 2), 1, 2, 4);
    g.step(1, D_PARAMS, B);
    assertThat(g.emaParams()).isNull();
    assertThat(g.evaluationSnapshot().kind()).isEqualTo(GeneratorWeights.Kind.LIVE);
    g.step(2, D_PARAMS, B);
    assertAll(g.emaParams(), 2f);
    g.step(3, D_PARAMS, B);
    assertAll(g.emaParams(), 2.5f);
  }

  /** Start 0: the average starts from the initial weights (version 0). */
  @Test
  void startZeroIncludesTheInitialWeights() {
    GeneratorTrainer g = assigning(new EmaConfig(true, 0.75, 0), 1);
    float[] theta0 = floats(g.params());
    g.step(1, D_PARAMS, B);
    float[] ema = floats(g.emaParams());
    for (int i = 0; i < ema.length; i++) {
      assertThat(ema[i]).isEqualTo(0.75f * theta0[i] + 0.25f * 1f);
    }
  }

  @Test
  void samplingUsesTheEmaAndTrainingTheLiveWeights() {
    GeneratorTrainer g = adam(new EmaConfig(true, 0.9, 0));
    for (long i = 1; i <= 5; i++) {
      g.step(i, D_PARAMS, B);
    }
    INDArray z = Nd4j.create(DataType.FLOAT, 64, C.model().latentDim());
    Noise.gaussian(z, C.seed(), Seeds.STREAM_SAMPLES, 0);
    Mlp emaNet = gNet();
    emaNet.copyParamsFrom(g.emaParams());
    Mlp liveNet = gNet();
    liveNet.copyParamsFrom(g.params());
    float[] samples = floats(g.samples(0, 64));
    assertBitEqual(samples, floats(emaNet.forward(z)));
    assertThat(samples).isNotEqualTo(floats(liveNet.forward(z)));

    // fakes for D come from the live weights
    Noise.gaussian(z, C.seed(), Seeds.STREAM_FAKES_FOR_D, 7);
    assertBitEqual(floats(g.fakes(7, 64)), floats(liveNet.forward(z)));

    GeneratorWeights w = g.evaluationSnapshot();
    assertThat(w.kind()).isEqualTo(GeneratorWeights.Kind.EMA);
    assertThat(w.version()).isEqualTo(5);
    assertBitEqual(floats(w.params()), floats(g.emaParams()));
    w.params().addi(1.0f); // detached
    assertThat(floats(w.params())).isNotEqualTo(floats(g.emaParams()));

    // checkpoint round trip: a fresh trainer with the EMA loaded samples the same
    GeneratorTrainer restored = adam(new EmaConfig(true, 0.9, 0));
    restored.network().copyParamsFrom(g.params());
    restored.restoreEma(g.emaParams().dup());
    assertBitEqual(floats(restored.samples(0, 64)), samples);
    assertThatThrownBy(() -> adam(null).restoreEma(g.emaParams()))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void disabledLeavesEverythingUntouched() {
    GeneratorTrainer plain = adam(null);
    GeneratorTrainer off = adam(new EmaConfig(false, 0.9, 0));
    assertThat(off.emaEnabled()).isFalse();
    for (long i = 1; i <= 5; i++) {
      plain.step(i, D_PARAMS, B);
      off.step(i, D_PARAMS, B);
    }
    assertThat(off.emaParams()).isNull();
    assertBitEqual(floats(off.params()), floats(plain.params()));
    assertBitEqual(floats(off.samples(0, 64)), floats(plain.samples(0, 64)));
    GeneratorWeights w = off.evaluationSnapshot();
    assertThat(w.kind()).isEqualTo(GeneratorWeights.Kind.LIVE);
    assertBitEqual(floats(w.params()), floats(off.params()));

    // an enabled EMA does not change the training either
    GeneratorTrainer on = adam(new EmaConfig(true, 0.5, 0));
    for (long i = 1; i <= 5; i++) {
      on.step(i, D_PARAMS, B);
    }
    assertBitEqual(floats(on.params()), floats(plain.params()));
  }

  @Test
  void createReadsTheConfig() {
    AgonConfig c =
        TestConfigs.smallRing(
            "stabilizers.generator-ema.enabled=true",
            "stabilizers.generator-ema.decay=0.5",
            "stabilizers.generator-ema.start=2");
    GeneratorTrainer g = GeneratorTrainer.create(c, DIMS);
    assertThat(g.emaEnabled()).isTrue();
    INDArray d = Mlp.create(Factory.discriminatorSpec(c, DIMS), 9, DataType.FLOAT).params();
    g.step(1, d, B);
    assertThat(g.emaParams()).isNull();
    g.step(2, d, B);
    float[] v2 = floats(g.params());
    assertBitEqual(floats(g.emaParams()), v2);
    g.step(3, d, B);
    float[] v3 = floats(g.params());
    float[] ema = floats(g.emaParams());
    for (int i = 0; i < ema.length; i++) {
      assertThat(ema[i]).isEqualTo(0.5f * v2[i] + 0.5f * v3[i]);
    }
    assertThat(GeneratorTrainer.create(TestConfigs.smallRing(), DIMS).emaEnabled()).isFalse();
  }
}
