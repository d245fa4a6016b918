package dev.agon.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Finite-difference checks of every layer's parameter and input gradients, in DOUBLE. */
class LayerGradientTest {

  private static Arguments of(String name, long[] in, UnaryOperator<Sequential.Builder> layers) {
    return Arguments.of(name, in, layers);
  }

  static Stream<Arguments> layers() {
    long[] img = {2, 5, 6};
    return Stream.of(
        of("linear", new long[] {4}, b -> b.linear(3)),
        of("linear no bias", new long[] {4}, b -> b.linear(3, false)),
        of("linear dcgan init", new long[] {5}, b -> b.init(Init.DCGAN).linear(2)),
        of("linear uniform init", new long[] {5}, b -> b.init(Init.uniform(0.05)).linear(2)),
        of("conv k3 s1 p1", img, b -> b.conv2d(3, 3, 1, 1)),
        of("conv k4 s2 p1", img, b -> b.conv2d(3, 4, 2, 1)),
        of("conv k3 s2 p0", img, b -> b.conv2d(4, 3, 2, 0)),
        of("conv k2 s3 p2 no bias", img, b -> b.conv2d(1, 2, 3, 2, false)),
        of("conv k1 s1 p0", img, b -> b.conv2d(3, 1, 1, 0)),
        of("conv k5 s1 p0 (whole width)", new long[] {3, 5, 5}, b -> b.conv2d(2, 5, 1, 0)),
        of("convT k4 s2 p1", img, b -> b.convTranspose2d(3, 4, 2, 1)),
        of("convT k3 s1 p0", img, b -> b.convTranspose2d(1, 3, 1, 0)),
        of("convT k3 s2 p1 no bias", img, b -> b.convTranspose2d(4, 3, 2, 1, false)),
        of("convT k4 s1 p0 from 1x1", new long[] {3, 1, 1}, b -> b.convTranspose2d(2, 4, 1, 0)),
        of("convT k2 s3 p0 (gaps)", new long[] {2, 3, 2}, b -> b.convTranspose2d(2, 2, 3, 0)),
        of("batchnorm 2d", img, b -> b.batchNorm()),
        of("batchnorm 1d", new long[] {5}, b -> b.batchNorm()),
        of("batchnorm dcgan init", img, b -> b.init(Init.DCGAN).batchNorm()),
        of("batchnorm 2d nd4j ops", img, b -> b.add(nativeBatchNorm(Init.DCGAN))),
        of("batchnorm 1d nd4j ops", new long[] {5}, b -> b.add(nativeBatchNorm(Init.DCGAN))),
        of("relu", img, b -> b.relu()),
        of("leaky relu", img, b -> b.leakyRelu(0.2)),
        of("tanh", img, b -> b.tanh()),
        of("sigmoid", img, b -> b.sigmoid()),
        of("affine", img, b -> b.affine(-1.5, 0.25)),
        of("sigmoid, affine (unit pixels to [-1, 1])", img, b -> b.sigmoid().affine(2, -1)),
        of("reshape", img, b -> b.reshape(6, 10)),
        of("flatten", img, b -> b.flatten()),
        of("conv, flatten, linear", img, b -> b.conv2d(3, 3, 2, 1).flatten().linear(2)));
  }

  /** Batch norm on its ND4J kernel (the CPU backend's default is the host loop). */
  static Sequential.LayerFactory nativeBatchNorm(Init init) {
    return (shape, dtype) ->
        new BatchNorm(
            shape,
            BatchNorm.DEFAULT_MOMENTUM,
            BatchNorm.DEFAULT_EPS,
            init,
            dtype,
            KernelChoice.ND4J_OPS);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("layers")
  void trainingModeGradientsMatchFiniteDifferences(
      String name, long[] in, UnaryOperator<Sequential.Builder> layers) {
    Sequential net = layers.apply(Sequential.builder(in)).build(DataType.DOUBLE, 11);
    for (int batch : new int[] {3, 1}) {
      if (batch == 1 && net.batchCoupled() && in.length == 1) {
        continue; // batch norm over features needs two samples in training mode
      }
      INDArray x = NetCheck.gaussian(DataType.DOUBLE, 1, NetCheck.batched(batch, in));
      INDArray r =
          NetCheck.gaussian(DataType.DOUBLE, 2, NetCheck.batched(batch, net.outputShape()));
      double[] err = NetCheck.gradientErrors(net, x, r);
      assertThat(err[0]).as("param grads, batch " + batch).isLessThan(1.0);
      assertThat(err[1]).as("input grads, batch " + batch).isLessThan(1.0);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("layers")
  void evalModeGradientsMatchFiniteDifferences(
      String name, long[] in, UnaryOperator<Sequential.Builder> layers) {
    Sequential net = layers.apply(Sequential.builder(in)).build(DataType.DOUBLE, 12);
    INDArray x = NetCheck.gaussian(DataType.DOUBLE, 3, NetCheck.batched(4, in));
    if (net.state() != null) {
      // move the running statistics away from 0 and 1 with a few training passes
      for (int i = 0; i < 3; i++) {
        net.forward(NetCheck.gaussian(DataType.DOUBLE, 10 + i, NetCheck.batched(4, in)).muli(2));
      }
      assertThat(net.state().getDouble(0)).isNotEqualTo(0.0);
    }
    net.training(false);
    INDArray state = net.state() == null ? null : net.state().dup();
    INDArray r = NetCheck.gaussian(DataType.DOUBLE, 4, NetCheck.batched(4, net.outputShape()));
    double[] err = NetCheck.gradientErrors(net, x, r);
    assertThat(err[0]).as("param grads").isLessThan(1.0);
    assertThat(err[1]).as("input grads").isLessThan(1.0);
    if (state != null) {
      assertThat(net.state()).as("eval mode leaves running stats").isEqualTo(state);
    }
  }
}
