package dev.agon.nn;

import static dev.agon.nn.SingleLayerHarness.EVAL;
import static dev.agon.nn.SingleLayerHarness.TRAIN;
import static dev.agon.nn.SingleLayerHarness.gaussian;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agon.tensor.Tolerance;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class DropoutTest {
  private static final DataType D = DataType.DOUBLE;

  /** The kernel under test: the Java loops here, the ND4J ops in {@link DropoutOpsTest}. */
  KernelChoice kernel() {
    return KernelChoice.HOST_LOOP;
  }

  Dropout dropout(double p, long stream, long... shape) {
    return new Dropout(p, stream, kernel(), shape);
  }

  private static INDArray maskOf(Dropout d, DataType t, int batch, Layer.Context ctx) {
    return d.forward(Nd4j.ones(t, batch, 50), ctx).castTo(D);
  }

  @ParameterizedTest
  @ValueSource(doubles = {0.2, 0.5, 0.8})
  void keepsAboutOneMinusPAndScalesByItsInverse(double p) {
    Dropout d = dropout(p, 0, 100);
    INDArray y = d.forward(Nd4j.ones(D, 1000, 100), TRAIN);
    double scale = 1.0 / (1.0 - p);
    long kept = 0;
    for (double v : y.data().asDouble()) {
      assertThat(v == 0.0 || v == scale).as("value %s", v).isTrue();
      kept += v == 0.0 ? 0 : 1;
    }
    double rate = kept / 100_000.0;
    // binomial standard deviation <= 0.0016; allow 4 of them
    assertThat(Math.abs(rate - (1 - p))).isLessThan(0.0064);
    assertThat(d.lastMask()).isEqualTo(y);
  }

  @Test
  void maskIsAPureFunctionOfSeedStreamAndIndex() {
    Layer.Context ctx = new Layer.Context(true, 42, 9);
    INDArray a = maskOf(dropout(0.5, 3, 50), D, 16, ctx);
    INDArray again = maskOf(dropout(0.5, 3, 50), D, 16, ctx);
    assertThat(again).isEqualTo(a);
    Dropout reused = dropout(0.5, 3, 50);
    maskOf(reused, D, 16, new Layer.Context(true, 42, 10));
    assertThat(maskOf(reused, D, 16, ctx)).isEqualTo(a);
    assertThat(maskOf(dropout(0.5, 3, 50), DataType.FLOAT, 16, ctx)).isEqualTo(a);
    assertThat(maskOf(dropout(0.5, 4, 50), D, 16, ctx)).isNotEqualTo(a);
    assertThat(maskOf(dropout(0.5, 3, 50), D, 16, new Layer.Context(true, 42, 10))).isNotEqualTo(a);
    assertThat(maskOf(dropout(0.5, 3, 50), D, 16, new Layer.Context(true, 43, 9))).isNotEqualTo(a);
    // the first rows of a larger batch carry the same mask (c-order fill)
    INDArray bigger = maskOf(dropout(0.5, 3, 50), D, 20, ctx);
    assertThat(bigger.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 16))).isEqualTo(a);
  }

  @Test
  void evalModeAndZeroPAreTheIdentity() {
    Dropout d = dropout(0.5, 1, 3, 2, 2);
    INDArray x = gaussian(D, 1, 4, 3, 2, 2);
    INDArray y = d.forward(x, EVAL);
    assertThat(y).isEqualTo(x).isNotSameAs(x);
    assertThat(d.lastMask()).isNull();
    INDArray g = gaussian(D, 2, 4, 3, 2, 2);
    assertThat(d.backward(g, false, true, false)).isEqualTo(g);
    assertThat(d.jvp(g)).isEqualTo(g);
    Dropout none = dropout(0.0, 1, 3, 2, 2);
    assertThat(none.forward(x, TRAIN)).isEqualTo(x);
  }

  @Test
  void gradientsMatchFiniteDifferencesWithTheMaskFixed() {
    for (Layer.Context ctx : new Layer.Context[] {TRAIN, EVAL}) {
      SingleLayerHarness h = SingleLayerHarness.of(dropout(0.4, 2, 6), D, 1);
      INDArray x = gaussian(D, 3, 5, 6);
      INDArray r = gaussian(D, 4, 5, 6);
      long n = h.terms(x, ctx);
      h.layer.forward(x, ctx);
      INDArray dx = h.layer.backward(r, true, true, false).dup();
      assertThat(GradCheck.errorRatio(x, dx, () -> h.terms(x, r, ctx), n))
          .as("training %s", ctx.training())
          .isLessThan(1.0);
      assertThat(h.layer.backward(r, true, false, false)).isNull();
    }
  }

  @Test
  void gradientsMatchOnFourDimensionalInput() {
    SingleLayerHarness h = SingleLayerHarness.of(dropout(0.5, 2, 2, 3, 3), D, 1);
    INDArray x = gaussian(D, 5, 3, 2, 3, 3);
    INDArray r = gaussian(D, 6, 3, 2, 3, 3);
    long n = h.terms(x, TRAIN);
    INDArray y = h.layer.forward(x, TRAIN).dup();
    assertThat(y.shape()).containsExactly(3, 2, 3, 3);
    INDArray dx = h.layer.backward(r, false, true, false).dup();
    assertThat(GradCheck.errorRatio(x, dx, () -> h.terms(x, r, TRAIN), n)).isLessThan(1.0);
  }

  @Test
  void jvpAndJvpBackwardMatchFiniteDifferences() {
    for (Layer.Context ctx : new Layer.Context[] {TRAIN, EVAL}) {
      Dropout d = dropout(0.3, 5, 7);
      assertThat(d.piecewiseLinear()).isTrue();
      INDArray x = gaussian(D, 7, 4, 7);
      INDArray v = gaussian(D, 8, 4, 7);
      INDArray dT = gaussian(D, 9, 4, 7);
      double eps = 1e-6;
      INDArray plus = d.forward(x.add(v.mul(eps)), ctx).dup();
      INDArray minus = d.forward(x.sub(v.mul(eps)), ctx).dup();
      d.forward(x, ctx);
      // one product per output: the mask (scaled by 1/(1-p)) times x
      assertThat(Tolerance.directionalRatio(d.jvp(v), plus, minus, eps, 2)).isLessThan(1.0);
      INDArray dv = d.jvpBackward(dT, true).dup();
      Supplier<INDArray> phi =
          () -> {
            d.forward(x, ctx);
            return d.jvp(v).mul(dT);
          };
      assertThat(GradCheck.errorRatio(v, dv, phi, GradCheck.terms(x, v, dT))).isLessThan(1.0);
      assertThat(d.jvpBackward(dT, false)).isNull();
    }
  }

  @Test
  void rejectsBadArguments() {
    assertThatThrownBy(() -> dropout(1.0, 0, 3)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> dropout(-0.1, 0, 3)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> dropout(0.5, 0)).isInstanceOf(IllegalArgumentException.class);
    Dropout d = dropout(0.5, 0, 3);
    assertThatThrownBy(() -> d.forward(Nd4j.create(D, 2, 4), TRAIN))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> d.backward(Nd4j.create(D, 2, 3), false, true, false))
        .isInstanceOf(IllegalStateException.class);
  }
}
