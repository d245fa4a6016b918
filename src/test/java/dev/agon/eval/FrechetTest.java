package dev.agon.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FrechetTest {
  static double[][] gaussian(int n, int d, double shift, double scale, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[][] x = new double[n][d];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        x[i][j] = shift + scale * gauss(r);
      }
    }
    return x;
  }

  static double gauss(SplittableRandom r) {
    // Box–Muller; deterministic for a given generator.
    double u = 1 - r.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
  }

  @Test
  void statsMatchNumpyCov() {
    double[][] x = {{1, 2}, {3, 5}, {5, 11}};
    GaussianStats s = GaussianStats.of(x);
    assertThat(s.mean()).containsExactly(new double[] {3, 6}, within(1e-12));
    // numpy.cov(x.T): [[4, 9], [9, 21]]
    assertThat(s.covariance()[0]).containsExactly(new double[] {4, 9}, within(1e-12));
    assertThat(s.covariance()[1]).containsExactly(new double[] {9, 21}, within(1e-12));
    assertThat(s.count()).isEqualTo(3);
  }

  @Test
  void blockedCovarianceEqualsDirectOne() {
    double[][] x = gaussian(GaussianStats.ROWS_PER_BLOCK * 2 + 17, 3, 1, 2, 7);
    GaussianStats s = GaussianStats.of(x);
    double[] mu = s.mean();
    double c01 = 0;
    for (double[] row : x) {
      c01 += (row[0] - mu[0]) * (row[1] - mu[1]);
    }
    assertThat(s.covariance()[0][1]).isCloseTo(c01 / (x.length - 1), within(1e-12));
  }

  @Test
  void fidOfASetWithItselfIsZero() {
    double[][] x = gaussian(500, 16, 0, 1, 1);
    assertThat(Frechet.distance(x, x)).isCloseTo(0, within(1e-6));
  }

  @Test
  void diagonalCovariancesMatchClosedForm() {
    double[] a = {1, 4, 0.25, 9};
    double[] b = {2, 1, 1, 16};
    double[] m1 = {0, 1, 2, 3};
    double[] m2 = {1, 1, 0, 3};
    double expected = 0;
    for (int i = 0; i < 4; i++) {
      double r = Math.sqrt(a[i]) - Math.sqrt(b[i]);
      expected += r * r + (m1[i] - m2[i]) * (m1[i] - m2[i]);
    }
    double fid =
        Frechet.distance(GaussianStats.of(m1, diag(a), 0), GaussianStats.of(m2, diag(b), 0));
    assertThat(fid).isCloseTo(expected, within(1e-10));
  }

  @Test
  void nonDiagonalTwoByTwoMatchesHandDerivedValue() {
    // Σ1 = diag(4, 1), Σ2 = [[2, 1], [1, 2]]: Σ1^½ Σ2 Σ1^½ = [[8, 2], [2, 2]], eigenvalues
    // 5 ± √13, and √λ1 + √λ2 = √(λ1 + λ2 + 2√(λ1λ2)) = √(10 + 4√3). Means differ by (1, 2).
    double expected = 5 + (4 + 1) + (2 + 2) - 2 * Math.sqrt(10 + 4 * Math.sqrt(3));
    double fid =
        Frechet.distance(
            GaussianStats.of(new double[] {0, 0}, new double[][] {{4, 0}, {0, 1}}, 0),
            GaussianStats.of(new double[] {1, 2}, new double[][] {{2, 1}, {1, 2}}, 0));
    assertThat(fid).isCloseTo(expected, within(1e-10));
    // Both non-diagonal: Σ1Σ2 = 3I, so the trace term is 2√3 and d² = 8 − 4√3.
    double fid2 =
        Frechet.distance(
            GaussianStats.of(new double[] {0, 0}, new double[][] {{2, 1}, {1, 2}}, 0),
            GaussianStats.of(new double[] {0, 0}, new double[][] {{2, -1}, {-1, 2}}, 0));
    assertThat(fid2).isCloseTo(8 - 4 * Math.sqrt(3), within(1e-10));
  }

  @Test
  void singularCovariancesAreHandledByClipping() {
    // Rank-1 covariances (fewer samples than dimensions is the usual cause).
    double[][] s = {{1, 1}, {1, 1}};
    GaussianStats g = GaussianStats.of(new double[] {0, 0}, s, 0);
    assertThat(Frechet.distance(g, g)).isCloseTo(0, within(1e-7));
  }

  @Test
  void sampleStatisticsOfShiftedGaussiansApproachClosedForm() {
    double[][] x = gaussian(4000, 4, 0, 1, 3);
    double[][] y = gaussian(4000, 4, 0.5, 2, 4);
    // Σ(√1 − √4)² + ‖μ1 − μ2‖² = 4·1 + 4·0.25 = 5.
    assertThat(Frechet.distance(x, y)).isCloseTo(5, within(0.25));
  }

  @Test
  void serialisationRoundTripsExactly() throws IOException {
    GaussianStats s = GaussianStats.of(gaussian(50, 5, 1, 3, 9));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    s.write(out);
    assertThat(out.size()).isEqualTo(8 + 4 + 8 + 8 * (5 + 25));
    GaussianStats t = GaussianStats.read(new ByteArrayInputStream(out.toByteArray()));
    assertThat(t.count()).isEqualTo(50);
    assertThat(t.mean()).isEqualTo(s.mean());
    assertThat(t.covariance()).isDeepEqualTo(s.covariance());
    byte[] bad = out.toByteArray();
    bad[0] = 'X';
    assertThatThrownBy(() -> GaussianStats.read(new ByteArrayInputStream(bad)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("header");
  }

  @Test
  void rejectsMismatchedOrAsymmetricInput() {
    assertThatThrownBy(
            () -> GaussianStats.of(new double[] {0, 0}, new double[][] {{1, 2}, {0, 1}}, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("symmetric");
    assertThatThrownBy(
            () -> Frechet.distance(new double[][] {{1, 2}, {3, 4}}, new double[][] {{1}, {2}}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("columns");
    assertThatThrownBy(() -> GaussianStats.of(new double[][] {{1, 2}}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 2");
  }

  static double[][] diag(double[] v) {
    double[][] m = new double[v.length][v.length];
    for (int i = 0; i < v.length; i++) {
      m[i][i] = v[i];
    }
    return m;
  }
}
