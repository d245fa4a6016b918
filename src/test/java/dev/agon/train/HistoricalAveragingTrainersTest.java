package dev.agon.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.agon.config.AgonConfig;
import dev.agon.engine.TestConfigs;
import dev.agon.nn.Mlp;
import dev.agon.objective.DLoss;
import dev.agon.objective.GLoss;
import dev.agon.objective.HistoricalAverage;
import dev.agon.tensor.Seeds;
import dev.agon.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class HistoricalAveragingTrainersTest {
  private static final int B = 16;

  private static AgonConfig config(String... overrides) {
    List<String> o = new ArrayList<>(List.of("schedule.k=2", "seed=11"));
    o.addAll(List.of(overrides));
    return TestConfigs.smallRing(o.toArray(String[]::new));
  }

  private static int dims(AgonConfig c) {
    return Factory.data(c).dims();
  }

  private static Mlp gNet(AgonConfig c) {
    return Mlp.create(
        Factory.generatorSpec(c, dims(c)),
        Seeds.mix(c.seed(), Seeds.STREAM_INIT, 0),
        DataType.FLOAT);
  }

  private static Mlp dNet(AgonConfig c) {
    return Mlp.create(
        Factory.discriminatorSpec(c, dims(c)),
        Seeds.mix(c.seed(), Seeds.STREAM_INIT, 1),
        DataType.FLOAT);
  }

  /** The trainers as they were before the stabilisers: the plain constructors. */
  private static GeneratorTrainer plainG(AgonConfig c) {
    Mlp g = gNet(c);
    return new GeneratorTrainer(
        g,
        Mlp.create(Factory.discriminatorSpec(c, dims(c)), 0, DataType.FLOAT),
        Factory.optimizer(c.optim().generator(), g),
        Factory.objective(c.objective()),
        c.seed());
  }

  private static DiscriminatorTrainer plainD(AgonConfig c) {
    Mlp d = dNet(c);
    return new DiscriminatorTrainer(
        d, Factory.optimizer(c.optim().discriminator(), d), Factory.objective(c.objective()));
  }

  private record Run(float[] g, float[] d, List<Double> losses) {}

  private static Run run(AgonConfig c, GeneratorTrainer g, DiscriminatorTrainer d) {
    List<Double> losses = new ArrayList<>();
    PlainLoop.run(
        g,
        d,
        Factory.data(c),
        new Schedule(c.schedule().k(), 0, 12),
        B,
        12,
        new PlainLoop.Listener() {
          @Override
          public void dStep(long n, DLoss loss, long nanos) {
            losses.add(loss.loss());
            losses.add(loss.meanDReal());
          }

          @Override
          public void gStep(long i, GLoss loss, long nanos) {
            losses.add(loss.loss());
          }
        });
    return new Run(Tensors.toFloats(g.params()), Tensors.toFloats(d.params()), losses);
  }

  private static void assertBitEqual(float[] a, float[] b) {
    assertThat(a).hasSameSizeAs(b);
    for (int i = 0; i < a.length; i++) {
      assertThat(Float.floatToRawIntBits(a[i]))
          .as("element %d", i)
          .isEqualTo(Float.floatToRawIntBits(b[i]));
    }
  }

  @Test
  void weightZeroIsBitIdenticalToThePlainTrainers() {
    AgonConfig c = config();
    Run plain = run(c, plainG(c), plainD(c));

    // from config with the default weights 0: no average at all
    GeneratorTrainer g = GeneratorTrainer.create(c, dims(c));
    DiscriminatorTrainer d = DiscriminatorTrainer.create(c, dims(c));
    assertThat(g.historicalAverage()).isNull();
    assertThat(d.historicalAverage()).isNull();
    Run created = run(c, g, d);

    // averages present and accumulating, but with weight 0 (as after a run-time change to 0)
    Mlp gn = gNet(c);
    Mlp dn = dNet(c);
    HistoricalAverage gh = new HistoricalAverage(gn.numParams(), 0.0, 0);
    HistoricalAverage dh = new HistoricalAverage(dn.numParams(), 0.0, 0);
    GeneratorTrainer g0 =
        new GeneratorTrainer(
            gn,
            Mlp.create(Factory.discriminatorSpec(c, dims(c)), 0, DataType.FLOAT),
            Factory.optimizer(c.optim().generator(), gn),
            Factory.objective(c.objective()),
            c.seed(),
            gh,
            null);
    DiscriminatorTrainer d0 =
        new DiscriminatorTrainer(
            dn,
            Factory.optimizer(c.optim().discriminator(), dn),
            Factory.objective(c.objective()),
            2,
            dh);
    Run zero = run(c, g0, d0);
    assertThat(gh.count()).isEqualTo(12);
    assertThat(dh.count()).isEqualTo(24);
    assertThat(g0.lastPenalty()).isZero();
    assertThat(d0.lastPenalty()).isZero();

    for (Run r : List.of(created, zero)) {
      assertBitEqual(r.g(), plain.g());
      assertBitEqual(r.d(), plain.d());
      assertThat(r.losses()).isEqualTo(plain.losses());
    }

    // and a positive weight does change the run
    Run on =
        run(
            c,
            GeneratorTrainer.create(
                config("stabilizers.historical-averaging.generator-weight=1"), dims(c)),
            DiscriminatorTrainer.create(
                config("stabilizers.historical-averaging.discriminator-weight=1"), dims(c)));
    assertThat(on.g()).isNotEqualTo(plain.g());
    assertThat(on.d()).isNotEqualTo(plain.d());
  }

  /**
   * The penalty's gradient reaches the optimizer: D's gradient gains exactly 2 lambda (theta -
   * mean).
   */
  @Test
  void discriminatorGradientGainsThePenaltyGradient() {
    AgonConfig c = config();
    INDArray real = Nd4j.rand(DataType.FLOAT, B, 2);
    INDArray fake = Nd4j.rand(DataType.FLOAT, B, 2);
    Stubs.Recording plainOpt = new Stubs.Recording(0.1);
    Stubs.Recording avgOpt = new Stubs.Recording(0.1);
    DiscriminatorTrainer plain =
        new DiscriminatorTrainer(dNet(c), plainOpt, Factory.objective(c.objective()));
    Mlp dn = dNet(c);
    INDArray theta0 = dn.params().dup();
    double lambda = 0.5;
    DiscriminatorTrainer avg =
        new DiscriminatorTrainer(
            dn,
            avgOpt,
            Factory.objective(c.objective()),
            1,
            new HistoricalAverage(dn.numParams(), lambda, 0));

    plain.step(real, fake);
    avg.step(real, fake);
    assertThat(avg.lastPenalty()).isZero(); // no past version yet
    assertBitEqual(Tensors.toFloats(avgOpt.grads.get(0)), Tensors.toFloats(plainOpt.grads.get(0)));

    INDArray theta1 = dn.params().dup();
    assertBitEqual(Tensors.toFloats(theta1), Tensors.toFloats(plain.params()));
    plain.step(real, fake);
    avg.step(real, fake);
    INDArray diff = theta1.sub(theta0);
    assertThat(avg.lastPenalty())
        .isCloseTo(lambda * diff.mul(diff).sumNumber().doubleValue(), within(1e-9));
    float[] expected = Tensors.toFloats(plainOpt.grads.get(1).add(diff.mul(2 * lambda)));
    float[] got = Tensors.toFloats(avgOpt.grads.get(1));
    for (int i = 0; i < got.length; i++) {
      assertThat(got[i]).as("gradient %d", i).isCloseTo(expected[i], within(1e-6f));
    }
    assertThat(avg.updates()).isEqualTo(2);
  }

  /** D update n belongs to G iteration ceil(n/k); start counts G iterations for both players. */
  @Test
  void startStepForBothPlayers() {
    AgonConfig c =
        config(
            "stabilizers.historical-averaging.generator-weight=0.5",
            "stabilizers.historical-averaging.discriminator-weight=0.25",
            "stabilizers.historical-averaging.start=3");
    GeneratorTrainer g = GeneratorTrainer.create(c, dims(c));
    DiscriminatorTrainer d = DiscriminatorTrainer.create(c, dims(c));
    HistoricalAverage gh = g.historicalAverage();
    HistoricalAverage dh = d.historicalAverage();
    assertThat(gh.weight()).isEqualTo(0.5);
    assertThat(dh.weight()).isEqualTo(0.25);
    assertThat(d.iteration(4)).isEqualTo(2);
    assertThat(d.iteration(5)).isEqualTo(3);

    long[] gCounts = new long[7];
    long[] dCounts = new long[13];
    double[] dPenalties = new double[13];
    double[] dExpected = new double[13];
    double[] gPenalties = new double[7];
    double[] gExpected = new double[7];
    var data = Factory.data(c);
    for (long i = 1; i <= 6; i++) {
      for (int j = 1; j <= 2; j++) {
        long n = (i - 1) * 2 + j;
        dExpected[(int) n] = dh.isActive(d.iteration(n)) ? dh.penalty(d.params()) : 0.0;
        d.step(data.batch(n - 1, B).x(), g.fakes(n, B));
        dPenalties[(int) n] = d.lastPenalty();
        dCounts[(int) n] = dh.count();
      }
      gExpected[(int) i] = gh.isActive(i) ? gh.penalty(g.params()) : 0.0;
      g.step(i, d.params(), B);
      gPenalties[(int) i] = g.lastPenalty();
      gCounts[(int) i] = gh.count();
    }
    // G: updates 1, 2 inactive; 3 the first past version; 4.. penalised
    assertThat(gCounts).containsExactly(0, 0, 0, 1, 2, 3, 4);
    assertThat(gPenalties[3]).isZero();
    assertThat(gPenalties[4]).isPositive();
    assertThat(gPenalties).containsExactly(gExpected);
    // D (k = 2): updates 1..4 (iterations 1, 2) inactive; 5 (iteration 3) the first past version
    assertThat(dCounts).containsExactly(0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8);
    assertThat(dPenalties[5]).isZero();
    assertThat(dPenalties[6]).isPositive();
    assertThat(dPenalties).containsExactly(dExpected);
  }

  @Test
  void policyChangesAtRunTime() {
    AgonConfig c = config();
    GeneratorTrainer g = GeneratorTrainer.create(c, dims(c));
    DiscriminatorTrainer d = DiscriminatorTrainer.create(c, dims(c));
    g.historicalAveraging(0, 0); // stays off
    assertThat(g.historicalAverage()).isNull();
    var data = Factory.data(c);
    INDArray dParams = d.params().dup();
    g.step(1, dParams, B);
    d.step(data.batch(0, B).x(), g.fakes(1, B));
    // switched on from the next update: G from G update 3, D from iteration 1 (at once)
    g.historicalAveraging(0.5, 3);
    d.historicalAveraging(0.5, 1);
    g.step(2, dParams, B);
    d.step(data.batch(1, B).x(), g.fakes(2, B));
    assertThat(g.historicalAverage().count()).isZero();
    assertThat(d.historicalAverage().count()).isEqualTo(1);
    g.step(3, dParams, B);
    g.step(4, dParams, B);
    assertThat(g.historicalAverage().count()).isEqualTo(2);
    assertThat(g.lastPenalty()).isPositive();
    // a new weight applies to the next update and keeps the mean
    INDArray theta = g.params().dup();
    double before = g.historicalAverage().penalty(theta);
    g.historicalAveraging(1.0, 3);
    assertThat(g.historicalAverage().penalty(theta)).isCloseTo(2 * before, within(1e-12));
    g.step(5, dParams, B);
    assertThat(g.lastPenalty()).isCloseTo(2 * before, within(1e-12));
    assertThat(g.historicalAverage().count()).isEqualTo(3);
    assertThat(g.emaParams()).isNull(); // the EMA is off by default
  }

  /**
   * {@code stabilizers.historical-averaging.window} reaches both players' averages: those built
   * from the config and one created later by a policy change on a player whose config weight is 0.
   */
  @Test
  void windowFromTheConfigReachesEveryAverage() {
    AgonConfig c =
        config(
            "stabilizers.historical-averaging.generator-weight=0.5",
            "stabilizers.historical-averaging.window=40");
    GeneratorTrainer g = GeneratorTrainer.create(c, dims(c));
    DiscriminatorTrainer d = DiscriminatorTrainer.create(c, dims(c));
    assertThat(g.historicalAverage().window()).isEqualTo(40);
    assertThat(d.historicalAverage()).isNull();
    d.historicalAveraging(0.25, 3);
    assertThat(d.historicalAverage().window()).isEqualTo(40);
    assertThat(d.historicalAverage().start()).isEqualTo(3);
    assertThat(DiscriminatorTrainer.create(config(), dims(c)).historicalAverage()).isNull();
  }
}
