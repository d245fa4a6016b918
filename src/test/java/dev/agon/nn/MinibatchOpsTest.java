package dev.agon.nn;

import static dev.agon.nn.SingleLayerHarness.TRAIN;
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
 * Every {@link MinibatchDiscriminationTest} case (the paper's formula, FD in DOUBLE, ties) on the
 * ND4J kernel, plus agreement with the Java loops to rounding (the pairwise sums run over both
 * orders, in the dtype) and zero host copies.
 */
class MinibatchOpsTest extends MinibatchDiscriminationTest {
  @Override
  KernelChoice kernel() {
    return KernelChoice.ND4J_OPS;
  }

  @ParameterizedTest(name = "{0}, includeSelf {1}")
  @CsvSource({"FLOAT, false", "DOUBLE, false", "DOUBLE, true"})
  void agreesWithTheJavaLoopsWithoutHostCopies(DataType t, boolean self) {
    SingleLayerHarness ops =
        SingleLayerHarness.of(
            new MinibatchDiscrimination(6, 4, 3, self, KernelChoice.ND4J_OPS), t, 3);
    SingleLayerHarness host =
        SingleLayerHarness.of(
            new MinibatchDiscrimination(6, 4, 3, self, KernelChoice.HOST_LOOP), t, 3);
    INDArray x = gaussian(t, 1, 7, 6).muli(0.3);
    INDArray r = gaussian(t, 2, 7, 10);
    INDArray[] h = run(host, x, r);
    ops.layer.forward(x, TRAIN); // first call of a batch size allocates
    HostCopies before = DenseAccess.copies();
    INDArray[] o = run(ops, x, r);
    assertThat(DenseAccess.copies().since(before)).isEqualTo(new HostCopies(0, 0));
    long n = 2 * (7 * 4 * 3 + 6 * 12); // pairs x kernel terms, then the GEMMs' fan-in
    for (int i = 0; i < h.length; i++) {
      double bound = Tolerance.reordered(n, 1 + Tolerance.absMax(h[i]), t) * 8;
      assertThat(Tolerance.ratio(o[i], h[i], bound)).as("result %d", i).isLessThan(1.0);
    }
  }

  private static INDArray[] run(SingleLayerHarness s, INDArray x, INDArray r) {
    s.grads.assign(0);
    INDArray y = s.layer.forward(x, TRAIN).dup();
    INDArray dx = s.layer.backward(r, true, true, false).dup();
    return new INDArray[] {y, dx, s.grads.dup()};
  }
}
