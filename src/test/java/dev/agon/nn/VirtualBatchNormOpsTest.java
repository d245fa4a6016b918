package dev.agon.nn;

import static dev.agon.nn.SingleLayerHarness.TRAIN;
import static dev.agon.nn.SingleLayerHarness.batchShape;
import static dev.agon.nn.SingleLayerHarness.gaussian;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.tensor.DenseAccess;
import dev.agon.tensor.DenseAccess.HostCopies;
import dev.agon.tensor.Tolerance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Every {@link VirtualBatchNormTest} case (the formula by hand, FD in DOUBLE, the reference
 * protocol) on the ND4J kernel, plus agreement with the Java loops to rounding and zero host copies
 * in setting a reference, normalising it and a forward and backward pass.
 */
class VirtualBatchNormOpsTest extends VirtualBatchNormTest {
  @Override
  KernelChoice kernel() {
    return KernelChoice.ND4J_OPS;
  }

  @ParameterizedTest(name = "{0}, channels {1}")
  @CsvSource({"FLOAT, false", "DOUBLE, false", "FLOAT, true", "DOUBLE, true"})
  void agreesWithTheJavaLoopsWithoutHostCopies(DataType t, boolean channels) {
    long[] shape = channels ? new long[] {3, 2, 2} : new long[] {5};
    SingleLayerHarness ops =
        SingleLayerHarness.of(new VirtualBatchNorm(KernelChoice.ND4J_OPS, shape), t, 3);
    SingleLayerHarness host =
        SingleLayerHarness.of(new VirtualBatchNorm(KernelChoice.HOST_LOOP, shape), t, 3);
    INDArray gb = gaussian(t, 9, ops.params.shape());
    ops.params.assign(gb);
    host.params.assign(gb);
    INDArray ref = gaussian(t, 1, batchShape(6, shape)).muli(1.7).addi(0.4);
    INDArray x = gaussian(t, 2, batchShape(4, shape));
    INDArray r = gaussian(t, 3, batchShape(4, shape));
    INDArray[] h = run(host, ref, x, r);
    run(ops, ref, x, r); // first call of a batch size allocates
    HostCopies before = DenseAccess.copies();
    INDArray[] o = run(ops, ref, x, r);
    assertThat(DenseAccess.copies().since(before)).isEqualTo(new HostCopies(0, 0));
    long n = 4 * (6 * 4 + 16); // the reference's sums, the example's, and the backward's
    for (int i = 0; i < h.length; i++) {
      double bound = Tolerance.reordered(n, 1 + Tolerance.absMax(h[i]), t) * 16;
      assertThat(Tolerance.ratio(o[i], h[i], bound)).as("result %d", i).isLessThan(1.0);
    }
  }

  private static INDArray[] run(SingleLayerHarness s, INDArray ref, INDArray x, INDArray r) {
    VirtualBatchNorm v = (VirtualBatchNorm) s.layer;
    INDArray normalisedRef = v.reference(ref).dup();
    s.grads.assign(0);
    INDArray y = v.forward(x, TRAIN).dup();
    INDArray dx = v.backward(r, true, true, false).dup();
    return new INDArray[] {normalisedRef, y, dx, s.grads.dup()};
  }
}
