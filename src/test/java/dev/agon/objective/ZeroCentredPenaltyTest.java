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

/**
 * R1 and R2 (Mescheder et al. 2018) in DOUBLE: the value against the closed form over the critic's
 * input gradients, and the parameter gradient the penalty adds against central finite differences
 * of the penalty itself. R1 and R2 are one computation on different rows; both are checked, on the
 * real and the fake batch, as the trainer calls them.
 */
class ZeroCentredPenaltyTest {
  private static final int B = 4;
  private static final int D = 3;

  /**
   * A leaky-ReLU critic 3 -> 5 -> 4 -> 1 with scaled weights (input gradients well away from 0).
   */
  private static Mlp critic() {
    MlpSpec spec =
        new MlpSpec(D, List.of(5, 4), 1, Activation.LEAKY_RELU, Activation.IDENTITY, 0.2);
    Mlp m = Mlp.create(spec, 31, DataType.DOUBLE);
    m.params().muli(1.6);
    return m;
  }

  private static INDArray gaussian(long index, long... shape) {
    INDArray a = Nd4j.create(DataType.DOUBLE, shape);
    Noise.gaussian(a, 11, 3, index);
    return a;
  }

  /** Forward and input-gradient backward sums, the norm over features, the mean over the batch. */
  private static long terms(dev.agon.nn.Network critic, INDArray x) {
    return 2 * (critic.numParams() + x.length()) + x.length() + FiniteDifferences.OPS_PER_TERM;
  }

  /** {@code gamma/(2B) sum_i ||g_i||^2} from the critic's input gradients at the rows of x. */
  private static double closedForm(Mlp critic, INDArray x, double gamma) {
    critic.forward(x);
    INDArray g = critic.backward(Nd4j.ones(DataType.DOUBLE, x.rows(), 1), false, true).dup();
    double s = 0;
    for (int i = 0; i < B; i++) {
      double norm = g.getRow(i).norm2Number().doubleValue();
      s += norm * norm;
    }
    return gamma / (2.0 * B) * s;
  }

  private static void checkGradient(INDArray rows, double gamma, double scale) {
    Mlp critic = critic();
    ZeroCentredPenalty p = new ZeroCentredPenalty(gamma);
    INDArray before = gaussian(5, 1, critic.numParams());
    critic.grads().assign(before);
    double applied = p.apply(critic, rows, scale);
    INDArray added = critic.grads().sub(before);
    double value = p.evaluate(critic, rows);
    Tolerance.assertClose("scaled value", applied, scale * value, Tolerance.ops(4, applied));
    Tolerance.assertClose(
        "closed form",
        value,
        closedForm(critic, rows, gamma),
        Tolerance.ops((int) terms(critic, rows), value));
    assertThat(value).as("a non-trivial case").isGreaterThan(0.1);
    assertThat(
            FiniteDifferences.errorRatio(
                critic.params(),
                added,
                () -> scale * p.evaluate(critic, rows),
                1e-6,
                terms(critic, rows)))
        .isLessThan(1.0);
    // a wrong gradient fails the same check: half of it is off by far more than rounding
    assertThat(
            FiniteDifferences.errorRatio(
                critic.params(),
                added.mul(0.5),
                () -> scale * p.evaluate(critic, rows),
                1e-6,
                terms(critic, rows)))
        .isGreaterThan(1.0);
  }

  @Test
  void r1GradientOnRealRowsMatchesFiniteDifferences() {
    checkGradient(gaussian(1, B, D), 10.0, 1.0);
  }

  @Test
  void r2GradientOnFakeRowsMatchesFiniteDifferences() {
    checkGradient(gaussian(2, B, D).mul(3.0), 5.0, 1.0);
  }

  /** Lazy application every N updates weighs the penalty N times: value and gradient. */
  @Test
  void lazyScaleMultipliesValueAndGradient() {
    checkGradient(gaussian(1, B, D), 10.0, 16.0);
  }

  /** The DCGAN critic without batch norm: convolutions and leaky ReLU. */
  @Test
  void convolutionalCriticGradientMatchesFiniteDifferences() {
    dev.agon.nn.Sequential critic =
        dev.agon.nn.Dcgan.discriminator(1, 8, 2, false).build(DataType.DOUBLE, 17);
    INDArray real = gaussian(1, 3, 1, 8, 8);
    ZeroCentredPenalty p = new ZeroCentredPenalty(10);
    critic.grads().assign(0);
    assertThat(p.apply(critic, real, 1.0)).isPositive();
    assertThat(
            FiniteDifferences.errorRatio(
                critic.params(),
                critic.grads().dup(),
                () -> p.evaluate(critic, real),
                1e-6,
                terms(critic, real)))
        .isLessThan(1.0);
  }

  @Test
  void gammaZeroAddsNothing() {
    Mlp critic = critic();
    INDArray before = gaussian(5, 1, critic.numParams());
    critic.grads().assign(before);
    assertThat(new ZeroCentredPenalty(0).apply(critic, gaussian(1, B, D), 1.0)).isZero();
    assertThat(critic.grads()).isEqualTo(before);
  }

  @Test
  void refusesSmoothCriticsAndBadWeights() {
    Mlp tanh =
        Mlp.create(
            new MlpSpec(D, List.of(4), 1, Activation.TANH, Activation.IDENTITY, 0),
            3,
            DataType.DOUBLE);
    assertThatThrownBy(() -> new ZeroCentredPenalty(1).apply(tanh, gaussian(1, B, D), 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("piecewise-linear");
    assertThatThrownBy(() -> new ZeroCentredPenalty(-1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ZeroCentredPenalty(Double.POSITIVE_INFINITY))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ZeroCentredPenalty(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
