package dev.agon.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ParzenWindowTest {
  @Test
  void oneCentreGivesTheGaussianLogDensity() {
    double sigma = 0.7;
    double[][] x = {{0.3, -1.2}};
    double d2 = 0.3 * 0.3 + 1.2 * 1.2;
    double expected = -d2 / (2 * sigma * sigma) - Math.log(2 * Math.PI * sigma * sigma);
    assertThat(ParzenWindow.logLikelihoods(new double[][] {{0, 0}}, x, sigma)[0])
        .isCloseTo(expected, within(1e-12));
  }

  @Test
  void twoCentresAverageTheirKernelsEvenFarOut() {
    // x = 0 in 1-D, centres 1 and 3, σ = 0.01: the terms underflow in plain exp but not here.
    double s = 0.01;
    double a = -1 / (2 * s * s);
    double b = -9 / (2 * s * s);
    double lse = a + Math.log1p(Math.exp(b - a));
    double expected = lse - Math.log(2) - 0.5 * Math.log(2 * Math.PI * s * s);
    double got = ParzenWindow.logLikelihoods(new double[][] {{1}, {3}}, new double[][] {{0}}, s)[0];
    assertThat(got).isCloseTo(expected, within(1e-9));
    assertThat(Double.isFinite(got)).isTrue();
  }

  @Test
  void samplesOfAKnownGaussianScoreNearItsAnalyticLogDensity() {
    double std = 0.5;
    double[][] centres = FrechetTest.gaussian(4000, 1, 0, std, 21);
    double[][] validation = FrechetTest.gaussian(400, 1, 0, std, 22);
    double[][] test = FrechetTest.gaussian(1000, 1, 0, std, 23);
    double analytic = 0;
    for (double[] x : test) {
      analytic += -x[0] * x[0] / (2 * std * std) - 0.5 * Math.log(2 * Math.PI * std * std);
    }
    analytic /= test.length;
    ParzenWindow.Result r = ParzenWindow.fit(centres, validation, test);
    assertThat(r.meanLogLikelihood()).isCloseTo(analytic, within(0.03));
    assertThat(r.sigma()).isLessThan(0.3);
    assertThat(r.standardError()).isBetween(0.01, 0.05);
    assertThat(r.validationMeans()).hasSize(10);
  }

  @Test
  void logspaceMatchesNumpy() {
    double[] v = ParzenWindow.logspace(-1, 0, 10);
    assertThat(v[0]).isCloseTo(0.1, within(1e-15));
    assertThat(v[9]).isCloseTo(1, within(1e-15));
    assertThat(v[1]).isCloseTo(0.12915496650148839, within(1e-15));
  }

  @Test
  void rejectsNonPositiveSigma() {
    assertThatThrownBy(
            () -> ParzenWindow.logLikelihoods(new double[][] {{0}}, new double[][] {{0}}, 0.0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sigma");
  }
}
