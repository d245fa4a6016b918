package dev.agon.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.agon.data.ImageDataset;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The classifier-free collapse indicators on raw pixels. */
class PixelCollapseTest {
  static final int C = 1;
  static final int H = 8;
  static final int W = 8;
  static final int D = C * H * W;

  /**
   * n images of a 10-prototype mixture: prototype k's pixels uniform in [-0.6, 0.6] (fixed by the
   * seed 7), plus Gaussian noise σ = 0.1 per pixel drawn from {@code seed}, clipped to [-1, 1].
   */
  static float[] mixture(int n, long seed) {
    SplittableRandom protoRandom = new SplittableRandom(7);
    float[][] protos = new float[10][D];
    for (float[] p : protos) {
      for (int t = 0; t < D; t++) {
        p[t] = (float) (protoRandom.nextDouble() * 1.2 - 0.6);
      }
    }
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n * D];
    for (int i = 0; i < n; i++) {
      float[] p = protos[i % 10];
      for (int t = 0; t < D; t++) {
        double v = p[t] + 0.1 * FrechetTest.gauss(r);
        x[i * D + t] = (float) Math.max(-1, Math.min(1, v));
      }
    }
    return x;
  }

  static ImageDataset real() {
    return ImageDataset.ofFloat("mixture", mixture(2000, 1), 2000, C, H, W, null);
  }

  @Test
  void identicalSamplesAreAllDuplicatesAtDistanceZero() {
    PixelCollapse p = PixelCollapse.of(real(), 300, 1);
    float[] blob = new float[400 * D];
    float[] one = Arrays.copyOfRange(mixture(1, 99), 0, D);
    for (int i = 0; i < 400; i++) {
      System.arraycopy(one, 0, blob, i * D, D);
    }
    CollapseIndicators.FeatureResult r = p.score(blob, 400);
    assertThat(r.duplicateRatio()).isEqualTo(1.0);
    assertThat(r.distanceRatio()).isEqualTo(0.0);
    assertThat(r.duplicateThreshold()).isPositive();
    assertThat(r.fakeUsed()).isEqualTo(300);
    assertThat(r.realUsed()).isEqualTo(300);
  }

  @Test
  void samplesDrawnFromTheRealSetScoreLikeTheRealDataItself() {
    ImageDataset data = real();
    PixelCollapse p = PixelCollapse.of(data, 500, 1);
    // The real data's own numbers: its images scored against the real side.
    float[] own = new float[data.size() * D];
    for (int i = 0; i < data.size(); i++) {
      for (int t = 0; t < D; t++) {
        own[i * D + t] = data.pixel(i, 0, t / W, t % W);
      }
    }
    CollapseIndicators.FeatureResult self = p.score(own, data.size());
    // Fresh draws of the same distribution: a generator that has learnt the data.
    CollapseIndicators.FeatureResult fresh = p.score(mixture(500, 2), 500);
    assertThat(self.distanceRatio()).isCloseTo(1.0, within(0.05));
    assertThat(fresh.distanceRatio()).isCloseTo(self.distanceRatio(), within(0.05));
    assertThat(self.duplicateRatio()).isLessThan(0.01);
    assertThat(fresh.duplicateRatio()).isCloseTo(self.duplicateRatio(), within(0.01));
  }

  @Test
  void aGeneratorStuckOnTwoImagesHasHalfItsPairsDuplicated() {
    PixelCollapse p = PixelCollapse.of(real(), 200, 1);
    float[] two = mixture(2, 5);
    float[] fake = new float[200 * D];
    for (int i = 0; i < 200; i++) {
      System.arraycopy(two, (i % 2) * D, fake, i * D, D);
    }
    CollapseIndicators.FeatureResult r = p.score(fake, 200);
    // Half the pairs are exact copies; the other half as far apart as two data images.
    assertThat(r.duplicateRatio()).isCloseTo(99.0 / 199, within(1e-12));
    assertThat(r.duplicateRatio()).isGreaterThan(0.25);
  }

  @Test
  void theRealSideIsTheSubsetOfItsSeedAndScoringUsesTheFirstPointsSamples() {
    ImageDataset data = real();
    float[] fake = mixture(300, 3);
    CollapseIndicators.FeatureResult a = PixelCollapse.of(data, 100, 4).score(fake, 300);
    CollapseIndicators.FeatureResult b = PixelCollapse.of(data, 100, 4).score(fake, 300);
    CollapseIndicators.FeatureResult c = PixelCollapse.of(data, 100, 5).score(fake, 300);
    assertThat(a).isEqualTo(b);
    assertThat(c.duplicateThreshold()).isNotEqualTo(a.duplicateThreshold());
    // Only the first 100 samples count: changing the rest changes nothing.
    float[] changed = fake.clone();
    Arrays.fill(changed, 100 * D, changed.length, 0f);
    assertThat(PixelCollapse.of(data, 100, 4).score(changed, 300)).isEqualTo(a);
  }

  @Test
  void theMeasuredRealSideGivesTheNumbersOfTheOneShotFeatureIndicators() {
    double[][] real = rows(mixture(150, 1), 150);
    double[][] fake = rows(mixture(150, 2), 150);
    CollapseIndicators.FeatureResult once = CollapseIndicators.features(real, fake, 150, 9);
    CollapseIndicators.FeatureResult split =
        CollapseIndicators.features(CollapseIndicators.realSide(real, 150, 9), fake);
    assertThat(split).isEqualTo(once);
  }

  @Test
  void rejectsWhatCannotBeComputed() {
    ImageDataset data = real();
    assertThatThrownBy(() -> PixelCollapse.of(data, 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PixelCollapse.of(data, PixelCollapse.MAX_POINTS + 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
    ImageDataset tiny = ImageDataset.ofFloat("tiny", mixture(3, 1), 3, C, H, W, null);
    assertThat(PixelCollapse.points(5000, tiny)).isEqualTo(3);
    assertThat(PixelCollapse.points(5000, data)).isEqualTo(PixelCollapse.MAX_POINTS);
    assertThatThrownBy(() -> PixelCollapse.of(tiny, 4, 1))
        .isInstanceOf(IllegalArgumentException.class);
    PixelCollapse p = PixelCollapse.of(data, 50, 1);
    assertThatThrownBy(() -> p.score(new float[49 * D], 49))
        .isInstanceOf(IllegalArgumentException.class);
    CollapseIndicators.RealSide side = CollapseIndicators.realSide(rows(mixture(10, 1), 10), 10, 1);
    assertThatThrownBy(() -> CollapseIndicators.features(side, new double[][] {{0}, {1}}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("columns");
  }

  static double[][] rows(float[] x, int n) {
    double[][] out = new double[n][D];
    for (int i = 0; i < n; i++) {
      for (int t = 0; t < D; t++) {
        out[i][t] = x[i * D + t];
      }
    }
    return out;
  }
}
