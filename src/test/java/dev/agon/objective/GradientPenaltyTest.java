package dev.agon.objective;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agon.nn.Activation;
import dev.agon.nn.Mlp;
import dev.agon.nn.MlpSpec;
import dev.agon.tensor.Noise;
import dev.agon.tensor.Tolerance;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class GradientPenaltyTest {
  private static final int B = 4;
  private static final int D = 3;

  /**
   * A small leaky-ReLU critic 3 -> 5 -> 4 -> 1, scaled weights; its input-gradient norms (about
   * 0.26) are away from 1.
   */
  private static Mlp critic(DataType t) {
    MlpSpec spec =
        new MlpSpec(D, List.of(5, 4), 1, Activation.LEAKY_RELU, Activation.IDENTITY, 0.2);
    Mlp m = Mlp.create(spec, 31, DataType.DOUBLE);
    m.params().muli(1.6);
    Mlp out = Mlp.create(spec, 0, t);
    out.copyParamsFrom(m.params());
    return out;
  }

  private static INDArray gaussian(DataType t, long index, long... shape) {
    INDArray a = Nd4j.create(t, shape);
    Noise.gaussian(a, 11, 3, index);
    return a;
  }

  /**
   * Terms along the penalty's chain of sums: the critic's forward and its input-gradient backward
   * (each at most its parameters and the batch: a dense or convolution fan-in is below its weight
   * count), the gradient's norm over the features and the mean over the batch.
   */
  private static long penaltyTerms(dev.agon.nn.Network critic, INDArray real) {
    return 2 * (critic.numParams() + real.length())
        + real.length()
        + FiniteDifferences.OPS_PER_TERM;
  }

  /** {@code xHat = eps real + (1 - eps) fake}, row by row. */
  private static INDArray mix(INDArray real, INDArray fake, INDArray eps) {
    INDArray x = Nd4j.create(DataType.DOUBLE, B, D);
    for (int i = 0; i < B; i++) {
      double e = eps.getDouble(i);
      x.putRow(i, real.getRow(i).mul(e).add(fake.getRow(i).mul(1 - e)));
    }
    return x;
  }

  /** The critic's input gradient at each row of x (rows are independent in an MLP). */
  private static INDArray inputGrads(Mlp critic, INDArray x) {
    critic.forward(x);
    return critic.backward(Nd4j.ones(DataType.DOUBLE, x.rows(), 1), false, true).dup();
  }

  private static INDArray epsilon() {
    INDArray e = Nd4j.create(DataType.DOUBLE, B);
    Noise.uniform(e, 11, 4, 0);
    return e;
  }

  @Test
  void penaltyMatchesFiniteDifferenceInputGradients() {
    Mlp critic = critic(DataType.DOUBLE);
    INDArray real = gaussian(DataType.DOUBLE, 1, B, D);
    INDArray fake = gaussian(DataType.DOUBLE, 2, B, D);
    INDArray eps = epsilon();
    double lambda = 10;
    INDArray gradsBefore = critic.grads().dup();
    GradientPenalty.Result r = new GradientPenalty(lambda).evaluate(critic, real, fake, eps);
    assertThat(critic.grads()).isEqualTo(gradsBefore);

    // the critic's input gradient at each xHat, checked against finite differences; the norms
    // and the penalty then follow from it in closed form
    long n = penaltyTerms(critic, real);
    INDArray xHat = mix(real, fake, eps);
    INDArray g = inputGrads(critic, xHat);
    for (int i = 0; i < B; i++) {
      INDArray row = xHat.getRow(i).dup().reshape(1, D);
      INDArray gi = g.getRow(i).dup().reshape(1, D);
      critic.grads().assign(0);
      critic.forward(row);
      critic.backward(Nd4j.ones(DataType.DOUBLE, 1, 1), true, false);
      // rounding scale of the critic's output (GradCheck's): |f| + sum |x dx| + sum |theta dtheta|
      double out = critic.forward(row).getDouble(0, 0);
      double abs =
          Math.abs(out)
              + Tolerance.absSum(row.mul(gi))
              + Tolerance.absSum(critic.params().mul(critic.grads()));
      Tolerance.Loss loss = new Tolerance.Loss(() -> critic.forward(row).getDouble(0, 0), abs, n);
      assertThat(Tolerance.finiteDifferenceRatio(row, gi, loss, 1e-6))
          .as("row %d", i)
          .isLessThan(1.0);
    }
    double sumSq = 0;
    double sumNorm = 0;
    double worstOff = 0;
    for (int i = 0; i < B; i++) {
      double norm = g.getRow(i).norm2Number().doubleValue();
      sumSq += (norm - 1) * (norm - 1);
      sumNorm += norm;
      worstOff = Math.max(worstOff, Math.abs(norm - 1));
    }
    double expected = lambda * sumSq / B;
    // the penalty's input gradients and these: the same sums, reordered; a norm moves by at most
    // the gradient's own error, gamma(n) of sum |g| per row
    double normTol = Tolerance.reordered(n, Tolerance.absSum(g), DataType.DOUBLE);
    Tolerance.assertClose("mean norm", r.meanGradNorm(), sumNorm / B, normTol);
    Tolerance.assertClose(
        "penalty",
        r.penalty(),
        expected,
        lambda * 2 * worstOff * normTol + Tolerance.ops(B + 6, expected));
    // the case is not trivial: the norms are away from 1
    assertThat(r.penalty()).isGreaterThan(1.0);
  }

  @Test
  void parameterGradientMatchesFiniteDifferencesOfThePenalty() {
    Mlp critic = critic(DataType.DOUBLE);
    INDArray real = gaussian(DataType.DOUBLE, 1, B, D);
    INDArray fake = gaussian(DataType.DOUBLE, 2, B, D);
    INDArray eps = epsilon();
    GradientPenalty gp = new GradientPenalty(10);
    INDArray before = gaussian(DataType.DOUBLE, 5, 1, critic.numParams());
    critic.grads().assign(before);
    double penalty = gp.apply(critic, real, fake, eps).penalty();
    INDArray added = critic.grads().sub(before);
    assertThat(penalty).isEqualTo(gp.evaluate(critic, real, fake, eps).penalty());
    assertThat(
            FiniteDifferences.errorRatio(
                critic.params(),
                added,
                () -> gp.evaluate(critic, real, fake, eps).penalty(),
                1e-6,
                penaltyTerms(critic, real)))
        .isLessThan(1.0);
    // the biases do not move the input gradient (fixed masks): exactly 0 added
    long off = 0;
    for (int l = 0; l < 3; l++) {
      off += critic.weight(l).length();
      long n = critic.bias(l).length();
      assertThat(
              added
                  .get(NDArrayIndex.point(0), NDArrayIndex.interval(off, off + n))
                  .amaxNumber()
                  .doubleValue())
          .isZero();
      off += n;
    }
  }

  /** The same check on a small DCGAN critic without batch norm (conv, LeakyReLU, linear). */
  @Test
  void convolutionalCriticGradientMatchesFiniteDifferences() {
    dev.agon.nn.Sequential critic =
        dev.agon.nn.Dcgan.discriminator(1, 8, 2, false).build(DataType.DOUBLE, 17);
    INDArray real = gaussian(DataType.DOUBLE, 1, 3, 1, 8, 8);
    INDArray fake = gaussian(DataType.DOUBLE, 2, 3, 1, 8, 8);
    INDArray eps = Nd4j.createFromArray(0.25, 0.5, 0.9);
    GradientPenalty gp = new GradientPenalty(10);
    critic.grads().assign(0);
    double penalty = gp.apply(critic, real, fake, eps).penalty();
    assertThat(penalty).isPositive();
    assertThat(
            FiniteDifferences.errorRatio(
                critic.params(),
                critic.grads().dup(),
                () -> gp.evaluate(critic, real, fake, eps).penalty(),
                1e-6,
                penaltyTerms(critic, real)))
        .isLessThan(1.0);
  }

  /**
   * The trainer's recipe: loss backward (overwriting), then the penalty (accumulating), gives the
   * gradient of {@code L_D + P}.
   */
  @Test
  void wassersteinPlusPenaltyInTheTrainersOrder() {
    Mlp critic = critic(DataType.DOUBLE);
    INDArray real = gaussian(DataType.DOUBLE, 1, B, D);
    INDArray fake = gaussian(DataType.DOUBLE, 2, B, D);
    INDArray eps = epsilon();
    Wasserstein w = new Wasserstein();
    GradientPenalty gp = new GradientPenalty();
    INDArray both = Nd4j.vstack(real, fake);
    INDArray grad = Nd4j.create(DataType.DOUBLE, 2 * B, 1);
    critic.grads().assign(123.0); // stale values must not survive
    INDArray out = critic.forward(both);
    DLoss loss =
        w.discriminator(
            Columns.rows(out, 0, B),
            Columns.rows(out, B, 2 * B),
            Columns.rows(grad, 0, B),
            Columns.rows(grad, B, 2 * B));
    critic.backward(grad, true, false);
    double penalty = gp.apply(critic, real, fake, eps).penalty();
    INDArray analytic = critic.grads().dup();
    INDArray sr = Nd4j.create(DataType.DOUBLE, B, 1);
    INDArray sf = Nd4j.create(DataType.DOUBLE, B, 1);
    assertThat(
            FiniteDifferences.errorRatio(
                critic.params(),
                analytic,
                () -> {
                  INDArray o = critic.forward(both).dup();
                  double l =
                      w.discriminator(Columns.rows(o, 0, B), Columns.rows(o, B, 2 * B), sr, sf)
                          .loss();
                  return l + gp.evaluate(critic, real, fake, eps).penalty();
                },
                1e-6,
                penaltyTerms(critic, real)))
        .isLessThan(1.0);
    assertThat(loss.loss() + penalty).isFinite();
  }

  @Test
  void floatCriticAgreesWithDouble() {
    Mlp d = critic(DataType.DOUBLE);
    Mlp f = critic(DataType.FLOAT);
    INDArray real = gaussian(DataType.DOUBLE, 1, B, D);
    INDArray fake = gaussian(DataType.DOUBLE, 2, B, D);
    INDArray eps = epsilon();
    d.grads().assign(0);
    f.grads().assign(0);
    GradientPenalty.Result rd = new GradientPenalty().apply(d, real, fake, eps);
    GradientPenalty.Result rf =
        new GradientPenalty()
            .apply(f, real.castTo(DataType.FLOAT), fake.castTo(DataType.FLOAT), eps);
    // as in penaltyMatchesFiniteDifferenceInputGradients, with FLOAT's rounding on the norms
    long n = penaltyTerms(d, real);
    INDArray g = inputGrads(d, mix(real, fake, eps));
    double worstOff = 0;
    for (int i = 0; i < B; i++) {
      worstOff = Math.max(worstOff, Math.abs(g.getRow(i).norm2Number().doubleValue() - 1));
    }
    double normTol = Tolerance.floatVsDouble(n, Tolerance.absSum(g));
    Tolerance.assertClose(
        "penalty",
        rf.penalty(),
        rd.penalty(),
        GradientPenalty.DEFAULT_LAMBDA * 2 * worstOff * normTol
            + Tolerance.floatVsDouble(B + 6, rd.penalty()));
    assertThat(Tolerance.floatVsDoubleRatio(f.grads(), d.grads(), n, Tolerance.absMax(d.grads())))
        .isLessThan(1.0);
  }

  @Test
  void deadCriticHasPenaltyLambdaAndNoGradient() {
    Mlp critic =
        Mlp.create(
            new MlpSpec(D, List.of(4), 1, Activation.RELU, Activation.IDENTITY, 0),
            3,
            DataType.DOUBLE);
    critic.bias(0).assign(-100.0); // every hidden unit off for these inputs
    INDArray before = gaussian(DataType.DOUBLE, 6, 1, critic.numParams());
    critic.grads().assign(before);
    GradientPenalty.Result r =
        new GradientPenalty(10)
            .apply(
                critic,
                gaussian(DataType.DOUBLE, 1, B, D),
                gaussian(DataType.DOUBLE, 2, B, D),
                epsilon());
    assertThat(r.penalty()).isEqualTo(10.0);
    assertThat(r.meanGradNorm()).isZero();
    assertThat(critic.grads()).isEqualTo(before);
  }

  @Test
  void buffersFollowTheBatchSize() {
    Mlp critic = critic(DataType.DOUBLE);
    GradientPenalty gp = new GradientPenalty();
    INDArray eps = epsilon();
    INDArray real = gaussian(DataType.DOUBLE, 1, B, D);
    INDArray fake = gaussian(DataType.DOUBLE, 2, B, D);
    double p4 = gp.evaluate(critic, real, fake, eps).penalty();
    INDArray e2 = eps.get(NDArrayIndex.interval(0, 2));
    gp.evaluate(critic, Columns.rows(real, 0, 2), Columns.rows(fake, 0, 2), e2);
    assertThat(gp.evaluate(critic, real, fake, eps).penalty()).isEqualTo(p4);
  }

  @Test
  void rejectsACriticThatIsNotPiecewiseLinear() {
    Mlp tanh =
        Mlp.create(
            new MlpSpec(D, List.of(4), 1, Activation.TANH, Activation.IDENTITY, 0),
            3,
            DataType.DOUBLE);
    INDArray x = gaussian(DataType.DOUBLE, 1, B, D);
    assertThatThrownBy(() -> new GradientPenalty().apply(tanh, x, x, epsilon()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("piecewise-linear")
        .hasMessageContaining("batch norm")
        .hasMessageContaining("TANH");
  }

  @Test
  void rejectsBadArguments() {
    Mlp critic = critic(DataType.DOUBLE);
    INDArray x = gaussian(DataType.DOUBLE, 1, B, D);
    GradientPenalty gp = new GradientPenalty();
    assertThatThrownBy(() -> gp.apply(critic, x, x, Nd4j.zeros(DataType.DOUBLE, B - 1)))
        .isInstanceOf(IllegalArgumentException.class);
    INDArray badEps = epsilon().dup();
    badEps.putScalar(1, 1.5);
    assertThatThrownBy(() -> gp.apply(critic, x, x, badEps))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> gp.apply(critic, x, gaussian(DataType.DOUBLE, 2, B, D + 1), epsilon()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> gp.apply(critic, x.castTo(DataType.FLOAT), x, epsilon()))
        .isInstanceOf(IllegalArgumentException.class);
    Mlp twoOut =
        Mlp.create(
            new MlpSpec(D, List.of(4), 2, Activation.RELU, Activation.IDENTITY, 0),
            3,
            DataType.DOUBLE);
    assertThatThrownBy(() -> gp.apply(twoOut, x, x, epsilon()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("one value per sample");
    assertThatThrownBy(() -> new GradientPenalty(-1)).isInstanceOf(IllegalArgumentException.class);
  }
}
