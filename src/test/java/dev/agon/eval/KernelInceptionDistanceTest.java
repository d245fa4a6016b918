package dev.agon.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class KernelInceptionDistanceTest {
  @Test
  void tinyCaseMatchesHandComputedUnbiasedMmd() {
    // d = 1, k(a, b) = (ab + 1)³. x = {0, 1}, y = {0, 2}: kxx off-diagonal mean 1, kyy 1,
    // kxy = (1 + 1 + 1 + 27) / 4 = 7.5, so MMD²_u = 1 + 1 − 2·7.5 = −13 whatever the order.
    double[][] x = {{0}, {1}};
    double[][] y = {{0}, {2}};
    KernelInceptionDistance.Result r = KernelInceptionDistance.compute(x, y, 3, 100, 5);
    assertThat(r.subsetSize()).isEqualTo(2);
    assertThat(r.mean()).isCloseTo(-13, within(1e-12));
    assertThat(r.std()).isCloseTo(0, within(1e-12));
  }

  @Test
  void samplesOfTheSameGaussianGiveNearZeroAndShiftedOnesClearlyPositive() {
    double[][] a = FrechetTest.gaussian(600, 8, 0, 1, 11);
    double[][] b = FrechetTest.gaussian(600, 8, 0, 1, 12);
    double[][] c = FrechetTest.gaussian(600, 8, 1, 1, 13);
    KernelInceptionDistance.Result same = KernelInceptionDistance.compute(a, b, 10, 200, 1);
    KernelInceptionDistance.Result shifted = KernelInceptionDistance.compute(a, c, 10, 200, 1);
    assertThat(Math.abs(same.mean())).isLessThan(0.05);
    assertThat(shifted.mean()).isGreaterThan(1.0);
    assertThat(shifted.mean()).isGreaterThan(20 * Math.abs(same.mean()));
    assertThat(shifted.std()).isPositive();
  }

  @Test
  void theSeedFixesTheSubsets() {
    double[][] a = FrechetTest.gaussian(300, 4, 0, 1, 1);
    double[][] b = FrechetTest.gaussian(300, 4, 0.2, 1, 2);
    assertThat(KernelInceptionDistance.compute(a, b, 5, 50, 42))
        .usingRecursiveComparison()
        .isEqualTo(KernelInceptionDistance.compute(a, b, 5, 50, 42));
    assertThat(KernelInceptionDistance.compute(a, b, 5, 50, 42).mean())
        .isNotEqualTo(KernelInceptionDistance.compute(a, b, 5, 50, 43).mean());
  }

  @Test
  void rejectsBadArguments() {
    double[][] a = {{0}, {1}};
    assertThatThrownBy(() -> KernelInceptionDistance.compute(a, a, 0, 10, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("subsets");
    assertThatThrownBy(() -> KernelInceptionDistance.compute(a, new double[][] {{1}}, 1, 10, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 2");
  }
}
