package dev.agon.objective;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.nn.KernelChoice;
import dev.agon.tensor.DenseAccess;
import dev.agon.tensor.DenseAccess.HostCopies;
import dev.agon.tensor.Noise;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every {@link HistoricalAverageTest} case (pinned values, brute-force mean, FD in DOUBLE, state
 * round trip) on the ND4J kernel, plus: the loop's gradient and mean bit for bit, its penalty to
 * rounding, and zero host copies.
 */
class HistoricalAverageOpsTest extends HistoricalAverageTest {
  @Override
  KernelChoice kernel() {
    return KernelChoice.ND4J_OPS;
  }

  @ParameterizedTest
  @EnumSource(
      value = DataType.class,
      names = {"FLOAT", "DOUBLE"})
  void matchesTheLoopWithoutHostCopies(DataType t) {
    int n = 1000;
    HistoricalAverage ops = new HistoricalAverage(n, 0.3, 0, KernelChoice.ND4J_OPS);
    HistoricalAverage loop = new HistoricalAverage(n, 0.3, 0, KernelChoice.HOST_LOOP);
    INDArray gOps = Nd4j.create(t, 1, n);
    INDArray gLoop = Nd4j.create(t, 1, n);
    for (int v = 0; v < 4; v++) {
      INDArray theta = Nd4j.create(t, 1, n);
      Noise.gaussian(theta, 4, 4, v);
      HostCopies before = DenseAccess.copies();
      double p = ops.apply(theta, gOps);
      assertThat(DenseAccess.copies().since(before)).isEqualTo(new HostCopies(0, 0));
      double q = loop.apply(theta, gLoop);
      assertThat(p).isCloseTo(q, org.assertj.core.api.Assertions.within(1e-12 * (1 + q)));
      assertThat(gOps).isEqualTo(gLoop);
    }
  }
}
