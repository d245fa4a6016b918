package dev.agon.nn;

import static dev.agon.nn.SingleLayerHarness.EVAL;
import static dev.agon.nn.SingleLayerHarness.TRAIN;
import static dev.agon.nn.SingleLayerHarness.batchShape;
import static dev.agon.nn.SingleLayerHarness.gaussian;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agon.tensor.Tolerance;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class VirtualBatchNormTest {
  /**
   * The kernel under test: the Java loops here, the ND4J ops in {@link VirtualBatchNormOpsTest}.
   */
  KernelChoice kernel() {
    return KernelChoice.HOST_LOOP;
  }

  VirtualBatchNorm vbn(long... shape) {
    return new VirtualBatchNorm(kernel(), shape);
  }

  private static final DataType D = DataType.DOUBLE;

  static Stream<long[]> shapes() {
    return Stream.of(new long[] {3}, new long[] {2, 3, 2}, new long[] {1, 2, 2}, new long[] {4, 1});
  }

  /** A bound layer with random gamma, beta and a reference batch of {@code refRows} examples. */
  private SingleLayerHarness withReference(long[] shape, int refRows, long key) {
    SingleLayerHarness h = SingleLayerHarness.of(vbn(shape), D, 1);
    h.params.assign(gaussian(D, key, h.params.shape()));
    // reference values with a mean and scale away from (0, 1), so the statistics matter
    INDArray ref = gaussian(D, key + 1, batchShape(refRows, shape)).muli(1.7).addi(0.4);
    ((VirtualBatchNorm) h.layer).setReference(ref);
    h.refBatch = ref;
    return h;
  }

  /**
   * The formula by hand: for each example and feature, the mean and population variance of the
   * reference values of that feature together with the example's own values.
   */
  private static INDArray byHand(INDArray x, INDArray ref, INDArray gammaBeta, long[] shape) {
    int f = (int) shape[0];
    int batch = (int) x.size(0);
    int r = (int) ref.size(0);
    INDArray x3 = x.reshape('c', batch, f, -1);
    INDArray ref3 = ref.reshape('c', r, f, -1);
    int s = (int) x3.size(2);
    INDArray y = Nd4j.create(D, batch, f, s);
    for (int i = 0; i < batch; i++) {
      for (int k = 0; k < f; k++) {
        double[] values = new double[(r + 1) * s];
        int at = 0;
        for (int j = 0; j < r; j++) {
          for (int p = 0; p < s; p++) {
            values[at++] = ref3.getDouble(j, k, p);
          }
        }
        for (int p = 0; p < s; p++) {
          values[at++] = x3.getDouble(i, k, p);
        }
        double mean = 0;
        for (double v : values) {
          mean += v;
        }
        mean /= values.length;
        double var = 0;
        for (double v : values) {
          var += (v - mean) * (v - mean);
        }
        var /= values.length;
        for (int p = 0; p < s; p++) {
          double xh = (x3.getDouble(i, k, p) - mean) / Math.sqrt(var + 1e-5);
          y.putScalar(
              new long[] {i, k, p}, xh * gammaBeta.getDouble(k) + gammaBeta.getDouble(f + k));
        }
      }
    }
    return y.reshape('c', x.shape());
  }

  @ParameterizedTest
  @MethodSource("shapes")
  void outputIsTheFormulaByHand(long[] shape) {
    SingleLayerHarness h = withReference(shape, 5, 10);
    INDArray x = gaussian(D, 20, batchShape(4, shape));
    INDArray y = h.layer.forward(x, TRAIN).dup();
    INDArray expected = byHand(x, h.refBatch, h.params, shape);
    // the same sums in another order (the layer's variance is E[x^2] - mu^2, which the reference's
    // mean 0.4 and scale 1.7 keep from cancelling: E[x^2] / var = 1.06)
    double bound = Tolerance.reordered(h.terms(x, TRAIN), Tolerance.absMax(expected), D);
    assertThat(Tolerance.ratio(y, expected, bound)).isLessThan(1.0);
    assertThat(h.layer.forward(x, EVAL)).as("same in evaluation mode").isEqualTo(y);
  }

  @Test
  void perFeatureCaseIsReferencePlusTheExample() {
    // R = 3 references of one feature: 1, 2, 3; the example x = 6: mu = 3, E[x^2] = 50/4
    SingleLayerHarness h = SingleLayerHarness.of(vbn(1), D, 1);
    VirtualBatchNorm v = (VirtualBatchNorm) h.layer;
    v.setReference(Nd4j.createFromArray(new double[][] {{1}, {2}, {3}}));
    assertThat(h.state.toDoubleVector()).containsExactly(6, 14, 3);
    assertThat(v.referenceCount()).isEqualTo(3);
    double y = v.forward(Nd4j.createFromArray(new double[][] {{6}}), TRAIN).getDouble(0);
    double expected = 3 / Math.sqrt(50.0 / 4 - 9 + 1e-5);
    // about 10 operations each side; var = 12.5 - 9 cancels, magnifying the error of its terms
    // (12.5 + 9) / 3.5 times, and y's by half of that through the square root
    Tolerance.assertClose(y, expected, Tolerance.ops(20, expected * (12.5 + 9) / 3.5));
  }

  @ParameterizedTest
  @MethodSource("shapes")
  void gradientsWrtXGammaAndBetaMatchFiniteDifferences(long[] shape) {
    SingleLayerHarness h = withReference(shape, 3, 30);
    INDArray x = gaussian(D, 40, batchShape(3, shape));
    INDArray r = gaussian(D, 41, batchShape(3, shape));
    long n = h.terms(x, TRAIN);
    h.layer.forward(x, TRAIN);
    INDArray dx = h.layer.backward(r, true, true, false).dup();
    INDArray grads = h.grads.dup();
    assertThat(GradCheck.errorRatio(h.params, grads, () -> h.terms(x, r, TRAIN), n))
        .as("gamma and beta")
        .isLessThan(1.0);
    assertThat(GradCheck.errorRatio(x, dx, () -> h.terms(x, r, TRAIN), n)).as("x").isLessThan(1.0);
    assertThat(h.paddingUntouched()).isTrue();
  }

  @Test
  void accumulateAndFlags() {
    long[] shape = {2, 2, 2};
    SingleLayerHarness h = withReference(shape, 3, 50);
    INDArray x = gaussian(D, 51, batchShape(2, shape));
    INDArray r = gaussian(D, 52, batchShape(2, shape));
    long n = h.terms(x, TRAIN) + 1; // accumulating adds one more term
    h.layer.forward(x, TRAIN);
    INDArray dx = h.layer.backward(r, true, true, false).dup();
    INDArray once = h.grads.dup();
    assertThat(h.layer.backward(r, true, false, true)).isNull();
    double bound = Tolerance.reordered(n, 2 * Tolerance.absMax(once), D);
    assertThat(Tolerance.ratio(h.grads, once.mul(2), bound)).isLessThan(1.0);
    h.grads.assign(4.0);
    assertThat(h.layer.backward(r, false, true, false)).isEqualTo(dx);
    assertThat(h.grads.minNumber().doubleValue()).isEqualTo(4.0);
    assertThat(h.grads.maxNumber().doubleValue()).isEqualTo(4.0);
  }

  @Test
  void eachExampleSeesOnlyItselfAndTheReference() {
    long[] shape = {3, 2, 2};
    SingleLayerHarness h = withReference(shape, 4, 60);
    assertThat(h.layer.batchCoupled()).isFalse();
    INDArray x = gaussian(D, 61, batchShape(5, shape));
    INDArray all = h.layer.forward(x, TRAIN).dup();
    INDArray one = h.layer.forward(x.get(NDArrayIndex.interval(2, 3)).dup(), TRAIN);
    assertThat(one).isEqualTo(all.get(NDArrayIndex.interval(2, 3)));
  }

  @Test
  void stateCarriesTheReferenceAndInitializeClearsIt() {
    long[] shape = {2, 3, 3};
    SingleLayerHarness h = withReference(shape, 4, 70);
    INDArray x = gaussian(D, 71, batchShape(2, shape));
    INDArray y = h.layer.forward(x, TRAIN).dup();
    SingleLayerHarness copy = SingleLayerHarness.of(vbn(shape), D, 1);
    assertThat(((VirtualBatchNorm) copy.layer).hasReference()).isFalse();
    assertThatThrownBy(() -> copy.layer.forward(x, TRAIN))
        .isInstanceOf(IllegalStateException.class);
    copy.params.assign(h.params);
    copy.state.assign(h.state);
    assertThat(copy.layer.forward(x, TRAIN)).isEqualTo(y);
    assertThat(((VirtualBatchNorm) copy.layer).referenceCount()).isEqualTo(4 * 9);
    copy.layer.initialize(3, 0);
    assertThat(copy.state.amaxNumber().doubleValue()).isZero();
    assertThat(copy.params.toDoubleVector()).containsExactly(1, 1, 0, 0);
  }

  @Test
  void recordReferencesPassesTheNormalisedReferenceUp() {
    Maxout m1 = new Maxout(3, 4, 2);
    VirtualBatchNorm v1 = vbn(4);
    Dropout drop = new Dropout(0.5, 0, 4);
    Maxout m2 = new Maxout(4, 3, 2);
    VirtualBatchNorm v2 = vbn(3);
    List<Layer> layers = List.of(m1, v1, drop, m2, v2);
    SingleLayerHarness[] hs = new SingleLayerHarness[layers.size()];
    for (int i = 0; i < hs.length; i++) {
      hs[i] = SingleLayerHarness.of(layers.get(i), D, 100 + i);
      if (hs[i].params != null) {
        hs[i].params.addi(gaussian(D, 200 + i, hs[i].params.shape()).muli(0.3));
      }
    }
    INDArray ref = gaussian(D, 80, 6, 3);
    INDArray top = VirtualBatchNorm.recordReferences(layers, ref, EVAL);

    // by hand: stats of m1(ref); plain batch norm with them; eval dropout; stats of m2(.)
    INDArray a1 = m1.forward(ref, EVAL).dup();
    assertStats(hs[1].state, a1);
    INDArray n1 = plainBatchNorm(a1, hs[1].params);
    INDArray a2 = m2.forward(n1, EVAL).dup();
    assertStats(hs[4].state, a2);
    INDArray expected = plainBatchNorm(a2, hs[4].params);
    // the whole chain: every layer's parameters and the reference batch through each layer
    long n = ref.length() + a1.length() + n1.length() + 2 * a2.length();
    for (SingleLayerHarness s : hs) {
      n += s.params == null ? 0 : s.params.length();
    }
    double bound = Tolerance.reordered(n, Tolerance.absMax(expected), D);
    assertThat(Tolerance.ratio(top, expected, bound)).isLessThan(1.0);
  }

  private static void assertStats(INDArray state, INDArray a) {
    int f = (int) a.columns();
    INDArray expected =
        Nd4j.concat(
            1,
            a.sum(true, 0),
            a.mul(a).sum(true, 0),
            Nd4j.createFromArray(new double[][] {{a.rows()}}));
    // sums over the rows: sum|a| + sum a^2 over all of a bounds each column's sum |terms|
    double scale = Tolerance.absSum(a) + Tolerance.absSum(a.mul(a));
    double bound = Tolerance.reordered(a.rows() + 1, scale, D);
    assertThat(Tolerance.ratio(state, expected, bound)).isLessThan(1.0);
    assertThat(state.length()).isEqualTo(2L * f + 1);
  }

  private static INDArray plainBatchNorm(INDArray a, INDArray gammaBeta) {
    int f = (int) a.columns();
    INDArray mean = a.mean(true, 0);
    INDArray centered = a.subRowVector(mean);
    INDArray var = centered.mul(centered).mean(true, 0);
    INDArray xhat = centered.divRowVector(Nd4j.math().sqrt(var.add(1e-5)));
    return xhat.mulRowVector(gammaBeta.get(NDArrayIndex.point(0), NDArrayIndex.interval(0, f)))
        .addRowVector(gammaBeta.get(NDArrayIndex.point(0), NDArrayIndex.interval(f, 2 * f)));
  }

  @Test
  void floatAgreesWithDouble() {
    long[] shape = {3, 2, 2};
    SingleLayerHarness hd = withReference(shape, 5, 90);
    SingleLayerHarness hf = SingleLayerHarness.of(vbn(shape), DataType.FLOAT, 1);
    hf.params.assign(hd.params);
    ((VirtualBatchNorm) hf.layer).setReference(hd.refBatch);
    INDArray x = gaussian(D, 91, batchShape(4, shape));
    INDArray r = gaussian(D, 92, batchShape(4, shape));
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
  void rejectsWrongShapes() {
    SingleLayerHarness h = withReference(new long[] {2, 2, 2}, 2, 95);
    VirtualBatchNorm v = (VirtualBatchNorm) h.layer;
    assertThatThrownBy(() -> v.forward(Nd4j.create(D, 2, 2, 2), TRAIN))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> v.setReference(Nd4j.create(D, 2, 3, 2, 2)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> vbn()).isInstanceOf(IllegalArgumentException.class);
  }
}
