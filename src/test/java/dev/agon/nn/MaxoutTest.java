package dev.agon.nn;

import static dev.agon.nn.SingleLayerHarness.EVAL;
import static dev.agon.nn.SingleLayerHarness.gaussian;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.agon.tensor.Tolerance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class MaxoutTest {
  private static final DataType D = DataType.DOUBLE;

  /** The kernel under test: the Java loops here, the ND4J ops in {@link MaxoutOpsTest}. */
  KernelChoice kernel() {
    return KernelChoice.HOST_LOOP;
  }

  Maxout maxout(int in, int units, int pieces) {
    return new Maxout(in, units, pieces, kernel());
  }

  @Test
  void forwardIsTheMaxOverEachUnitsConsecutivePieces() {
    SingleLayerHarness h = SingleLayerHarness.of(maxout(3, 4, 2), D, 5);
    Maxout m = (Maxout) h.layer;
    INDArray x = gaussian(D, 1, 5, 3);
    INDArray y = m.forward(x, EVAL).dup();
    INDArray z = x.mmul(m.weight()).addRowVector(m.bias());
    for (int r = 0; r < 5; r++) {
      for (int u = 0; u < 4; u++) {
        double expected = Math.max(z.getDouble(r, 2 * u), z.getDouble(r, 2 * u + 1));
        assertThat(y.getDouble(r, u)).isEqualTo(expected);
      }
    }
  }

  @ParameterizedTest(name = "in {0} units {1} pieces {2} batch {3}")
  @CsvSource({"3, 4, 2, 5", "4, 3, 5, 2", "2, 1, 1, 3", "5, 2, 3, 1"})
  void paramAndInputGradientsMatchFiniteDifferences(int in, int units, int pieces, int batch) {
    SingleLayerHarness h = SingleLayerHarness.of(maxout(in, units, pieces), D, 11);
    INDArray x = gaussian(D, 2, batch, in);
    INDArray r = gaussian(D, 3, batch, units);
    long n = h.terms(x, EVAL);
    h.layer.forward(x, EVAL);
    INDArray dx = h.layer.backward(r, true, true, false).dup();
    INDArray grads = h.grads.dup();
    assertThat(GradCheck.errorRatio(h.params, grads, () -> h.terms(x, r, EVAL), n))
        .as("param grads")
        .isLessThan(1.0);
    assertThat(GradCheck.errorRatio(x, dx, () -> h.terms(x, r, EVAL), n))
        .as("input grads")
        .isLessThan(1.0);
    assertThat(h.paddingUntouched()).isTrue();
  }

  @Test
  void accumulateAddsAndFlagsSkipWork() {
    SingleLayerHarness h = SingleLayerHarness.of(maxout(3, 2, 3), D, 1);
    INDArray x = gaussian(D, 4, 4, 3);
    INDArray r = gaussian(D, 5, 4, 2);
    long n = h.terms(x, EVAL) + 1; // the accumulating gemm adds one more term
    h.layer.forward(x, EVAL);
    INDArray dx = h.layer.backward(r, true, true, false).dup();
    INDArray once = h.grads.dup();
    h.layer.backward(r, true, false, true);
    double bound = Tolerance.reordered(n, 2 * Tolerance.absMax(once), D);
    assertThat(Tolerance.ratio(h.grads, once.mul(2), bound)).isLessThan(1.0);
    h.grads.assign(9.0);
    assertThat(h.layer.backward(r, false, true, false)).isEqualTo(dx);
    assertThat(h.grads.minNumber().doubleValue()).isEqualTo(9.0);
    assertThat(h.grads.maxNumber().doubleValue()).isEqualTo(9.0);
    assertThat(h.layer.backward(r, true, false, false)).isNull();
  }

  @Test
  void tiesSendTheGradientToTheFirstPiece() {
    SingleLayerHarness h = SingleLayerHarness.of(maxout(2, 1, 3), D, 1);
    Maxout m = (Maxout) h.layer;
    // pieces 1 and 2 identical and larger than piece 0
    m.weight().assign(Nd4j.createFromArray(new double[][] {{0, 1, 1}, {0, 2, 2}}));
    m.bias().assign(Nd4j.createFromArray(new double[][] {{-10, 0.5, 0.5}}));
    INDArray x = Nd4j.createFromArray(new double[][] {{1, 1}});
    assertThat(m.forward(x, EVAL).getDouble(0, 0)).isEqualTo(3.5);
    m.backward(Nd4j.createFromArray(new double[][] {{1}}), true, false, false);
    // W grads: column 1 gets x, columns 0 and 2 nothing; bias grad only on piece 1
    assertThat(h.grads.toDoubleVector()).containsExactly(0, 1, 0, 0, 1, 0, 0, 1, 0);
  }

  @ParameterizedTest(name = "in {0} units {1} pieces {2} batch {3}")
  @CsvSource({"3, 4, 2, 5", "4, 3, 5, 2"})
  void jvpMatchesFiniteDifferencesOfTheForward(int in, int units, int pieces, int batch) {
    SingleLayerHarness h = SingleLayerHarness.of(maxout(in, units, pieces), D, 13);
    assertThat(h.layer.piecewiseLinear()).isTrue();
    INDArray x = gaussian(D, 6, batch, in);
    INDArray v = gaussian(D, 7, batch, in);
    double eps = 1e-6;
    INDArray plus = h.layer.forward(x.add(v.mul(eps)), EVAL).dup();
    INDArray minus = h.layer.forward(x.sub(v.mul(eps)), EVAL).dup();
    long n = h.terms(x, EVAL);
    h.layer.forward(x, EVAL);
    INDArray t = h.layer.jvp(v);
    assertThat(Tolerance.directionalRatio(t, plus, minus, eps, n)).isLessThan(1.0);
  }

  @ParameterizedTest(name = "in {0} units {1} pieces {2} batch {3}")
  @CsvSource({"3, 4, 2, 5", "4, 3, 5, 2", "2, 2, 1, 3"})
  void jvpBackwardMatchesFiniteDifferences(int in, int units, int pieces, int batch) {
    SingleLayerHarness h = SingleLayerHarness.of(maxout(in, units, pieces), D, 17);
    INDArray x = gaussian(D, 8, batch, in);
    INDArray v = gaussian(D, 9, batch, in);
    INDArray dT = gaussian(D, 10, batch, units);
    // phi(theta, v) = <dT, J(theta) v> at x: the forward's sums and the tangent's, as long
    java.util.function.Supplier<INDArray> phi =
        () -> {
          h.layer.forward(x, EVAL);
          return h.layer.jvp(v).mul(dT);
        };
    long n = 2 * h.terms(x, EVAL);
    h.grads.assign(0.5); // jvpBackward adds
    h.layer.forward(x, EVAL);
    h.layer.jvp(v);
    INDArray dv = h.layer.jvpBackward(dT, true).dup();
    INDArray added = h.grads.sub(0.5);
    assertThat(GradCheck.errorRatio(h.params, added, phi, n)).as("param grads").isLessThan(1.0);
    assertThat(GradCheck.errorRatio(v, dv, phi, n)).as("tangent grads").isLessThan(1.0);
    // the bias does not enter the tangent
    Maxout m = (Maxout) h.layer;
    long wLen = (long) in * units * pieces;
    for (long i = wLen; i < h.grads.length(); i++) {
      assertThat(added.getDouble(i)).isZero();
    }
    assertThat(m.jvpBackward(dT, false)).isNull();
  }

  @Test
  void floatAgreesWithDouble() {
    SingleLayerHarness hd = SingleLayerHarness.of(maxout(6, 4, 3), D, 3);
    SingleLayerHarness hf = SingleLayerHarness.of(maxout(6, 4, 3), DataType.FLOAT, 3);
    INDArray x = gaussian(D, 11, 8, 6);
    INDArray r = gaussian(D, 12, 8, 4);
    long n = hd.terms(x, EVAL) + r.length(); // the backward adds r's terms to the chain
    INDArray yd = hd.layer.forward(x, EVAL);
    INDArray yf = hf.layer.forward(x.castTo(DataType.FLOAT), EVAL);
    assertThat(Tolerance.floatVsDoubleRatio(yf, yd, n, Tolerance.absMax(yd))).isLessThan(1.0);
    INDArray dxd = hd.layer.backward(r, true, true, false);
    INDArray dxf = hf.layer.backward(r.castTo(DataType.FLOAT), true, true, false);
    assertThat(Tolerance.floatVsDoubleRatio(dxf, dxd, n, Tolerance.absMax(dxd))).isLessThan(1.0);
    assertThat(Tolerance.floatVsDoubleRatio(hf.grads, hd.grads, n, Tolerance.absMax(hd.grads)))
        .isLessThan(1.0);
  }

  @Test
  void initIsUniformInPlusMinusOneOverSqrtIn() {
    SingleLayerHarness h = SingleLayerHarness.of(maxout(16, 8, 4), D, 3);
    assertThat(h.params.amaxNumber().doubleValue()).isLessThanOrEqualTo(0.25);
    assertThat(h.params.amaxNumber().doubleValue()).isGreaterThan(0.2);
    SingleLayerHarness again = SingleLayerHarness.of(maxout(16, 8, 4), D, 3);
    assertThat(again.params).isEqualTo(h.params);
    assertThat(h.layer.numParams()).isEqualTo(16L * 32 + 32);
    // 5 standard errors of the mean of 544 uniform values in +-1/4 (std 1/(4 sqrt 3))
    double se = 0.25 / Math.sqrt(3) / Math.sqrt(h.params.length());
    assertThat(h.params.meanNumber().doubleValue()).isCloseTo(0.0, within(5 * se));
  }

  @Test
  void rejectsWrongShapes() {
    SingleLayerHarness h = SingleLayerHarness.of(maxout(3, 2, 2), D, 3);
    assertThatThrownBy(() -> h.layer.forward(Nd4j.create(D, 2, 4), EVAL))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> h.layer.forward(Nd4j.create(DataType.FLOAT, 2, 3), EVAL))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> maxout(3, 0, 2)).isInstanceOf(IllegalArgumentException.class);
  }
}
