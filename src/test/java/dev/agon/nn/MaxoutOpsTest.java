package dev.agon.nn;

import static dev.agon.nn.SingleLayerHarness.EVAL;
import static dev.agon.nn.SingleLayerHarness.gaussian;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.tensor.DenseAccess;
import dev.agon.tensor.DenseAccess.HostCopies;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Every {@link MaxoutTest} (finite differences in DOUBLE, ties, jvp) on the ND4J-op kernel, which
 * must also give the Java loops' values bit for bit (no arithmetic differs: the same GEMMs, a max,
 * and a routing that picks the same piece) and copy nothing to the host.
 */
class MaxoutOpsTest extends MaxoutTest {
  @Override
  KernelChoice kernel() {
    return KernelChoice.ND4J_OPS;
  }

  @ParameterizedTest
  @EnumSource(
      value = DataType.class,
      names = {"FLOAT", "DOUBLE"})
  void equalsTheJavaLoopsBitForBitWithoutHostCopies(DataType t) {
    SingleLayerHarness ops =
        SingleLayerHarness.of(new Maxout(6, 5, 3, KernelChoice.ND4J_OPS), t, 3);
    SingleLayerHarness host =
        SingleLayerHarness.of(new Maxout(6, 5, 3, KernelChoice.HOST_LOOP), t, 3);
    INDArray x = gaussian(t, 1, 7, 6);
    INDArray r = gaussian(t, 2, 7, 5);
    INDArray v = gaussian(t, 3, 7, 6);
    INDArray[] h = run(host, x, r, v);
    ops.layer.forward(x, EVAL); // first call of a batch size allocates
    HostCopies before = DenseAccess.copies();
    INDArray[] o = run(ops, x, r, v);
    assertThat(DenseAccess.copies().since(before)).isEqualTo(new HostCopies(0, 0));
    for (int i = 0; i < h.length; i++) {
      assertThat(o[i]).as("result %d", i).isEqualTo(h[i]);
    }
  }

  /** Forward, backward (both gradients), jvp and jvpBackward: their results, copied. */
  private static INDArray[] run(SingleLayerHarness s, INDArray x, INDArray r, INDArray v) {
    s.grads.assign(0);
    INDArray y = s.layer.forward(x, EVAL).dup();
    INDArray dx = s.layer.backward(r, true, true, false).dup();
    INDArray t = s.layer.jvp(v).dup();
    INDArray dv = s.layer.jvpBackward(r, true).dup();
    return new INDArray[] {y, dx, t, dv, s.grads.dup()};
  }
}
