package dev.agon.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SoftmaxCrossEntropyTest {
  @Test
  void valuesMatchHandComputedOnes() {
    // Two equal logits: p = 1/2, loss log 2. Logits (1, 2, 3) label 0: log(e + e^2 + e^3) - 1.
    INDArray z = Nd4j.create(new double[][] {{0, 0, 0}, {1, 2, 3}}).castTo(DataType.DOUBLE);
    z.putScalar(0, 2, -1e9); // a vanishing third class
    double expected = (Math.log(2) + Math.log(Math.E + Math.exp(2) + Math.exp(3)) - 1) / 2;
    assertThat(SoftmaxCrossEntropy.loss(z, new int[] {0, 0}, null))
        .isCloseTo(expected, within(1e-12));
  }

  @Test
  void largeLogitsStayFinite() {
    INDArray z =
        Nd4j.create(new float[] {1000f, 0f, -1000f, 1000f}, new long[] {2, 2}, DataType.FLOAT);
    INDArray g = Nd4j.create(DataType.FLOAT, 2, 2);
    double loss = SoftmaxCrossEntropy.loss(z, new int[] {1, 1}, g);
    // Row 0: -log softmax(1000, 0)[1] = 1000; row 1: ~ e^-2000, i.e. 0.
    assertThat(loss).isCloseTo(500.0, within(1e-9));
    assertThat(g.getDouble(0, 0)).isCloseTo(0.5, within(1e-6));
    assertThat(g.getDouble(0, 1)).isCloseTo(-0.5, within(1e-6));
    assertThat(g.getDouble(1, 0)).isCloseTo(0.0, within(1e-6));
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    SplittableRandom rng = new SplittableRandom(7);
    int n = 5;
    int k = 10;
    INDArray z = Nd4j.create(DataType.DOUBLE, n, k);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < k; j++) {
        z.putScalar(i, j, 3 * rng.nextGaussian());
      }
    }
    int[] labels = {0, 3, 9, 3, 5};
    INDArray g = Nd4j.create(DataType.DOUBLE, n, k);
    SoftmaxCrossEntropy.loss(z, labels, g);
    double h = 1e-6;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < k; j++) {
        double v = z.getDouble(i, j);
        z.putScalar(i, j, v + h);
        double up = SoftmaxCrossEntropy.loss(z, labels, null);
        z.putScalar(i, j, v - h);
        double down = SoftmaxCrossEntropy.loss(z, labels, null);
        z.putScalar(i, j, v);
        assertThat(g.getDouble(i, j))
            .as("d/dz[%d,%d]", i, j)
            .isCloseTo((up - down) / (2 * h), within(1e-8));
      }
    }
  }
}
