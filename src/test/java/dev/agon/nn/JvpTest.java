package dev.agon.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agon.tensor.Tolerance;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Jacobian-vector products of piecewise-linear layers and networks: {@code jvp} against finite
 * differences of the forward pass, {@code jvpBackward} against finite differences of {@code <dT, J
 * v>} w.r.t. the parameters and the tangent.
 */
class JvpTest {

  private static Arguments of(String name, long[] in, UnaryOperator<Sequential.Builder> layers) {
    return Arguments.of(name, in, layers);
  }

  static Stream<Arguments> networks() {
    long[] img = {2, 5, 6};
    return Stream.of(
        of("linear", new long[] {4}, b -> b.linear(3)),
        of("linear no bias", new long[] {4}, b -> b.linear(3, false)),
        of("conv k3 s1 p1", img, b -> b.conv2d(3, 3, 1, 1)),
        of("conv k4 s2 p1", img, b -> b.conv2d(3, 4, 2, 1)),
        of("conv k2 s3 p2 no bias", img, b -> b.conv2d(1, 2, 3, 2, false)),
        of("convT k4 s2 p1", img, b -> b.convTranspose2d(3, 4, 2, 1)),
        of("convT k3 s1 p0 no bias", img, b -> b.convTranspose2d(1, 3, 1, 0, false)),
        of("relu", img, b -> b.relu()),
        of("leaky relu", img, b -> b.leakyRelu(0.2)),
        of("affine", img, b -> b.affine(0.5, 0.5)),
        of("reshape, flatten", img, b -> b.reshape(10, 6).flatten()),
        of(
            "conv, lrelu, conv, relu, flatten, linear",
            img,
            b -> b.conv2d(3, 3, 2, 1).leakyRelu(0.2).conv2d(4, 2, 1, 0).relu().flatten().linear(2)),
        of("reshape first", new long[] {12}, b -> b.reshape(3, 2, 2).conv2d(2, 2, 1, 1)),
        of("dcgan critic 28", new long[] {1, 28, 28}, b -> Dcgan.discriminator(1, 28, 3, false)),
        of("dcgan critic 16", new long[] {2, 16, 16}, b -> Dcgan.discriminator(2, 16, 2, false)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("networks")
  void jvpIsTheDirectionalDerivative(
      String name, long[] in, UnaryOperator<Sequential.Builder> layers) {
    Sequential net = layers.apply(Sequential.builder(in)).build(DataType.DOUBLE, 5);
    assertThat(net.piecewiseLinear()).isTrue();
    INDArray x = NetCheck.gaussian(DataType.DOUBLE, 1, NetCheck.batched(3, in));
    INDArray v = NetCheck.gaussian(DataType.DOUBLE, 2, NetCheck.batched(3, in));
    double h = 1e-6;
    INDArray plus = net.forward(x.add(v.mul(h))).dup();
    INDArray minus = net.forward(x.sub(v.mul(h))).dup();
    long n = NetCheck.terms(net, x);
    INDArray y = net.forward(x).dup();
    INDArray t = net.jvp(v);
    assertThat(t.shape()).isEqualTo(y.shape());
    assertThat(Tolerance.directionalRatio(t, plus, minus, h, n)).isLessThan(1.0);
    // the jvp leaves the forward activations alone
    assertThat(net.activation(net.numLayers() - 1)).isEqualTo(y);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("networks")
  void jvpBackwardAddsTheParameterGradientOfTheTangent(
      String name, long[] in, UnaryOperator<Sequential.Builder> layers) {
    Sequential net = layers.apply(Sequential.builder(in)).build(DataType.DOUBLE, 6);
    INDArray x = NetCheck.gaussian(DataType.DOUBLE, 3, NetCheck.batched(3, in));
    INDArray v = NetCheck.gaussian(DataType.DOUBLE, 4, NetCheck.batched(3, in));
    INDArray dT = NetCheck.gaussian(DataType.DOUBLE, 5, NetCheck.batched(3, net.outputShape()));
    // the tangent's sums run as long as the forward's: twice the forward's terms
    long n = 2 * NetCheck.terms(net, x);
    if (net.numParams() > 0) {
      INDArray before = NetCheck.gaussian(DataType.DOUBLE, 6, 1, net.numParams());
      net.grads().assign(before);
      net.forward(x);
      net.jvp(v);
      net.jvpBackward(dT);
      INDArray analytic = net.grads().sub(before);
      // <dT, J v> is linear in each single parameter while the masks hold, so a small step only
      // makes crossing a kink (a preactivation within h of 0) unlikely
      double err =
          NetCheck.errorRatio(
              net.params(), analytic, () -> NetCheck.tangentLoss(net, x, v, dT), n, 1e-6);
      assertThat(err).as("param grads of <dT, Jv>").isLessThan(1.0);
    }

    // the tangent gradient J^T dT: by finite differences and equal to backward's input gradient
    net.forward(x);
    net.jvp(v);
    INDArray dv = net.jvpBackward(dT, true).dup();
    assertThat(NetCheck.errorRatio(v, dv, () -> NetCheck.tangentLoss(net, x, v, dT), n))
        .as("tangent grads")
        .isLessThan(1.0);
    net.forward(x);
    INDArray dx = net.backward(dT, false, true);
    // the backward and the tangent's backward add the same terms, maybe in other orders
    double bound = Tolerance.reordered(n, Tolerance.absMax(dv), DataType.DOUBLE);
    assertThat(Tolerance.ratio(dx, dv, bound)).isLessThan(1.0);
  }

  @Test
  void jvpOfALinearLayerIgnoresTheBias() {
    Sequential net = Sequential.builder(3).linear(2).build(DataType.DOUBLE, 1);
    INDArray x = NetCheck.gaussian(DataType.DOUBLE, 1, 4, 3);
    INDArray v = NetCheck.gaussian(DataType.DOUBLE, 2, 4, 3);
    net.forward(x);
    Linear l = (Linear) net.layer(0);
    // Higham's componentwise bound for a product of fan-in 3, twice: 2 gamma(3) |v| |W|
    INDArray bound =
        Transforms.abs(v)
            .mmul(Transforms.abs(l.weight()))
            .muli(2 * Tolerance.gamma(3, DataType.DOUBLE));
    assertThat(Tolerance.ratio(net.jvp(v), v.mmul(l.weight()), bound)).isLessThan(1.0);
    // and its bias gets no gradient from jvpBackward
    net.grads().assign(0.0);
    net.jvpBackward(NetCheck.gaussian(DataType.DOUBLE, 3, 4, 2));
    assertThat(NetCheck.maxAbs(l.bias())).isGreaterThan(0.0);
    assertThat(net.grads().getDouble(6)).isEqualTo(0.0);
    assertThat(net.grads().getDouble(7)).isEqualTo(0.0);
  }

  @Test
  void smoothOrBatchCoupledLayersHaveNoJvp() {
    for (UnaryOperator<Sequential.Builder> layers :
        java.util.List.<UnaryOperator<Sequential.Builder>>of(
            b -> b.linear(2).tanh(), b -> b.linear(2).sigmoid(), b -> b.linear(2).batchNorm())) {
      Sequential net = layers.apply(Sequential.builder(3)).build(DataType.DOUBLE, 1);
      assertThat(net.piecewiseLinear()).isFalse();
      net.forward(NetCheck.gaussian(DataType.DOUBLE, 1, 4, 3));
      assertThatThrownBy(() -> net.jvp(NetCheck.gaussian(DataType.DOUBLE, 2, 4, 3)))
          .isInstanceOf(UnsupportedOperationException.class);
    }
    assertThat(Dcgan.discriminator(1, 28, 4, true).build(DataType.FLOAT, 1).piecewiseLinear())
        .isFalse();
    assertThat(Dcgan.generator(3, 1, 28, 4).build(DataType.FLOAT, 1).piecewiseLinear()).isFalse();
  }
}
