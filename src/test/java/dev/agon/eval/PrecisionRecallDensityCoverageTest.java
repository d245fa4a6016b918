package dev.agon.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PrecisionRecallDensityCoverageTest {
  /** Points {from, from + 1, ..., from + n − 1} on a line, as 1-D features. */
  static double[][] line(double from, int n) {
    double[][] x = new double[n][1];
    for (int i = 0; i < n; i++) {
      x[i][0] = from + i;
    }
    return x;
  }

  static double[][] concat(double[][] a, double[][] b) {
    double[][] c = new double[a.length + b.length][];
    System.arraycopy(a, 0, c, 0, a.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  @Test
  void identicalSetsHavePerfectPrecisionRecallAndCoverage() {
    double[][] x = FrechetTest.gaussian(200, 5, 0, 1, 3);
    PrecisionRecall.Result pr = PrecisionRecall.compute(x, x);
    assertThat(pr.precision()).isEqualTo(1.0);
    assertThat(pr.recall()).isEqualTo(1.0);
    assertThat(pr.k()).isEqualTo(3);
    DensityCoverage.Result dc = DensityCoverage.compute(x, x);
    assertThat(dc.coverage()).isEqualTo(1.0);
    assertThat(dc.density()).isGreaterThanOrEqualTo(1.0 / 5); // each fake is in its own ball
  }

  @Test
  void farAwayFakesScoreZeroEverywhere() {
    double[][] real = FrechetTest.gaussian(100, 3, 0, 1, 4);
    double[][] fake = FrechetTest.gaussian(100, 3, 100, 1, 5);
    PrecisionRecall.Result pr = PrecisionRecall.compute(real, fake);
    assertThat(pr.precision()).isZero();
    assertThat(pr.recall()).isZero();
    DensityCoverage.Result dc = DensityCoverage.compute(real, fake);
    assertThat(dc.density()).isZero();
    assertThat(dc.coverage()).isZero();
  }

  @Test
  void halfTheFakesOnTheDataGivePrecisionHalfAndFullRecall() {
    // Reals 0..9 (k = 3 radii 2 or 3); fakes 0.5..9.5 (inside) and 100..109 (outside). Every real
    // lies 0.5 from a fake in the first group, whose radii are ≥ 2.
    double[][] real = line(0, 10);
    double[][] fake = concat(line(0.5, 10), line(100, 10));
    PrecisionRecall.Result pr = PrecisionRecall.compute(real, fake);
    assertThat(pr.precision()).isCloseTo(0.5, within(1e-12));
    assertThat(pr.recall()).isCloseTo(1.0, within(1e-12));
    // Fakes only at the far group: precision 0, recall 0.
    PrecisionRecall.Result far = PrecisionRecall.compute(real, line(100, 10));
    assertThat(far.precision()).isZero();
    assertThat(far.recall()).isZero();
  }

  @Test
  void densityAndCoverageMatchHandCountsWithOneNeighbour() {
    // Reals 0..9 with k = 1: every radius is 1 (closed balls). The fake 0.5 lies in the balls of
    // 0 and 1: density 2 / (k·M) = 2, coverage 2/10. Adding the fake 5 (in the balls of 4, 5, 6)
    // gives density (2 + 3) / 2 and coverage 5/10.
    double[][] real = line(0, 10);
    DensityCoverage.Result one = DensityCoverage.compute(real, new double[][] {{0.5}}, 1);
    assertThat(one.density()).isCloseTo(2, within(1e-12));
    assertThat(one.coverage()).isCloseTo(0.2, within(1e-12));
    DensityCoverage.Result two = DensityCoverage.compute(real, new double[][] {{0.5}, {5}}, 1);
    assertThat(two.density()).isCloseTo(2.5, within(1e-12));
    assertThat(two.coverage()).isCloseTo(0.5, within(1e-12));
  }

  @Test
  void kthNeighbourRadiusExcludesTheRowItselfButCountsDuplicates() {
    double[][] x = {{0}, {0}, {1}, {3}};
    double[] r = EvalArrays.kthNeighbourSquaredRadii("x", x, 1);
    assertThat(r).containsExactly(0, 0, 1, 4);
    double[] r2 = EvalArrays.kthNeighbourSquaredRadii("x", x, 2);
    assertThat(r2).containsExactly(1, 1, 1, 9);
  }

  @Test
  void rejectsTooFewRowsForK() {
    assertThatThrownBy(() -> PrecisionRecall.compute(line(0, 3), line(0, 10)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("more than k = 3");
  }
}
