package dev.agon.nn;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Batch norm's ND4J kernel has the host loop's semantics (biased batch variance, unbiased running
 * variance, momentum, eps, eval mode, accumulation): outputs, running statistics and gradients
 * agree to rounding in the element type, through two training steps and an eval step.
 */
class BatchNormKernelsTest {

  private static SingleLayerHarness harness(long[] shape, DataType t, KernelChoice kernel) {
    return SingleLayerHarness.of(new BatchNorm(shape, 0.3, 1e-3, Init.DCGAN, t, kernel), t, 5);
  }

  /** Largest |a - b| over max(1, largest |b|). */
  private static double diff(INDArray a, INDArray b) {
    return a.sub(b).amaxNumber().doubleValue() / Math.max(1.0, b.amaxNumber().doubleValue());
  }

  @ParameterizedTest
  @CsvSource({"DOUBLE, 3, 1e-12", "DOUBLE, 1, 1e-12", "FLOAT, 3, 2e-5", "FLOAT, 1, 2e-5"})
  void ndOpsAgreeWithTheHostLoop(DataType t, int rank, double tol) {
    long[] shape = rank == 3 ? new long[] {3, 4, 5} : new long[] {7};
    SingleLayerHarness host = harness(shape, t, KernelChoice.HOST_LOOP);
    SingleLayerHarness nd = harness(shape, t, KernelChoice.ND4J_OPS);
    assertThat(nd.params).isEqualTo(host.params);
    int batch = 6;
    for (int step = 0; step < 3; step++) {
      boolean training = step < 2;
      Layer.Context ctx = training ? SingleLayerHarness.TRAIN : SingleLayerHarness.EVAL;
      long[] s = SingleLayerHarness.batchShape(batch, shape);
      // an offset mean, so that centring matters
      INDArray x = SingleLayerHarness.gaussian(t, 10 + step, s).muli(2.0).addi(3.0);
      INDArray dy = SingleLayerHarness.gaussian(t, 20 + step, s);
      INDArray yHost = host.layer.forward(x, ctx).dup();
      INDArray yNd = nd.layer.forward(x, ctx).dup();
      assertThat(diff(yNd, yHost)).as("y, step %d", step).isLessThan(tol);
      assertThat(diff(nd.state, host.state)).as("state, step %d", step).isLessThan(tol);
      boolean accumulate = step == 1;
      INDArray dxHost = host.layer.backward(dy, true, true, accumulate).dup();
      INDArray dxNd = nd.layer.backward(dy, true, true, accumulate).dup();
      assertThat(diff(dxNd, dxHost)).as("dx, step %d", step).isLessThan(tol);
      assertThat(diff(nd.grads, host.grads)).as("grads, step %d", step).isLessThan(tol);
    }
    assertThat(nd.paddingUntouched()).isTrue();
  }

  /** A second backward for the same forward (e.g. input gradient only) gives the same dx. */
  @ParameterizedTest
  @CsvSource({"HOST_LOOP, true", "ND4J_OPS, true", "HOST_LOOP, false", "ND4J_OPS, false"})
  void backwardTwiceAfterOneForwardGivesTheSameGradient(KernelChoice kernel, boolean train) {
    long[] shape = {3, 4, 5};
    SingleLayerHarness h = harness(shape, DataType.DOUBLE, kernel);
    long[] s = SingleLayerHarness.batchShape(6, shape);
    Layer.Context ctx = train ? SingleLayerHarness.TRAIN : SingleLayerHarness.EVAL;
    h.layer.forward(SingleLayerHarness.gaussian(DataType.DOUBLE, 1, s), ctx);
    INDArray dy = SingleLayerHarness.gaussian(DataType.DOUBLE, 2, s);
    INDArray first = h.layer.backward(dy, true, true, false).dup();
    INDArray second = h.layer.backward(dy, false, true, false);
    assertThat(second).isEqualTo(first);
  }
}
