package dev.agon.nn;

import static dev.agon.nn.SingleLayerHarness.TRAIN;
import static dev.agon.nn.SingleLayerHarness.gaussian;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agon.tensor.Tolerance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class MinibatchDiscriminationTest {
  private static final DataType D = DataType.DOUBLE;

  /** The kernel under test: the Java loops here, the ND4J ops in {@link MinibatchOpsTest}. */
  KernelChoice kernel() {
    return KernelChoice.HOST_LOOP;
  }

  MinibatchDiscrimination mbd(int in, int kernels, int kernelDim) {
    return mbd(in, kernels, kernelDim, false);
  }

  MinibatchDiscrimination mbd(int in, int kernels, int kernelDim, boolean includeSelf) {
    return new MinibatchDiscrimination(in, kernels, kernelDim, includeSelf, kernel());
  }

  /** T[a, b, c] of the hand-computed case, as the [A, B*C] matrix: A = 2, B = 2, C = 2. */
  private static final double[][] TINY_T = {{1, 2, 0, 0}, {0, 0.5, 1, -1}};

  @Test
  void batchOfTwoByHand() {
    for (boolean self : new boolean[] {false, true}) {
      SingleLayerHarness h = SingleLayerHarness.of(mbd(2, 2, 2, self), D, 1);
      ((MinibatchDiscrimination) h.layer).tensor().assign(Nd4j.createFromArray(TINY_T));
      INDArray x = Nd4j.createFromArray(new double[][] {{1, 0}, {0, 1}});
      // M_1 = T[0] = kernels [1, 2], [0, 0]; M_2 = T[1] = kernels [0, 0.5], [1, -1]
      // kernel 0: |1 - 0| + |2 - 0.5| = 2.5; kernel 1: |0 - 1| + |0 + 1| = 2
      double c0 = Math.exp(-2.5) + (self ? 1 : 0);
      double c1 = Math.exp(-2.0) + (self ? 1 : 0);
      INDArray y = h.layer.forward(x, TRAIN);
      assertThat(y.shape()).containsExactly(2, 4);
      assertThat(y.getRow(0).toDoubleVector()).containsExactly(1, 0, c0, c1);
      assertThat(y.getRow(1).toDoubleVector()).containsExactly(0, 1, c0, c1);
    }
  }

  @Test
  void batchOfOneHasNoNeighbours() {
    SingleLayerHarness h = SingleLayerHarness.of(mbd(3, 4, 2), D, 1);
    INDArray x = gaussian(D, 1, 1, 3);
    INDArray y = h.layer.forward(x, TRAIN);
    assertThat(y.getRow(0).toDoubleVector())
        .containsExactly(x.getDouble(0, 0), x.getDouble(0, 1), x.getDouble(0, 2), 0, 0, 0, 0);
  }

  /** The formula written out directly, O(n^2 B C) with j over the whole batch. */
  private static double[][] naive(INDArray x, INDArray t, int kernels, int dim, boolean self) {
    int n = (int) x.rows();
    int a = (int) x.columns();
    INDArray m = x.mmul(t);
    double[][] out = new double[n][a + kernels];
    for (int i = 0; i < n; i++) {
      for (int f = 0; f < a; f++) {
        out[i][f] = x.getDouble(i, f);
      }
      for (int b = 0; b < kernels; b++) {
        double o = 0;
        for (int j = 0; j < n; j++) {
          if (j == i && !self) {
            continue;
          }
          double d = 0;
          for (int c = 0; c < dim; c++) {
            d += Math.abs(m.getDouble(i, b * dim + c) - m.getDouble(j, b * dim + c));
          }
          o += Math.exp(-d);
        }
        out[i][a + b] = o;
      }
    }
    return out;
  }

  @ParameterizedTest(name = "A {0} B {1} C {2} batch {3} self {4}")
  @CsvSource({"4, 3, 2, 5, false", "3, 5, 1, 4, true", "6, 2, 4, 3, false"})
  void forwardMatchesTheFormula(int a, int kernels, int dim, int batch, boolean self) {
    SingleLayerHarness h = SingleLayerHarness.of(mbd(a, kernels, dim, self), D, 3);
    h.params.muli(10); // distances of order 1
    INDArray x = gaussian(D, 2, batch, a);
    INDArray y = h.layer.forward(x, TRAIN);
    INDArray expected =
        Nd4j.createFromArray(
            naive(x, ((MinibatchDiscrimination) h.layer).tensor(), kernels, dim, self));
    double bound = Tolerance.reordered(h.terms(x, TRAIN), Tolerance.absMax(expected), D);
    assertThat(Tolerance.ratio(y, expected, bound)).isLessThan(1.0);
  }

  @ParameterizedTest(name = "A {0} B {1} C {2} batch {3} self {4}")
  @CsvSource({"4, 3, 2, 5, false", "3, 5, 1, 4, true", "6, 2, 4, 3, false", "2, 2, 3, 2, true"})
  void gradientsWrtXAndTMatchFiniteDifferences(
      int a, int kernels, int dim, int batch, boolean self) {
    SingleLayerHarness h = SingleLayerHarness.of(mbd(a, kernels, dim, self), D, 5);
    h.params.muli(10);
    INDArray x = gaussian(D, 3, batch, a);
    INDArray r = gaussian(D, 4, batch, a + kernels);
    long n = h.terms(x, TRAIN);
    h.layer.forward(x, TRAIN);
    INDArray dx = h.layer.backward(r, true, true, false).dup();
    INDArray dT = h.grads.dup();
    assertThat(GradCheck.errorRatio(h.params, dT, () -> h.terms(x, r, TRAIN), n))
        .as("dL/dT")
        .isLessThan(1.0);
    assertThat(GradCheck.errorRatio(x, dx, () -> h.terms(x, r, TRAIN), n))
        .as("dL/dx")
        .isLessThan(1.0);
    assertThat(h.paddingUntouched()).isTrue();
  }

  @Test
  void accumulateAndFlags() {
    SingleLayerHarness h = SingleLayerHarness.of(mbd(3, 4, 2), D, 5);
    INDArray x = gaussian(D, 5, 4, 3);
    INDArray r = gaussian(D, 6, 4, 7);
    long n = h.terms(x, TRAIN) + 1; // accumulating adds one more term
    h.layer.forward(x, TRAIN);
    INDArray dx = h.layer.backward(r, true, true, false).dup();
    INDArray once = h.grads.dup();
    assertThat(h.layer.backward(r, true, false, true)).isNull();
    double bound = Tolerance.reordered(n, 2 * Tolerance.absMax(once), D);
    assertThat(Tolerance.ratio(h.grads, once.mul(2), bound)).isLessThan(1.0);
    h.grads.assign(3.0);
    assertThat(h.layer.backward(r, false, true, false)).isEqualTo(dx);
    assertThat(h.grads.minNumber().doubleValue()).isEqualTo(3.0);
    assertThat(h.grads.maxNumber().doubleValue()).isEqualTo(3.0);
    assertThat(h.layer.batchCoupled()).isTrue();
    assertThat(h.layer.piecewiseLinear()).isFalse();
  }

  @Test
  void exactTiesGetZeroSubgradient() {
    // two identical examples: every distance is 0, sign(0) = 0, so T gets no pairwise gradient
    SingleLayerHarness h = SingleLayerHarness.of(mbd(2, 2, 2), D, 1);
    ((MinibatchDiscrimination) h.layer).tensor().assign(Nd4j.createFromArray(TINY_T));
    INDArray x = Nd4j.createFromArray(new double[][] {{1, 2}, {1, 2}});
    INDArray y = h.layer.forward(x, TRAIN);
    assertThat(y.getDouble(0, 2)).isEqualTo(1.0);
    INDArray r = Nd4j.createFromArray(new double[][] {{1, 2, 3, 4}, {5, 6, 7, 8}});
    INDArray dx = h.layer.backward(r, true, true, false);
    assertThat(h.grads.amaxNumber().doubleValue()).isZero();
    assertThat(dx).isEqualTo(Nd4j.createFromArray(new double[][] {{1, 2}, {5, 6}}));
  }

  @Test
  void floatAgreesWithDouble() {
    SingleLayerHarness hd = SingleLayerHarness.of(mbd(8, 6, 3), D, 9);
    SingleLayerHarness hf = SingleLayerHarness.of(mbd(8, 6, 3), DataType.FLOAT, 9);
    INDArray x = gaussian(D, 7, 6, 8);
    INDArray r = gaussian(D, 8, 6, 14);
    long n = hd.terms(x, TRAIN) + r.length(); // the backward adds r's terms to the chain
    INDArray yd = hd.layer.forward(x, TRAIN);
    INDArray yf = hf.layer.forward(x.castTo(DataType.FLOAT), TRAIN);
    assertThat(Tolerance.floatVsDoubleRatio(yf, yd, n, Tolerance.absMax(yd))).isLessThan(1.0);
    INDArray dxd = hd.layer.backward(r, true, true, false);
    INDArray dxf = hf.layer.backward(r.castTo(DataType.FLOAT), true, true, false);
    assertThat(Tolerance.floatVsDoubleRatio(dxf, dxd, n, Tolerance.absMax(dxd))).isLessThan(1.0);
    assertThat(Tolerance.floatVsDoubleRatio(hf.grads, hd.grads, n, Tolerance.absMax(hd.grads)))
        .isLessThan(1.0);
  }

  @Test
  void initIsGaussianWithStd005() {
    SingleLayerHarness h = SingleLayerHarness.of(mbd(50, 40, 5), D, 2);
    assertThat(h.params.stdNumber().doubleValue()).isBetween(0.048, 0.052);
    assertThat(Math.abs(h.params.meanNumber().doubleValue())).isLessThan(0.002);
  }

  @Test
  void rejectsWrongShapes() {
    SingleLayerHarness h = SingleLayerHarness.of(mbd(3, 2, 2), D, 1);
    assertThatThrownBy(() -> h.layer.forward(Nd4j.create(D, 2, 4), TRAIN))
        .isInstanceOf(IllegalArgumentException.class);
    h.layer.forward(Nd4j.create(D, 2, 3), TRAIN);
    assertThatThrownBy(() -> h.layer.backward(Nd4j.create(D, 2, 3), true, true, false))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
