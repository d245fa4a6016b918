package dev.agon.objective;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.nn.Activation;
import dev.agon.nn.KernelChoice;
import dev.agon.nn.Mlp;
import dev.agon.nn.MlpSpec;
import dev.agon.nn.Network;
import dev.agon.objective.StandardGan.GeneratorLoss;
import dev.agon.tensor.DenseAccess;
import dev.agon.tensor.DenseAccess.HostCopies;
import dev.agon.tensor.Noise;
import dev.agon.tensor.Tolerance;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Issue 15 items 3 and 4 for the objectives and the WGAN-GP penalty: their ND4J-op kernels ({@link
 * KernelChoice#ND4J_OPS}) pass finite-difference checks in DOUBLE, agree with the Java loops to
 * rounding (DOUBLE and FLOAT) and copy nothing to the host (their loss and metrics are scalar
 * reads, counted apart).
 */
class NativeObjectivesTest {
  private static final KernelChoice OPS = KernelChoice.ND4J_OPS;
  private static final KernelChoice HOST = KernelChoice.HOST_LOOP;

  private static INDArray gaussian(DataType t, long index, double scale, long... shape) {
    INDArray a = Nd4j.create(DataType.DOUBLE, shape);
    Noise.gaussian(a, 23, 7, index);
    return a.muli(scale).castTo(t);
  }

  private static List<StandardGan> standard(KernelChoice k) {
    return List.of(
        new StandardGan(GeneratorLoss.NON_SATURATING, 1.0, k),
        new StandardGan(GeneratorLoss.MINIMAX, 1.0, k),
        new StandardGan(GeneratorLoss.NON_SATURATING, 0.9, k));
  }

  private static List<GanObjective> all(KernelChoice k) {
    List<GanObjective> list = new java.util.ArrayList<>(standard(k));
    list.add(new Wasserstein(k));
    return list;
  }

  /** Host copies made by {@code run}, checked to be none; returns its result. */
  private static <T> T noCopies(Supplier<T> run) {
    HostCopies before = DenseAccess.copies();
    T t = run.get();
    assertThat(DenseAccess.copies().since(before)).isEqualTo(new HostCopies(0, 0));
    return t;
  }

  @Test
  void objectivesMatchFiniteDifferencesInDoubleOnRowViews() {
    int b = 6;
    INDArray all = gaussian(DataType.DOUBLE, 1, 3.0, 2 * b, 1);
    INDArray grads = Nd4j.create(DataType.DOUBLE, 2 * b, 1);
    INDArray real = Columns.rows(all, 0, b);
    INDArray fake = Columns.rows(all, b, 2 * b);
    INDArray gr = Columns.rows(grads, 0, b);
    INDArray gf = Columns.rows(grads, b, 2 * b);
    INDArray sr = Nd4j.create(DataType.DOUBLE, b, 1);
    INDArray sf = Nd4j.create(DataType.DOUBLE, b, 1);
    for (GanObjective obj : all(OPS)) {
      noCopies(() -> obj.discriminator(real, fake, gr, gf));
      INDArray analytic = grads.dup();
      assertThat(
              FiniteDifferences.errorRatio(
                  all, analytic, () -> obj.discriminator(real, fake, sr, sf).loss()))
          .as("%s D", obj)
          .isLessThan(1.0);
      noCopies(() -> obj.generator(fake, gf));
      INDArray a = gf.dup();
      assertThat(FiniteDifferences.errorRatio(fake, a, () -> obj.generator(fake, sf).loss()))
          .as("%s G", obj)
          .isLessThan(1.0);
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = DataType.class,
      names = {"FLOAT", "DOUBLE"})
  void objectivesAgreeWithTheJavaLoops(DataType t) {
    int b = 7;
    // moderate logits and extreme ones (saturated sigmoids, softplus without overflow)
    INDArray real =
        Nd4j.vstack(gaussian(t, 2, 2.0, b, 1), Columns.column(t, -1e4, -100, 100, 1e4, 0));
    INDArray fake =
        Nd4j.vstack(gaussian(t, 3, 2.0, b, 1), Columns.column(t, 1e4, 50, -50, -1e4, 0));
    int n = b + 5;
    List<GanObjective> ops = all(OPS);
    List<GanObjective> host = all(HOST);
    for (int i = 0; i < ops.size(); i++) {
      INDArray[] g = new INDArray[6];
      for (int j = 0; j < 6; j++) {
        g[j] = Nd4j.create(t, n, 1);
      }
      DLoss dOps = ops.get(i).discriminator(real, fake, g[0], g[1]);
      DLoss dHost = host.get(i).discriminator(real, fake, g[2], g[3]);
      GLoss gOps = ops.get(i).generator(fake, g[4]);
      GLoss gHost = host.get(i).generator(fake, g[5]);
      // each value: a few ops per element, then a sum over the rows (scale: the values' sizes)
      double u = Tolerance.unitRoundoff(t) * 2 * (n + 16);
      String what = ops.get(i) + " " + t;
      Tolerance.assertClose(what + " D loss", dOps.loss(), dHost.loss(), u * 2.1e4);
      Tolerance.assertClose(what + " D real", dOps.meanDReal(), dHost.meanDReal(), u * 1e4);
      Tolerance.assertClose(what + " D fake", dOps.meanDFake(), dHost.meanDFake(), u * 1e4);
      assertThat(Double.compare(dOps.accuracy(), dHost.accuracy())).as(what).isZero(); // NaN too
      Tolerance.assertClose(what + " G loss", gOps.loss(), gHost.loss(), u * 1e4);
      Tolerance.assertClose(what + " G fake", gOps.meanDFake(), gHost.meanDFake(), u * 1e4);
      int[][] pairs = {{0, 2}, {1, 3}, {4, 5}}; // ops against host: real, fake, generator
      for (int[] p : pairs) {
        assertThat(Tolerance.ratio(g[p[0]], g[p[1]], u)).as(what + " grad " + p[0]).isLessThan(1);
      }
    }
  }

  /** The critic of {@link GradientPenaltyTest}: leaky ReLU 3 -> 5 -> 4 -> 1, norms away from 1. */
  private static Mlp critic(DataType t) {
    MlpSpec spec =
        new MlpSpec(3, List.of(5, 4), 1, Activation.LEAKY_RELU, Activation.IDENTITY, 0.2);
    Mlp m = Mlp.create(spec, 31, DataType.DOUBLE);
    m.params().muli(1.6);
    Mlp out = Mlp.create(spec, 0, t);
    out.copyParamsFrom(m.params());
    return out;
  }

  private static long penaltyTerms(Network critic, INDArray real) {
    return 2 * (critic.numParams() + real.length())
        + real.length()
        + FiniteDifferences.OPS_PER_TERM;
  }

  /**
   * The penalty's parameter gradient on the ops path against finite differences; {@code copyFree}:
   * the critic's own layers copy nothing either (the convolutions do on a CPU build without
   * oneDNN), so the whole apply must not.
   */
  private static void penaltyGradientMatchesFiniteDifferences(
      Network critic, INDArray real, INDArray fake, INDArray eps, boolean copyFree) {
    GradientPenalty gp = new GradientPenalty(10, OPS);
    INDArray before = gaussian(DataType.DOUBLE, 5, 1.0, 1, critic.numParams());
    critic.grads().assign(before);
    double penalty =
        copyFree
            ? noCopies(() -> gp.apply(critic, real, fake, eps)).penalty()
            : gp.apply(critic, real, fake, eps).penalty();
    assertThat(penalty).isGreaterThan(0.1);
    INDArray added = critic.grads().sub(before);
    assertThat(
            FiniteDifferences.errorRatio(
                critic.params(),
                added,
                () -> gp.evaluate(critic, real, fake, eps).penalty(),
                1e-6,
                penaltyTerms(critic, real)))
        .isLessThan(1.0);
  }

  @Test
  void penaltyGradientMatchesFiniteDifferencesInDouble() {
    INDArray eps = Nd4j.createFromArray(0.1, 0.5, 0.75, 1.0);
    penaltyGradientMatchesFiniteDifferences(
        critic(DataType.DOUBLE),
        gaussian(DataType.DOUBLE, 1, 1.0, 4, 3),
        gaussian(DataType.DOUBLE, 2, 1.0, 4, 3),
        eps,
        true);
    Network conv = dev.agon.nn.Dcgan.discriminator(1, 8, 2, false).build(DataType.DOUBLE, 17);
    penaltyGradientMatchesFiniteDifferences(
        conv,
        gaussian(DataType.DOUBLE, 3, 1.0, 3, 1, 8, 8),
        gaussian(DataType.DOUBLE, 4, 1.0, 3, 1, 8, 8),
        Nd4j.createFromArray(0.25, 0.5, 0.9),
        false);
  }

  @ParameterizedTest
  @EnumSource(
      value = DataType.class,
      names = {"FLOAT", "DOUBLE"})
  void penaltyAgreesWithTheJavaLoops(DataType t) {
    Mlp a = critic(t);
    Mlp b = critic(t);
    INDArray real = gaussian(t, 1, 1.0, 4, 3);
    INDArray fake = gaussian(t, 2, 1.0, 4, 3);
    INDArray eps = Nd4j.createFromArray(0.1, 0.5, 0.75, 1.0).castTo(t);
    a.grads().assign(0);
    b.grads().assign(0);
    GradientPenalty.Result ops = new GradientPenalty(10, OPS).apply(a, real, fake, eps);
    GradientPenalty.Result host = new GradientPenalty(10, HOST).apply(b, real, fake, eps);
    long n = penaltyTerms(a, real);
    double u = Tolerance.unitRoundoff(t) * 4 * n;
    Tolerance.assertClose("penalty", ops.penalty(), host.penalty(), u * 10 * ops.penalty());
    Tolerance.assertClose("norm", ops.meanGradNorm(), host.meanGradNorm(), u);
    assertThat(Tolerance.ratio(a.grads(), b.grads(), u * 10 * Tolerance.absMax(b.grads())))
        .isLessThan(1.0);
  }

  @Test
  void deadCriticAndBadEpsilonOnTheOpsPath() {
    Mlp critic =
        Mlp.create(
            new MlpSpec(3, List.of(4), 1, Activation.RELU, Activation.IDENTITY, 0),
            3,
            DataType.DOUBLE);
    critic.bias(0).assign(-100.0);
    INDArray before = gaussian(DataType.DOUBLE, 6, 1.0, 1, critic.numParams());
    critic.grads().assign(before);
    INDArray real = gaussian(DataType.DOUBLE, 1, 1.0, 4, 3);
    INDArray fake = gaussian(DataType.DOUBLE, 2, 1.0, 4, 3);
    GradientPenalty gp = new GradientPenalty(10, OPS);
    GradientPenalty.Result r =
        gp.apply(critic, real, fake, Nd4j.createFromArray(0.1, 0.5, 0.75, 1.0));
    assertThat(r.penalty()).isEqualTo(10.0);
    assertThat(r.meanGradNorm()).isZero();
    assertThat(critic.grads()).isEqualTo(before);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> gp.apply(critic, real, fake, Nd4j.createFromArray(0.1, 1.5, 0.75, 1.0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("epsilon");
  }
}
