package dev.agon.nn;

import static dev.agon.nn.SingleLayerHarness.TRAIN;
import static dev.agon.nn.SingleLayerHarness.gaussian;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The projection discriminator's head: its value by hand, and FD checks of every gradient. */
class ProjectionTest {
  private static final DataType D = DataType.DOUBLE;
  // classes repeat (0 twice, 2 twice) so dE sums rows; class 1 is absent and must get dE = 0
  private static final int[] Y = {0, 2, 3, 0, 2};

  private static SingleLayerHarness head() {
    SingleLayerHarness h = SingleLayerHarness.of(new Projection(6, 4, Init.DCGAN, D), D, 1);
    // a non-zero embedding (it starts at 0) so that its terms are exercised
    h.params.assign(gaussian(D, 9, 1, h.params.length()));
    ((Projection) h.layer).classes(Y);
    return h;
  }

  @Test
  void valueIsTheLinearHeadPlusTheClassEmbeddingDotTheFeatures() {
    SingleLayerHarness h = head();
    Projection p = (Projection) h.layer;
    INDArray x = gaussian(D, 3, 5, 6);
    INDArray out = p.forward(x, TRAIN).dup();
    for (int r = 0; r < 5; r++) {
      double want = h.params.getDouble(6); // b
      for (int f = 0; f < 6; f++) {
        double phi = x.getDouble(r, f);
        want += phi * (h.params.getDouble(f) + p.embedding().getDouble(Y[r], f));
      }
      assertThat(out.getDouble(r, 0)).as("row %d", r).isCloseTo(want, within(1e-12));
    }
  }

  @Test
  void gradientsOfParametersEmbeddingAndInputMatchFiniteDifferences() {
    SingleLayerHarness h = head();
    INDArray x = gaussian(D, 3, 5, 6);
    INDArray r = gaussian(D, 4, 5, 1);
    long n = h.terms(x, TRAIN);
    h.layer.forward(x, TRAIN);
    INDArray dx = h.layer.backward(r, true, true, false).dup();
    INDArray dp = h.grads.dup();
    assertThat(GradCheck.errorRatio(x, dx, () -> h.terms(x, r, TRAIN), n)).isLessThan(1.0);
    assertThat(GradCheck.errorRatio(h.params, dp, () -> h.terms(x, r, TRAIN), n)).isLessThan(1.0);
    // class 1 has no row: its embedding row gets no gradient
    Projection p = (Projection) h.layer;
    long e = 6 + 1;
    for (int f = 0; f < 6; f++) {
      assertThat(dp.getDouble(e + 6 + f)).isZero();
    }
    assertThat(h.paddingUntouched()).isTrue();
    assertThat(p.numClasses()).isEqualTo(4);
  }

  @Test
  void accumulateAddsToTheGradients() {
    SingleLayerHarness h = head();
    INDArray x = gaussian(D, 3, 5, 6);
    INDArray r = gaussian(D, 4, 5, 1);
    h.layer.forward(x, TRAIN);
    h.layer.backward(r, true, false, false);
    INDArray once = h.grads.dup();
    h.layer.backward(r, true, false, true);
    assertThat(h.grads.sub(once.mul(2)).amaxNumber().doubleValue()).isLessThan(1e-12);
  }

  @Test
  void classesOutOfRangeOrOfTheWrongCountAreRefused() {
    Projection p = (Projection) head().layer;
    assertThatThrownBy(() -> p.classes(new int[] {4})).hasMessageContaining("class 4");
    assertThatThrownBy(() -> p.classes(new int[] {-1})).hasMessageContaining("class -1");
    p.classes(new int[] {1, 1});
    assertThatThrownBy(() -> p.forward(gaussian(D, 3, 5, 6), TRAIN))
        .hasMessageContaining("2 classes for 5 rows");
  }

  private static org.assertj.core.data.Offset<Double> within(double d) {
    return org.assertj.core.data.Offset.offset(d);
  }
}
