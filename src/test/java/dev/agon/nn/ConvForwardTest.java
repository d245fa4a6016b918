package dev.agon.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.tensor.Tolerance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Forward passes pinned to values computed by hand (and, for the record, equal to PyTorch 1.13's
 * {@code nn.Conv2d}, {@code nn.ConvTranspose2d} and {@code nn.BatchNorm1d} with the same weights).
 */
class ConvForwardTest {

  private static INDArray array(DataType t, long[] shape, double... values) {
    return Nd4j.createFromArray(values).castTo(t).reshape('c', shape);
  }

  private static Sequential net(Sequential.Builder b, DataType t, double... params) {
    Sequential s = b.build(t, 1);
    assertThat(s.numParams()).isEqualTo(params.length);
    s.params().assign(array(t, new long[] {1, params.length}, params));
    return s;
  }

  /**
   * Each element within {@code gamma(32)} of the sum of the expected magnitudes, in the layer's
   * type: fan-ins here are at most 9 and batch norm's chain about 15 operations, on small inputs
   * whose terms the expected values' magnitudes add up to.
   */
  private static void assertValues(INDArray actual, double... expected) {
    assertThat(actual.length()).isEqualTo(expected.length);
    double scale = 0;
    for (double e : expected) {
      scale += Math.abs(e);
    }
    double bound = Tolerance.sum(32, scale, actual.dataType());
    for (int i = 0; i < expected.length; i++) {
      Tolerance.assertClose("element " + i, actual.getDouble(i), expected[i], bound);
    }
  }

  private static final double[] ONE_TO_NINE = {1, 2, 3, 4, 5, 6, 7, 8, 9};

  @ParameterizedTest
  @EnumSource(
      value = DataType.class,
      names = {"FLOAT", "DOUBLE"})
  void convolutionIsCrossCorrelationWithBias(DataType t) {
    // [[1,2,3],[4,5,6],[7,8,9]] * [[1,2],[3,4]] + 0.5: 1+4+12+20 = 37, ...
    Sequential conv = net(Sequential.builder(1, 3, 3).conv2d(1, 2, 1, 0), t, 1, 2, 3, 4, 0.5);
    INDArray y = conv.forward(array(t, new long[] {1, 1, 3, 3}, ONE_TO_NINE));
    assertThat(y.shape()).containsExactly(1, 1, 2, 2);
    assertValues(y, 37.5, 47.5, 67.5, 77.5);
  }

  @ParameterizedTest
  @EnumSource(
      value = DataType.class,
      names = {"FLOAT", "DOUBLE"})
  void strideAndPaddingOverABatch(DataType t) {
    // 3x3 ones, stride 2, padding 1: windows centred on (0,0), (0,2), (2,0), (2,2)
    double[] ones = new double[9];
    java.util.Arrays.fill(ones, 1.0);
    Sequential conv = net(Sequential.builder(1, 3, 3).conv2d(1, 3, 2, 1, false), t, ones);
    double[] two = new double[18];
    for (int i = 0; i < 9; i++) {
      two[i] = ONE_TO_NINE[i];
      two[9 + i] = 2 * ONE_TO_NINE[i];
    }
    INDArray y = conv.forward(array(t, new long[] {2, 1, 3, 3}, two));
    assertValues(y, 12, 16, 24, 28, 24, 32, 48, 56);
  }

  @ParameterizedTest
  @EnumSource(
      value = DataType.class,
      names = {"FLOAT", "DOUBLE"})
  void weightLayoutIsOutInKernelKernel(DataType t) {
    // W[o][c][i][j]: out0 = x0[0,0] + x1[1,1] + 0.25, out1 = x0[0,1] + 2 x1[1,0] - 1
    Sequential conv =
        net(
            Sequential.builder(2, 2, 2).conv2d(2, 2, 1, 0),
            t,
            1,
            0,
            0,
            0,
            0,
            0,
            0,
            1, // o = 0
            0,
            1,
            0,
            0,
            0,
            0,
            2,
            0, // o = 1
            0.25,
            -1);
    INDArray y = conv.forward(array(t, new long[] {1, 2, 2, 2}, 1, 2, 3, 4, 5, 6, 7, 8));
    assertThat(y.shape()).containsExactly(1, 2, 1, 1);
    assertValues(y, 9.25, 15);
  }

  @ParameterizedTest
  @EnumSource(
      value = DataType.class,
      names = {"FLOAT", "DOUBLE"})
  void transposedConvolutionStampsTheKernel(DataType t) {
    // stride 2 = kernel 2: each input pixel stamps x * W into its own 2x2 block
    Sequential convT =
        net(Sequential.builder(1, 2, 2).convTranspose2d(1, 2, 2, 0, false), t, 1, 10, 100, 1000);
    INDArray y = convT.forward(array(t, new long[] {1, 1, 2, 2}, 1, 2, 3, 4));
    assertThat(y.shape()).containsExactly(1, 1, 4, 4);
    assertValues(y, 1, 10, 2, 20, 100, 1000, 200, 2000, 3, 30, 4, 40, 300, 3000, 400, 4000);
  }

  @ParameterizedTest
  @EnumSource(
      value = DataType.class,
      names = {"FLOAT", "DOUBLE"})
  void transposedConvolutionOverlapsAndCrops(DataType t) {
    // k3 s2 p1 ones: (2 - 1) 2 - 2 + 3 = 3; pixel (i, j) covers rows 2i-1..2i+1, cropped by 1
    double[] ones = new double[9];
    java.util.Arrays.fill(ones, 1.0);
    double[] bias = new double[10];
    System.arraycopy(ones, 0, bias, 0, 9);
    bias[9] = 0.5;
    Sequential convT = net(Sequential.builder(1, 2, 2).convTranspose2d(1, 3, 2, 1), t, bias);
    INDArray y = convT.forward(array(t, new long[] {1, 1, 2, 2}, 1, 2, 3, 4));
    assertThat(y.shape()).containsExactly(1, 1, 3, 3);
    assertValues(y, 1.5, 3.5, 2.5, 4.5, 10.5, 6.5, 3.5, 7.5, 4.5);
  }

  @ParameterizedTest
  @EnumSource(
      value = DataType.class,
      names = {"FLOAT", "DOUBLE"})
  void transposedWeightLayoutIsInOutKernelKernel(DataType t) {
    // W[c][o][i][j]: out = 1 * W[0][0] + 2 * W[1][0]
    Sequential convT =
        net(
            Sequential.builder(2, 1, 1).convTranspose2d(1, 2, 1, 0, false),
            t,
            1,
            2,
            3,
            4,
            10,
            20,
            30,
            40);
    INDArray y = convT.forward(array(t, new long[] {1, 2, 1, 1}, 1, 2));
    assertValues(y, 21, 42, 63, 84);
  }

  @ParameterizedTest
  @EnumSource(
      value = DataType.class,
      names = {"FLOAT", "DOUBLE"})
  void batchNormTrainingThenEval(DataType t) {
    Sequential bn = Sequential.builder(1).batchNorm().build(t, 1);
    INDArray x = array(t, new long[] {4, 1}, 1, 2, 3, 6);
    // mean 3, biased variance (4 + 1 + 0 + 9) / 4 = 3.5, unbiased 14 / 3
    double s = Math.sqrt(3.5 + 1e-5);
    assertValues(bn.forward(x), -2 / s, -1 / s, 0, 3 / s);
    assertValues(bn.state(), 0.3, 0.9 + 0.1 * 14 / 3);
    bn.training(false);
    double r = Math.sqrt(0.9 + 0.1 * 14 / 3 + 1e-5);
    assertValues(bn.forward(x), 0.7 / r, 1.7 / r, 2.7 / r, 5.7 / r);
    assertValues(bn.state(), 0.3, 0.9 + 0.1 * 14 / 3);
    // gamma 2, beta -1 (parameters: gamma then beta)
    bn.params().assign(array(t, new long[] {1, 2}, 2, -1));
    assertValues(bn.forward(x), 1.4 / r - 1, 3.4 / r - 1, 5.4 / r - 1, 11.4 / r - 1);
  }

  @ParameterizedTest
  @EnumSource(
      value = DataType.class,
      names = {"FLOAT", "DOUBLE"})
  void batchNorm2dNormalisesEachChannelOverBatchAndPixels(DataType t) {
    Sequential bn = Sequential.builder(2, 1, 2).batchNorm().build(t, 1);
    // channel 0 values {1, 3, 5, 7}: mean 4, var 5; channel 1 values {10, 10, 10, 14}: mean 11,
    // var 3
    INDArray x = array(t, new long[] {2, 2, 1, 2}, 1, 3, 10, 10, 5, 7, 10, 14);
    double s0 = Math.sqrt(5 + 1e-5);
    double s1 = Math.sqrt(3 + 1e-5);
    assertValues(
        bn.forward(x), -3 / s0, -1 / s0, -1 / s1, -1 / s1, 1 / s0, 3 / s0, -1 / s1, 3 / s1);
    assertValues(bn.state(), 0.4, 1.1, 0.9 + 0.1 * 20 / 3, 0.9 + 0.1 * 4);
  }
}
