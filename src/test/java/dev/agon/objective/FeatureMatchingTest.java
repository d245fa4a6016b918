package dev.agon.objective;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.agon.tensor.Noise;
import dev.agon.tensor.Tolerance;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class FeatureMatchingTest {
  /** The kernel under test: the Java loops here, the ND4J ops in {@link FeatureMatchingOpsTest}. */
  dev.agon.nn.KernelChoice kernel() {
    return dev.agon.nn.KernelChoice.HOST_LOOP;
  }

  FeatureMatching fm() {
    return new FeatureMatching(1, kernel());
  }

  @Test
  void handComputedCase() {
    // real means [2, 3], fake means [1, 0]: ||[1, 3]||^2 = 10; grad -2 [1, 3] / 3 on every row
    INDArray real = Nd4j.createFromArray(new double[][] {{1, 2}, {3, 4}});
    INDArray fake = Nd4j.createFromArray(new double[][] {{0, 0}, {2, 2}, {1, -2}});
    INDArray grad = Nd4j.create(DataType.DOUBLE, 3, 2);
    assertThat(fm().generator(real, fake, grad)).isCloseTo(10.0, within(Columns.tol(10.0)));
    for (int i = 0; i < 3; i++) {
      assertThat(grad.getDouble(i, 0)).isCloseTo(-2.0 / 3, within(Columns.tol(-2.0 / 3)));
      assertThat(grad.getDouble(i, 1)).isCloseTo(-2.0, within(Columns.tol(-2.0)));
    }
    assertThat(fm().layer()).isEqualTo(1);
  }

  @Test
  void zeroWhenTheMeansAgree() {
    INDArray real = Nd4j.createFromArray(new double[][] {{1, -1}, {3, 5}});
    INDArray fake = Nd4j.createFromArray(new double[][] {{2, 2}});
    INDArray grad = Nd4j.create(DataType.DOUBLE, 1, 2);
    assertThat(fm().generator(real, fake, grad)).isZero();
    assertThat(grad.amaxNumber().doubleValue()).isZero();
  }

  @Test
  void gradientMatchesFiniteDifferencesOnConvolutionShapedFeatures() {
    INDArray real = Nd4j.create(DataType.DOUBLE, 5, 2, 3, 3);
    INDArray fake = Nd4j.create(DataType.DOUBLE, 4, 2, 3, 3);
    Noise.gaussian(real, 1, 2, 3);
    Noise.gaussian(fake, 1, 2, 4);
    INDArray realBefore = real.dup();
    INDArray fakeBefore = fake.dup();
    INDArray grad = Nd4j.create(DataType.DOUBLE, 4, 2, 3, 3);
    fm().generator(real, fake, grad);
    assertThat(real).isEqualTo(realBefore);
    assertThat(fake).isEqualTo(fakeBefore);
    INDArray scratch = grad.dup();
    // the loss sums squares of mean differences: means over both batches, then the features
    long n = real.length() + fake.length() + FiniteDifferences.OPS_PER_TERM;
    assertThat(
            FiniteDifferences.errorRatio(
                fake, grad, () -> fm().generator(real, fake, scratch), 1e-6, n))
        .isLessThan(1.0);
  }

  @Test
  void floatViewsAndAGradientView() {
    INDArray all = Nd4j.create(DataType.FLOAT, 6, 3);
    Noise.gaussian(all, 9, 2, 0);
    INDArray real = all.get(NDArrayIndex.interval(0, 3), NDArrayIndex.all());
    INDArray fake =
        all.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 3))
            .get(NDArrayIndex.interval(3, 6), NDArrayIndex.all());
    INDArray gradAll = Nd4j.create(DataType.FLOAT, 3, 6);
    INDArray grad = gradAll.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 3));
    double loss = fm().generator(real, fake, grad);
    INDArray d = real.castTo(DataType.DOUBLE).mean(0).sub(fake.castTo(DataType.DOUBLE).mean(0));
    // a feature's mean difference over 3 + 3 rows moves by at most floatVsDouble(4) of the rows'
    // magnitudes (2 max|x| per row pair); the loss sum d^2 by 2 |d| times that, plus its own sum
    double dTol = Tolerance.floatVsDouble(4, 2 * Tolerance.absMax(all));
    double expectedLoss = d.mul(d).sumNumber().doubleValue();
    double lossTol = 2 * Tolerance.absSum(d) * dTol + Tolerance.floatVsDouble(4, expectedLoss);
    Tolerance.assertClose("loss", loss, expectedLoss, lossTol);
    for (int i = 0; i < 3; i++) {
      for (int k = 0; k < 3; k++) {
        double expected = -2 * d.getDouble(k) / 3;
        double tol = 2 * dTol / 3 + Tolerance.floatVsDouble(3, expected);
        Tolerance.assertClose("grad " + i + "," + k, grad.getDouble(i, k), expected, tol);
      }
    }
    assertThat(
            gradAll.get(NDArrayIndex.all(), NDArrayIndex.interval(3, 6)).amaxNumber().doubleValue())
        .isZero();
  }

  @Test
  void rejectsMismatchedShapes() {
    INDArray real = Nd4j.create(DataType.DOUBLE, 2, 3);
    INDArray fake = Nd4j.create(DataType.DOUBLE, 2, 4);
    assertThatThrownBy(() -> fm().generator(real, fake, fake.dup()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> fm().generator(real, real, Nd4j.create(DataType.FLOAT, 2, 3)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new FeatureMatching(-1)).isInstanceOf(IllegalArgumentException.class);
  }
}
