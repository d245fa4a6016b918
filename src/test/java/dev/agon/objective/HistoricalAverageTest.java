package dev.agon.objective;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agon.tensor.Tolerance;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class HistoricalAverageTest {
  /**
   * The kernel under test: the Java loop here, the ND4J ops in {@link HistoricalAverageOpsTest}.
   */
  dev.agon.nn.KernelChoice kernel() {
    return dev.agon.nn.KernelChoice.HOST_LOOP;
  }

  HistoricalAverage ha(long numParams, double weight, long start) {
    return new HistoricalAverage(numParams, weight, start, kernel());
  }

  private static INDArray vec(DataType t, double... v) {
    return Nd4j.createFromArray(v).castTo(t).reshape(1, v.length);
  }

  private static double[] values(INDArray a) {
    return a.castTo(DataType.DOUBLE).reshape(a.length()).toDoubleVector();
  }

  /**
   * Past versions [1, 2] and [3, 4], current [4, 0], lambda 0.5: mean [2, 3], theta - mean [2, -3],
   * penalty 0.5 (4 + 9) = 6.5, gradient 2 * 0.5 * [2, -3] = [2, -3].
   */
  @ParameterizedTest
  @EnumSource(
      value = DataType.class,
      names = {"FLOAT", "DOUBLE"})
  void pinnedTwoPastVersions(DataType t) {
    HistoricalAverage h = ha(2, 0.5, 0);
    INDArray grad = vec(t, 0, 0);
    assertThat(h.apply(vec(t, 1, 2), grad)).isEqualTo(0.0);
    assertThat(values(grad)).containsExactly(0, 0);
    assertThat(h.apply(vec(t, 3, 4), grad)).isEqualTo(0.5 * (4 + 4)); // against [1, 2]
    assertThat(h.count()).isEqualTo(2);
    assertThat(values(h.state())).containsExactly(2, 3);

    INDArray theta = vec(t, 4, 0);
    assertThat(h.penalty(theta)).isEqualTo(6.5);
    INDArray g = vec(t, 0, 0);
    h.addGradient(theta, g);
    assertThat(values(g)).containsExactly(2, -3);
    assertThat(h.count()).isEqualTo(2); // penalty and addGradient change no state
  }

  /**
   * Past versions [0, 2, -1], [2, 2, 5], [1, -1, 2]: mean [1, 1, 2]. Current [3, 1, 0], lambda
   * 0.25: theta - mean [2, 0, -2], penalty 0.25 * 8 = 2, gradient 0.5 * [2, 0, -2] = [1, 0, -1],
   * added to [10, 10, 10] gives [11, 10, 9]. Folding the current version in: mean + [2, 0, -2] / 4
   * = [1.5, 1, 1.5].
   */
  @ParameterizedTest
  @EnumSource(
      value = DataType.class,
      names = {"FLOAT", "DOUBLE"})
  void pinnedFusedUpdate(DataType t) {
    HistoricalAverage h = ha(3, 0.25, 0);
    h.observe(vec(t, 0, 2, -1));
    h.observe(vec(t, 2, 2, 5));
    h.observe(vec(t, 1, -1, 2));
    assertThat(values(h.state())).containsExactly(1, 1, 2);
    INDArray grad = vec(t, 10, 10, 10);
    assertThat(h.apply(vec(t, 3, 1, 0), grad)).isEqualTo(2.0);
    assertThat(values(grad)).containsExactly(11, 10, 9);
    assertThat(h.count()).isEqualTo(4);
    assertThat(values(h.state())).containsExactly(1.5, 1, 1.5);
  }

  @ParameterizedTest
  @EnumSource(
      value = DataType.class,
      names = {"FLOAT", "DOUBLE"})
  void runningMeanMatchesBruteForce(DataType t) {
    Random r = new Random(42);
    int n = 257;
    int versions = 60;
    double lambda = 0.3;
    HistoricalAverage h = ha(n, lambda, 0);
    double[] sum = new double[n];
    double maxTheta = 0;
    for (int v = 0; v < versions; v++) {
      double[] theta = new double[n];
      for (int i = 0; i < n; i++) {
        theta[i] = r.nextGaussian() * 3 + v * 0.01;
      }
      INDArray x = vec(t, theta);
      double[] exact = values(x); // the values as the network's type holds them
      double[] grad0 = new double[n];
      for (int i = 0; i < n; i++) {
        grad0[i] = r.nextGaussian();
      }
      INDArray grad = vec(DataType.DOUBLE, grad0).castTo(t);
      double[] gradBefore = values(grad);

      // the running mean after v versions (3 operations each) against sum / v (v + 1): both
      // within gamma(4 v + 1) of the largest |theta| seen so far; d = theta - mean adds u |d|
      double meanTol = Tolerance.sum(4L * v + 1, maxTheta, DataType.DOUBLE);
      double dTol = meanTol + Tolerance.unitRoundoff(DataType.DOUBLE) * (maxTheta + meanTol);
      double expectedPenalty = 0;
      double dAbs = 0;
      double[] expectedGrad = gradBefore.clone();
      if (v > 0) {
        for (int i = 0; i < n; i++) {
          double d = exact[i] - sum[i] / v;
          expectedPenalty += d * d;
          dAbs += Math.abs(d);
          expectedGrad[i] += 2 * lambda * d;
        }
        expectedPenalty *= lambda;
      }
      double penalty = h.apply(x, grad);
      // lambda sum d^2: first order 2 lambda |d| dTol per term, plus the sum's own rounding
      double penaltyTol =
          2 * lambda * dAbs * dTol + Tolerance.sum(n + 3, expectedPenalty, DataType.DOUBLE);
      Tolerance.assertClose("penalty at version " + v, penalty, expectedPenalty, penaltyTol);
      double[] got = values(grad);
      for (int i = 0; i < n; i++) {
        // grad + 2 lambda d in double (4 operations), rounded once more to t
        double gradTol =
            2 * lambda * dTol
                + Tolerance.sum(4, Math.abs(gradBefore[i]) + Math.abs(expectedGrad[i]), t);
        Tolerance.assertClose(
            "gradient " + i + " at version " + v, got[i], expectedGrad[i], gradTol);
        sum[i] += exact[i];
        maxTheta = Math.max(maxTheta, Math.abs(exact[i]));
      }
      double[] mean = values(h.state());
      double meanTolNext = Tolerance.sum(4L * (v + 1) + 1, maxTheta, DataType.DOUBLE);
      for (int i = 0; i < n; i++) {
        Tolerance.assertClose(
            "mean " + i + " after " + (v + 1), mean[i], sum[i] / (v + 1), meanTolNext);
      }
      assertThat(h.count()).isEqualTo(v + 1);
    }
  }

  @Test
  void finiteDifferenceGradientInDouble() {
    Random r = new Random(7);
    int n = 23;
    HistoricalAverage h = ha(n, 0.7, 0);
    for (int v = 0; v < 5; v++) {
      double[] theta = new double[n];
      for (int i = 0; i < n; i++) {
        theta[i] = r.nextGaussian();
      }
      h.observe(vec(DataType.DOUBLE, theta));
    }
    double[] at = new double[n];
    for (int i = 0; i < n; i++) {
      at[i] = r.nextGaussian();
    }
    INDArray theta = vec(DataType.DOUBLE, at);
    INDArray analytic = Nd4j.zeros(DataType.DOUBLE, 1, n);
    h.addGradient(theta, analytic);
    assertThat(FiniteDifferences.errorRatio(theta, analytic, () -> h.penalty(theta)))
        .isLessThan(1.0);
  }

  @Test
  void startGatesUpdates() {
    HistoricalAverage h = ha(1, 1.0, 3);
    assertThat(h.isActive(0)).isFalse();
    assertThat(h.isActive(2)).isFalse();
    assertThat(h.isActive(3)).isTrue();
    assertThat(h.isActive(4)).isTrue();
    assertThat(ha(1, 1.0, 0).isActive(1)).isTrue();
    h.start(5);
    assertThat(h.isActive(4)).isFalse();
    assertThat(h.isActive(5)).isTrue();
  }

  @Test
  void weightChangeAppliesFromTheNextUpdate() {
    HistoricalAverage h = ha(2, 0.25, 0);
    h.observe(vec(DataType.DOUBLE, 0, 0));
    INDArray grad = vec(DataType.DOUBLE, 1, 1);
    // lambda 0.25, mean [0, 0]: penalty 0.25 * 5 = 1.25, gradient 0.5 * [1, 2]
    assertThat(h.apply(vec(DataType.DOUBLE, 1, 2), grad)).isEqualTo(1.25);
    assertThat(values(grad)).containsExactly(1.5, 2);
    // mean now [0.5, 1]; lambda 2: against [2.5, 1]: theta - mean [2, 0], penalty 2 * 4 = 8
    h.weight(2.0);
    grad = vec(DataType.DOUBLE, 0, 0);
    assertThat(h.apply(vec(DataType.DOUBLE, 2.5, 1), grad)).isEqualTo(8.0);
    assertThat(values(grad)).containsExactly(8, 0);
    // lambda 0: no penalty, the gradient keeps its exact bits, the mean still accumulates
    INDArray g = vec(DataType.FLOAT, -0.0, 1e-30);
    HistoricalAverage f = ha(2, 0.0, 0);
    f.observe(vec(DataType.FLOAT, 5, 5));
    assertThat(f.apply(vec(DataType.FLOAT, 1, 2), g)).isEqualTo(0.0);
    assertThat(Float.floatToRawIntBits(g.getFloat(0))).isEqualTo(Float.floatToRawIntBits(-0.0f));
    assertThat(g.getFloat(1)).isEqualTo(1e-30f);
    assertThat(f.count()).isEqualTo(2);
    assertThat(values(f.state())).containsExactly(3, 3.5);
  }

  @Test
  void stateRoundTrip() {
    int n = 17;
    HistoricalAverage a = ha(n, 0.4, 0);
    for (int v = 0; v < 4; v++) {
      a.observe(Nd4j.rand(DataType.FLOAT, 1, n));
    }
    HistoricalAverage b = ha(n, 0.4, 0);
    b.restore(a.state().dup(), a.count());
    assertThat(b.count()).isEqualTo(4);
    INDArray theta = Nd4j.rand(DataType.FLOAT, 1, n);
    INDArray ga = Nd4j.zeros(DataType.FLOAT, 1, n);
    INDArray gb = Nd4j.zeros(DataType.FLOAT, 1, n);
    assertThat(b.apply(theta, gb)).isEqualTo(a.apply(theta, ga));
    assertThat(values(gb)).containsExactly(values(ga));
    assertThat(values(b.state())).containsExactly(values(a.state()));

    b.reset();
    assertThat(b.count()).isZero();
    assertThat(b.penalty(theta)).isZero();
    assertThatThrownBy(() -> b.restore(Nd4j.zeros(DataType.DOUBLE, 1, n + 1), 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.weight(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.start(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * Window 2 over one parameter, versions 0, 2, 4, 8: the fold divides by min(t + 1, 2), so the
   * mean goes 0, 1 (the exact mean of two), then 1 + (4 - 1) / 2 = 2.5 and 2.5 + (8 - 2.5) / 2 =
   * 5.25 (an EMA with decay 1/2), where the plain mean would be 2 and 3.5. With lambda 1 the
   * penalty of version 8 is against 2.5: (8 - 2.5)^2 = 30.25.
   */
  @ParameterizedTest
  @EnumSource(
      value = DataType.class,
      names = {"FLOAT", "DOUBLE"})
  void windowTurnsTheMeanIntoAnExponentialAverage(DataType t) {
    HistoricalAverage h = ha(1, 1.0, 0);
    h.window(2);
    double[] expected = {0, 1, 2.5};
    double[] versions = {0, 2, 4};
    for (int v = 0; v < versions.length; v++) {
      h.apply(vec(t, versions[v]), vec(t, 0));
      assertThat(values(h.state())).containsExactly(expected[v]);
    }
    INDArray grad = vec(t, 0);
    assertThat(h.apply(vec(t, 8), grad)).isEqualTo(30.25);
    assertThat(values(grad)).containsExactly(11); // 2 (8 - 2.5)
    assertThat(values(h.state())).containsExactly(5.25);
    assertThat(h.count()).isEqualTo(4);
  }

  /**
   * While fewer versions than the window are in, the windowed mean is the plain one, bit for bit.
   */
  @Test
  void windowNotYetFullIsThePlainMean() {
    Random r = new Random(3);
    int n = 31;
    HistoricalAverage plain = ha(n, 0.2, 0);
    HistoricalAverage windowed = ha(n, 0.2, 0);
    windowed.window(40);
    for (int v = 0; v < 40; v++) {
      INDArray theta = Nd4j.randn(r.nextLong(), new long[] {1, n}).castTo(DataType.FLOAT);
      INDArray gp = Nd4j.zeros(DataType.FLOAT, 1, n);
      INDArray gw = Nd4j.zeros(DataType.FLOAT, 1, n);
      assertThat(windowed.apply(theta, gw)).isEqualTo(plain.apply(theta, gp));
      assertThat(values(gw)).containsExactly(values(gp));
    }
    assertThat(values(windowed.state())).containsExactly(values(plain.state()));
    // the 41st version is folded with weight 1/40 instead of 1/41
    INDArray theta = Nd4j.ones(DataType.FLOAT, 1, n);
    plain.observe(theta);
    windowed.observe(theta);
    assertThat(values(windowed.state())).isNotEqualTo(values(plain.state()));
  }

  /** The window travels with the average through a policy change and into one created later. */
  @Test
  void windowIsKeptByPolicyChangesAndRefusedNegative() {
    HistoricalAverage created = HistoricalAverage.withPolicy(null, 3, 0.1, 5, 7);
    assertThat(created.window()).isEqualTo(7);
    assertThat(created.start()).isEqualTo(5);
    assertThat(HistoricalAverage.withPolicy(created, 3, 0.2, 0, 99).window()).isEqualTo(7);
    assertThat(HistoricalAverage.withPolicy(null, 3, 0.0, 0, 7)).isNull();
    assertThatThrownBy(() -> created.window(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("window");
  }
}
