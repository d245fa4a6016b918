package dev.agon.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agon.tensor.Noise;
import dev.agon.tensor.Tolerance;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class MlpJvpTest {

  static Stream<Arguments> allActivations() {
    Stream.Builder<Arguments> b = Stream.builder();
    for (Activation hidden : Activation.values()) {
      for (Activation out : Activation.values()) {
        b.add(Arguments.of(hidden, out));
      }
    }
    return b.build();
  }

  static Stream<Arguments> piecewiseLinearActivations() {
    Activation[] pl = {Activation.IDENTITY, Activation.RELU, Activation.LEAKY_RELU};
    Stream.Builder<Arguments> b = Stream.builder();
    for (Activation hidden : pl) {
      for (Activation out : pl) {
        b.add(Arguments.of(hidden, out));
      }
    }
    return b.build();
  }

  private static INDArray gaussian(long index, long rows, long cols) {
    INDArray a = Nd4j.create(DataType.DOUBLE, rows, cols);
    Noise.gaussian(a, 5, 77, index);
    return a;
  }

  private static Mlp mlp(Activation hidden, Activation out) {
    return Mlp.create(new MlpSpec(3, List.of(5, 4), 2, hidden, out, 0.2), 23, DataType.DOUBLE);
  }

  @ParameterizedTest(name = "{0}/{1}")
  @MethodSource("allActivations")
  void jvpMatchesFiniteDifferencesOfForward(Activation hidden, Activation out) {
    Mlp net = mlp(hidden, out);
    INDArray x = gaussian(1, 4, 3);
    INDArray v = gaussian(2, 4, 3);
    net.forward(x);
    INDArray jv = net.jvp(v).dup();
    double h = 1e-6;
    INDArray plus = net.forward(x.add(v.mul(h))).dup();
    INDArray minus = net.forward(x.sub(v.mul(h))).dup();
    long n = GradCheck.terms(net.params(), x);
    assertThat(Tolerance.directionalRatio(jv, plus, minus, h, n)).isLessThan(1.0);
  }

  /** {@code F(theta) = <dT, J(theta) v>} at a fixed input, by forward then jvp. */
  private static INDArray tangentProduct(Mlp net, INDArray x, INDArray v, INDArray dT) {
    net.forward(x);
    return net.jvp(v).mul(dT);
  }

  @ParameterizedTest(name = "{0}/{1}")
  @MethodSource("piecewiseLinearActivations")
  void jvpBackwardAddsTheParameterGradientOfTheTangentProduct(Activation hidden, Activation out) {
    Mlp net = mlp(hidden, out);
    INDArray x = gaussian(3, 6, 3);
    INDArray v = gaussian(4, 6, 3);
    INDArray dT = gaussian(5, 6, 2);
    INDArray before = gaussian(6, 1, net.numParams());
    net.grads().assign(before);
    net.forward(x);
    net.jvp(v);
    net.jvpBackward(dT);
    INDArray added = net.grads().sub(before);
    // the tangent's sums run as long as the forward's: twice the forward's terms
    long n = 2 * GradCheck.terms(net.params(), x, dT);
    assertThat(GradCheck.errorRatio(net.params(), added, () -> tangentProduct(net, x, v, dT), n))
        .isLessThan(1.0);
    for (int l = 0; l < 3; l++) {
      INDArray biasGrad =
          added.get(
              org.nd4j.linalg.indexing.NDArrayIndex.point(0),
              org.nd4j.linalg.indexing.NDArrayIndex.interval(
                  biasOffset(net, l), biasOffset(net, l) + net.bias(l).length()));
      assertThat(biasGrad.amaxNumber().doubleValue()).as("bias %d", l).isZero();
    }
  }

  private static long biasOffset(Mlp net, int l) {
    long off = 0;
    for (int k = 0; k <= l; k++) {
      off += net.weight(k).length();
      if (k < l) {
        off += net.bias(k).length();
      }
    }
    return off;
  }

  @Test
  void piecewiseLinearOnlyWithIdentityAndRectifiers() {
    assertThat(mlp(Activation.LEAKY_RELU, Activation.IDENTITY).piecewiseLinear()).isTrue();
    assertThat(mlp(Activation.RELU, Activation.RELU).piecewiseLinear()).isTrue();
    assertThat(mlp(Activation.TANH, Activation.IDENTITY).piecewiseLinear()).isFalse();
    assertThat(mlp(Activation.RELU, Activation.SIGMOID).piecewiseLinear()).isFalse();
  }

  @Test
  void jvpLeavesForwardStateForBackward() {
    Mlp net = mlp(Activation.LEAKY_RELU, Activation.IDENTITY);
    INDArray x = gaussian(7, 4, 3);
    INDArray r = gaussian(8, 4, 2);
    net.forward(x);
    INDArray dx = net.backward(r, true, true).dup();
    INDArray g = net.grads().dup();
    net.forward(x);
    net.jvp(gaussian(9, 4, 3));
    assertThat(net.backward(r, true, true)).isEqualTo(dx);
    assertThat(net.grads()).isEqualTo(g);
  }

  @Test
  void jvpBackwardNeedsAJvpAfterTheLastForward() {
    Mlp net = mlp(Activation.RELU, Activation.IDENTITY);
    assertThatThrownBy(() -> net.jvp(gaussian(1, 2, 3))).isInstanceOf(IllegalStateException.class);
    net.forward(gaussian(1, 2, 3));
    net.jvp(gaussian(2, 2, 3));
    net.forward(gaussian(1, 2, 3));
    assertThatThrownBy(() -> net.jvpBackward(gaussian(3, 2, 2)))
        .isInstanceOf(IllegalStateException.class);
  }
}
