package dev.agon.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.agon.data.Mixture2d;
import org.junit.jupiter.api.Test;

class ModeMetricsTest {
  final Mixture2d ring = Mixture2d.ring(8, 1.0, 0.01, 1);

  @Test
  void realDataCoversEveryModeWithHighQuality() {
    ModeMetrics.Result r = ModeMetrics.score(ring.sample(0, 2500), ring.centres(), 0.01);
    assertThat(r.modes()).isEqualTo(8);
    assertThat(r.highQualityFraction()).isGreaterThan(0.98);
    assertThat(r.reverseKl()).isLessThan(0.02);
  }

  @Test
  void collapseToOneModeIsOneModeAndReverseKlLogEight() {
    float[] xy = new float[200];
    for (int i = 0; i < 100; i++) {
      xy[2 * i] = 1.0f;
      xy[2 * i + 1] = 0.001f;
    }
    ModeMetrics.Result r = ModeMetrics.score(xy, ring.centres(), 0.01);
    assertThat(r.modes()).isEqualTo(1);
    assertThat(r.highQualityFraction()).isEqualTo(1.0);
    assertThat(r.reverseKl()).isCloseTo(Math.log(8), within(1e-12));
  }

  @Test
  void pointsBeyondThreeSigmaAreLowQualityAndCaptureNothing() {
    // Nearest centre (1, 0) at distance 0.031 > 3 sigma = 0.03; the origin is far from every mode.
    float[] xy = {1.031f, 0f, 0f, 0f};
    ModeMetrics.Result r = ModeMetrics.score(xy, ring.centres(), 0.01);
    assertThat(r.modes()).isZero();
    assertThat(r.highQualityFraction()).isZero();
    assertThat(r.reverseKl()).isInfinite();
  }
}
