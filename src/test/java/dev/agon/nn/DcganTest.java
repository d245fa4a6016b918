package dev.agon.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class DcganTest {

  /** Parameter counts of the same modules in PyTorch 1.13 (sum of numel over parameters()). */
  @Test
  void parameterCountsMatchPyTorch() {
    assertThat(Dcgan.generator(100, 1, 28, 64).build(DataType.FLOAT, 1).numParams())
        .isEqualTo(771_969);
    assertThat(Dcgan.discriminator(1, 28, 64).build(DataType.FLOAT, 1).numParams())
        .isEqualTo(138_689);
    // PyTorch's DCGAN example at 64x64, nz 100, nc 3, ngf = ndf = 64 (bias only on the last
    // layers and on D's first convolution)
    assertThat(Dcgan.generator(100, 3, 64, 64).build(DataType.FLOAT, 1).numParams())
        .isEqualTo(3_576_707);
    assertThat(Dcgan.discriminator(3, 64, 64).build(DataType.FLOAT, 1).numParams())
        .isEqualTo(2_765_633);
  }

  @ParameterizedTest
  @CsvSource({"28, 1", "32, 3", "64, 3", "8, 2"})
  void shapes(int size, int channels) {
    Sequential g = Dcgan.generator(10, channels, size, 4).build(DataType.FLOAT, 1);
    Sequential d = Dcgan.discriminator(channels, size, 4).build(DataType.FLOAT, 1);
    assertThat(g.inputShape()).containsExactly(10);
    assertThat(g.outputShape()).containsExactly(channels, size, size);
    assertThat(d.inputShape()).containsExactly(channels, size, size);
    assertThat(d.outputShape()).containsExactly(1);
    INDArray z = NetCheck.gaussian(DataType.FLOAT, 1, 3, 10);
    INDArray img = g.forward(z);
    assertThat(img.shape()).containsExactly(3, channels, size, size);
    assertThat(img.amaxNumber().doubleValue()).isLessThanOrEqualTo(1.0);
    assertThat(d.forward(img).shape()).containsExactly(3, 1);
    assertThat(g.batchCoupled()).isTrue();
    assertThat(d.batchCoupled()).isEqualTo(size > 8); // at 8x8 D has no inner convolution
    Sequential critic = Dcgan.discriminator(channels, size, 4, false).build(DataType.FLOAT, 1);
    assertThat(critic.batchCoupled()).isFalse();
    assertThat(critic.piecewiseLinear()).isTrue();
    assertThat(critic.state()).isNull();
  }

  @Test
  void rejectsOtherSizes() {
    assertThatThrownBy(() -> Dcgan.generator(10, 1, 30, 4))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Dcgan.discriminator(1, 4, 4))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static void assertGradients(Sequential net, int batch) {
    INDArray x = NetCheck.gaussian(DataType.DOUBLE, 1, NetCheck.batched(batch, net.inputShape()));
    INDArray r = NetCheck.gaussian(DataType.DOUBLE, 2, NetCheck.batched(batch, net.outputShape()));
    double[] err = NetCheck.gradientErrors(net, x, r);
    assertThat(err[0]).as("param grads").isLessThan(1.0);
    assertThat(err[1]).as("input grads").isLessThan(1.0);
  }

  @Test
  void smallGenerator28GradientsMatchFiniteDifferences() {
    assertGradients(Dcgan.generator(3, 1, 28, 2).build(DataType.DOUBLE, 1), 3);
  }

  @Test
  void smallDiscriminator28GradientsMatchFiniteDifferences() {
    assertGradients(Dcgan.discriminator(2, 28, 2).build(DataType.DOUBLE, 2), 3);
    assertGradients(Dcgan.discriminator(1, 28, 2, false).build(DataType.DOUBLE, 3), 2);
  }

  @Test
  void smallAllConvolutionalGradientsMatchFiniteDifferences() {
    assertGradients(Dcgan.generator(3, 2, 16, 2).build(DataType.DOUBLE, 4), 3);
    assertGradients(Dcgan.discriminator(2, 16, 2).build(DataType.DOUBLE, 5), 3);
  }

  /** The generator step: D frozen (input gradient only) feeding G's backward. */
  @Test
  void generatorThroughDiscriminatorMatchesFiniteDifferences() {
    Sequential g = Dcgan.generator(3, 1, 28, 2).build(DataType.DOUBLE, 6);
    Sequential d = Dcgan.discriminator(1, 28, 2).build(DataType.DOUBLE, 7);
    INDArray z = NetCheck.gaussian(DataType.DOUBLE, 1, 3, 3);
    INDArray r = NetCheck.gaussian(DataType.DOUBLE, 2, 3, 1);
    long n = NetCheck.terms(g, z) + NetCheck.terms(d, g.forward(z));
    d.grads().assign(-7.0);
    d.forward(g.forward(z));
    INDArray dFake = d.backward(r, false, true);
    g.backward(dFake, true, false);
    INDArray analytic = g.grads().dup();
    assertThat(d.grads().amaxNumber().doubleValue()).isEqualTo(7.0);
    double err = NetCheck.errorRatio(g.params(), analytic, () -> d.forward(g.forward(z)).mul(r), n);
    assertThat(err).isLessThan(1.0);
  }
}
