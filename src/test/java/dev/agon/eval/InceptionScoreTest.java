package dev.agon.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class InceptionScoreTest {
  static double[][] oneHot(int n, int k) {
    double[][] p = new double[n][k];
    for (int i = 0; i < n; i++) {
      p[i][i % k] = 1;
    }
    return p;
  }

  @Test
  void confidentPredictionsSpreadUniformlyOverKClassesScoreK() {
    InceptionScore.Result r = InceptionScore.compute(oneHot(1000, 10));
    assertThat(r.mean()).isCloseTo(10, within(1e-9));
    assertThat(r.std()).isCloseTo(0, within(1e-9));
    assertThat(r.splits()).isEqualTo(10);
    assertThat(r.n()).isEqualTo(1000);
  }

  @Test
  void constantPredictionsScoreOne() {
    double[][] p = new double[50][];
    for (int i = 0; i < p.length; i++) {
      p[i] = new double[] {0.2, 0.3, 0.5};
    }
    InceptionScore.Result r = InceptionScore.compute(p, 5);
    assertThat(r.mean()).isCloseTo(1, within(1e-12));
    assertThat(r.std()).isCloseTo(0, within(1e-12));
  }

  @Test
  void splitsAreContiguousAndStdIsThePopulationOne() {
    // Split 0: four one-hots over 4 classes (IS 4); split 1: four one-hots over 2 classes (IS 2).
    double[][] p = new double[8][4];
    for (int i = 0; i < 4; i++) {
      p[i][i] = 1;
    }
    for (int i = 4; i < 8; i++) {
      p[i][i % 2] = 1;
    }
    InceptionScore.Result r = InceptionScore.compute(p, 2);
    assertThat(r.scores()).containsExactly(new double[] {4, 2}, within(1e-12));
    assertThat(r.mean()).isCloseTo(3, within(1e-12));
    assertThat(r.std()).isCloseTo(1, within(1e-12)); // np.std([4, 2]) = 1
    // One split: one-hot predictions score exp(H(p(y))), p(y) = (3/8, 3/8, 1/8, 1/8).
    double h = 2 * (3.0 / 8) * Math.log(8.0 / 3) + 2 * (1.0 / 8) * Math.log(8);
    assertThat(InceptionScore.compute(p, 1).mean()).isCloseTo(Math.exp(h), within(1e-12));
  }

  @Test
  void softPredictionsMatchHandComputedKl() {
    // Two samples: (0.5, 0.5) and (1, 0); p(y) = (0.75, 0.25).
    double[][] p = {{0.5, 0.5}, {1, 0}};
    double kl1 = 0.5 * Math.log(0.5 / 0.75) + 0.5 * Math.log(0.5 / 0.25);
    double kl2 = Math.log(1 / 0.75);
    assertThat(InceptionScore.compute(p, 1).mean())
        .isCloseTo(Math.exp((kl1 + kl2) / 2), within(1e-12));
  }

  @Test
  void rejectsBadArguments() {
    assertThatThrownBy(() -> InceptionScore.compute(oneHot(5, 2), 6))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("splits");
    assertThatThrownBy(() -> InceptionScore.compute(new double[][] {{-0.1, 1.1}}, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("negative");
    assertThatThrownBy(() -> InceptionScore.compute(new double[][] {{1, 0}, {1}}, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rectangular");
  }
}
