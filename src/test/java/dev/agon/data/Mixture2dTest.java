package dev.agon.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.agon.tensor.Tensors;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class Mixture2dTest {
  @Test
  void ringHasEightDistinctCentresAtMultiplesOfFortyFiveDegrees() {
    double[][] c = Mixture2d.ring(8, 1.0, 0.01, 1).centres();
    assertThat(c).hasNumberOfRows(8);
    Set<String> distinct = new HashSet<>();
    for (int k = 0; k < 8; k++) {
      assertThat(c[k][0]).isCloseTo(Math.cos(2 * Math.PI * k / 8), within(1e-12));
      assertThat(c[k][1]).isCloseTo(Math.sin(2 * Math.PI * k / 8), within(1e-12));
      assertThat(Math.hypot(c[k][0], c[k][1])).isCloseTo(1.0, within(1e-12));
      distinct.add(Math.round(c[k][0] * 1e6) + "," + Math.round(c[k][1] * 1e6));
    }
    assertThat(distinct).hasSize(8);
  }

  @Test
  void gridIsTwentyFiveModesOnMinusFourToFour() {
    double[][] c = Mixture2d.grid(5, 2.0, 0.05, 1).centres();
    assertThat(c).hasNumberOfRows(25);
    Set<String> got = new HashSet<>();
    for (double[] p : c) {
      got.add((int) p[0] + "," + (int) p[1]);
    }
    Set<String> want = new HashSet<>();
    for (int x = -4; x <= 4; x += 2) {
      for (int y = -4; y <= 4; y += 2) {
        want.add(x + "," + y);
      }
    }
    assertThat(got).isEqualTo(want);
  }

  @Test
  void batchesAreAPureFunctionOfSeedAndIndex() {
    Mixture2d a = Mixture2d.ring(8, 1.0, 0.01, 42);
    Mixture2d b = Mixture2d.ring(8, 1.0, 0.01, 42);
    assertThat(Tensors.toFloats(a.batch(17, 64).x()))
        .isEqualTo(Tensors.toFloats(b.batch(17, 64).x()));
    assertThat(a.sample(17, 64)).isNotEqualTo(a.sample(18, 64));
    assertThat(a.sample(17, 64)).isNotEqualTo(Mixture2d.ring(8, 1.0, 0.01, 43).sample(17, 64));
  }

  @Test
  void samplesSitAroundTheirModesWithTheConfiguredSpread() {
    double std = 0.05;
    Mixture2d m = Mixture2d.grid(5, 2.0, std, 3);
    float[] xy = m.sample(0, 20_000);
    double[][] c = m.centres();
    double sumSq = 0;
    int[] counts = new int[c.length];
    for (int i = 0; i < xy.length; i += 2) {
      int best = 0;
      double bestD = Double.MAX_VALUE;
      for (int j = 0; j < c.length; j++) {
        double d = Math.pow(xy[i] - c[j][0], 2) + Math.pow(xy[i + 1] - c[j][1], 2);
        if (d < bestD) {
          bestD = d;
          best = j;
        }
      }
      counts[best]++;
      sumSq += bestD;
    }
    // E||x - c||^2 = 2 sigma^2 for an isotropic 2-D Gaussian.
    assertThat(sumSq / 20_000).isCloseTo(2 * std * std, within(0.1 * 2 * std * std));
    for (int n : counts) {
      assertThat(n).isBetween(600, 1000); // 800 expected per mode
    }
  }
}
