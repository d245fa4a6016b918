package dev.agon.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.tensor.Tolerance;
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
    // three exps, their sum, a log, a subtraction and the mean over 2 rows, on both sides, on
    // terms of magnitude at most log(e + e^2 + e^3) + 1 < 5
    Tolerance.assertClose(
        SoftmaxCrossEntropy.loss(z, new int[] {0, 0}, null), expected, Tolerance.ops(16, 5));
  }

  @Test
  void largeLogitsStayFinite() {
    INDArray z =
        Nd4j.create(new float[] {1000f, 0f, -1000f, 1000f}, new long[] {2, 2}, DataType.FLOAT);
    INDArray g = Nd4j.create(DataType.FLOAT, 2, 2);
    double loss = SoftmaxCrossEntropy.loss(z, new int[] {1, 1}, g);
    // Row 0: -log softmax(1000, 0)[1] = 1000; row 1: ~ e^-2000, i.e. 0.
    // the loss in DOUBLE: about 8 operations on terms up to 1000; the gradient (softmax - onehot)
    // / rows in FLOAT: about 8 operations on terms up to 1
    Tolerance.assertClose("loss", loss, 500.0, Tolerance.ops(8, 1000));
    double gTol = Tolerance.sum(8, 1, DataType.FLOAT);
    Tolerance.assertClose("g[0,0]", g.getDouble(0, 0), 0.5, gTol);
    Tolerance.assertClose("g[0,1]", g.getDouble(0, 1), -0.5, gTol);
    Tolerance.assertClose("g[1,0]", g.getDouble(1, 0), 0.0, gTol);
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
    // rounding scale: the rows' log-sum-exps (at most max|z| + log k) and labelled logits, over
    // n, plus sum |z g| (GradCheck's); terms: k exps and their sum, the log, the mean over n
    double abs = (2 * Tolerance.absSum(z) + n * Math.log(k)) / n + Tolerance.absSum(z.mul(g));
    Tolerance.Loss loss =
        new Tolerance.Loss(() -> SoftmaxCrossEntropy.loss(z, labels, null), abs, k + n + 4);
    assertThat(Tolerance.finiteDifferenceRatio(z, g, loss, 1e-6)).isLessThan(1.0);
  }
}
