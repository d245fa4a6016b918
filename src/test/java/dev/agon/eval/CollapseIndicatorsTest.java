package dev.agon.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CollapseIndicatorsTest {
  static final int K = 10;

  /** n samples of a K-cluster mixture in K dimensions: class c centred at 10·e_c, noise σ. */
  static double[][] features(int n, int[] classes, double sigma, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[][] x = new double[n][K];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < K; j++) {
        x[i][j] = sigma * FrechetTest.gauss(r);
      }
      x[i][classes[i]] += 10;
    }
    return x;
  }

  /** A classifier's confident probabilities: 0.91 on the class, 0.01 elsewhere. */
  static double[][] probabilities(int[] classes) {
    double[][] p = new double[classes.length][K];
    for (int i = 0; i < classes.length; i++) {
      java.util.Arrays.fill(p[i], 0.01);
      p[i][classes[i]] = 0.91;
    }
    return p;
  }

  static int[] cycling(int n) {
    int[] c = new int[n];
    for (int i = 0; i < n; i++) {
      c[i] = i % K;
    }
    return c;
  }

  @Test
  void aGeneratorCollapsedOntoOneClassIsFlaggedEverywhere() {
    int n = 500;
    double[] realHistogram = new double[K];
    java.util.Arrays.fill(realHistogram, 100);
    double[][] real = features(n, cycling(n), 1, 1);

    int[] varied = cycling(n);
    int[] collapsed = new int[n]; // every sample class 0, nearly identical
    CollapseIndicators.ClassResult good =
        CollapseIndicators.classes(probabilities(varied), realHistogram);
    CollapseIndicators.ClassResult bad =
        CollapseIndicators.classes(probabilities(collapsed), realHistogram);
    assertThat(good.classesPresent()).isEqualTo(K);
    assertThat(good.klToData()).isCloseTo(0, within(1e-5));
    assertThat(good.entropy()).isCloseTo(Math.log(K), within(1e-12));
    assertThat(bad.classesPresent()).isEqualTo(1);
    assertThat(bad.klToData()).isCloseTo(Math.log(K), within(1e-4));
    assertThat(bad.entropy()).isZero();
    assertThat(bad.counts()[0]).isEqualTo(n);

    CollapseIndicators.FeatureResult goodF =
        CollapseIndicators.features(real, features(n, varied, 1, 2), 7);
    CollapseIndicators.FeatureResult badF =
        CollapseIndicators.features(real, features(n, collapsed, 0.05, 3), 7);
    assertThat(goodF.duplicateRatio()).isLessThan(0.001);
    assertThat(badF.duplicateRatio()).isGreaterThan(0.5);
    assertThat(goodF.distanceRatio()).isCloseTo(1, within(0.05));
    assertThat(badF.distanceRatio()).isLessThan(0.05);
    assertThat(badF.duplicateThreshold()).isEqualTo(goodF.duplicateThreshold());
  }

  @Test
  void klSmoothsClassesMissingFromTheData() {
    // Data only in class 0; generator half in class 1: KL = ½ log(½ / q0) + ½ log(½ / q1) with
    // q0 = (1 + ε)/(1 + 2ε), q1 = ε/(1 + 2ε).
    double eps = CollapseIndicators.EPSILON;
    CollapseIndicators.ClassResult r =
        CollapseIndicators.classes(new int[] {0, 1}, new double[] {5, 0});
    double q0 = (1 + eps) / (1 + 2 * eps);
    double q1 = eps / (1 + 2 * eps);
    assertThat(r.klToData())
        .isCloseTo(0.5 * Math.log(0.5 / q0) + 0.5 * Math.log(0.5 / q1), within(1e-12));
    assertThat(r.entropy()).isCloseTo(Math.log(2), within(1e-12));
  }

  @Test
  void classesBelowOnePercentAreNotPresent() {
    int[] c = new int[200];
    c[0] = 1; // one sample of 200 = 0.5% in class 1
    c[1] = 2;
    c[2] = 2; // two samples = 1% in class 2
    assertThat(CollapseIndicators.classes(c, new double[] {1, 1, 1}).classesPresent()).isEqualTo(2);
  }

  @Test
  void percentileInterpolatesLikeNumpy() {
    // numpy.percentile([1, 2, 3, 4, 5], 1) = 1.04
    assertThat(CollapseIndicators.percentile(new double[] {5, 3, 1, 2, 4}, 0.01))
        .isCloseTo(1.04, within(1e-12));
  }

  @Test
  void subsamplingIsSeededAndCapped() {
    double[][] real = features(300, cycling(300), 1, 4);
    double[][] fake = features(300, cycling(300), 1, 5);
    CollapseIndicators.FeatureResult a = CollapseIndicators.features(real, fake, 100, 9);
    assertThat(a.realUsed()).isEqualTo(100);
    assertThat(a.fakeUsed()).isEqualTo(100);
    assertThat(CollapseIndicators.features(real, fake, 100, 9)).isEqualTo(a);
  }

  @Test
  void rejectsBadArguments() {
    assertThatThrownBy(() -> CollapseIndicators.classes(new int[] {3}, new double[] {1, 1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("outside [0, 2)");
    assertThatThrownBy(
            () -> CollapseIndicators.classes(new double[][] {{0.5, 0.5}}, new double[] {1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("classes");
  }
}
