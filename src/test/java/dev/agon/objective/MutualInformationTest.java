package dev.agon.objective;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.agon.tensor.Noise;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** InfoGAN's term -E[log Q(c | x)]: a hand-computed case and finite differences. */
class MutualInformationTest {
  private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

  private static INDArray rows(double[][] v) {
    return Nd4j.createFromArray(v).castTo(DataType.DOUBLE);
  }

  @Test
  void handComputedCase() {
    // K = 2, C = 1, B = 2, weight 0.5.
    // Row 0: logits [0, ln 3] -> p = [1/4, 3/4], code 1: -log p = ln(4/3); mean 0.5, code 1.0:
    //        0.5 (0.5 - 1)^2 = 0.125, plus 0.5 ln(2 pi).
    // Row 1: logits [1, 1] -> p = [1/2, 1/2], code 0: ln 2; mean -0.5, code 0: 0.125 + 0.5 ln(2
    // pi).
    // Loss = (ln(4/3) + ln 2 + 0.25) / 2 + 0.5 ln(2 pi) = (ln(8/3) + 0.25) / 2 + 0.5 ln(2 pi).
    // Gradient = weight / B * (p - onehot, mean - code) = 0.25 * ...:
    //   row 0: [1/4, -1/4, -0.5] * 0.25; row 1: [-1/2, 1/2, -0.5] * 0.25.
    MutualInformation mi = new MutualInformation(2, 1, 0.5);
    INDArray q = rows(new double[][] {{0, Math.log(3), 0.5}, {1, 1, -0.5}});
    INDArray c = rows(new double[][] {{0, 1, 1.0}, {1, 0, 0.0}});
    INDArray g = Nd4j.create(DataType.DOUBLE, 2, 3);
    double loss = mi.apply(q, c, g);
    assertThat(loss).isCloseTo((Math.log(8.0 / 3) + 0.25) / 2 + HALF_LOG_TWO_PI, within(1e-14));
    double[][] expected = {{0.0625, -0.0625, -0.125}, {-0.125, 0.125, -0.125}};
    for (int r = 0; r < 2; r++) {
      for (int j = 0; j < 3; j++) {
        assertThat(g.getDouble(r, j))
            .as("grad[%d][%d]", r, j)
            .isCloseTo(expected[r][j], within(1e-15));
      }
    }
    assertThat(q.getDouble(0, 1)).isEqualTo(Math.log(3)); // inputs untouched
  }

  @Test
  void aPerfectQHasOnlyTheGaussianConstant() {
    // Categorical logits that put all mass on the code and means equal to the codes.
    MutualInformation mi = new MutualInformation(3, 2, 1.0);
    INDArray q = rows(new double[][] {{800, 0, 0, 0.3, -0.7}});
    INDArray c = rows(new double[][] {{1, 0, 0, 0.3, -0.7}});
    INDArray g = Nd4j.create(DataType.DOUBLE, 1, 5);
    assertThat(mi.apply(q, c, g)).isCloseTo(2 * HALF_LOG_TWO_PI, within(1e-12));
    assertThat(g.amaxNumber().doubleValue()).isLessThan(1e-300);
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    int b = 5;
    for (int[] kc : new int[][] {{4, 3}, {10, 0}, {0, 2}}) {
      int k = kc[0];
      int cont = kc[1];
      int w = k + cont;
      MutualInformation mi = new MutualInformation(k, cont, 0.7);
      INDArray q = Nd4j.create(DataType.DOUBLE, b, w);
      Noise.gaussian(q, 3, 1, w);
      INDArray c = Nd4j.create(DataType.DOUBLE, b, w);
      INDArray u = Nd4j.create(DataType.DOUBLE, b, w);
      Noise.uniform(u, 3, 2, w);
      for (int r = 0; r < b; r++) {
        if (k > 0) {
          c.putScalar(r, (int) (u.getDouble(r, 0) * k), 1.0);
        }
        for (int j = k; j < w; j++) {
          c.putScalar(r, j, 2 * u.getDouble(r, j) - 1);
        }
      }
      INDArray grad = Nd4j.create(DataType.DOUBLE, b, w);
      mi.apply(q, c, grad);
      INDArray scratch = Nd4j.create(DataType.DOUBLE, b, w);
      double ratio = FiniteDifferences.errorRatio(q, grad, () -> 0.7 * mi.apply(q, c, scratch));
      assertThat(ratio).as("K=%d C=%d", k, cont).isLessThan(1.0);
    }
  }

  @Test
  void refusesShapesAndSizesThatCannotBeRight() {
    assertThatThrownBy(() -> new MutualInformation(1, 0, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new MutualInformation(0, 0, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new MutualInformation(2, 1, Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
    MutualInformation mi = new MutualInformation(2, 1, 1);
    assertThatThrownBy(
            () ->
                mi.apply(
                    Nd4j.create(DataType.DOUBLE, 2, 4),
                    Nd4j.create(DataType.DOUBLE, 2, 3),
                    Nd4j.create(DataType.DOUBLE, 2, 3)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
