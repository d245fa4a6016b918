package dev.agon.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.tensor.DenseAccess;
import dev.agon.tensor.DenseAccess.HostCopies;
import dev.agon.tensor.Noise;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Issue 15 item 3: D and G steps (forward, backward, optimizer step) of the architectures whose
 * layers all run as ND4J ops touch no host memory, counted by {@link DenseAccess#copies()}. Inputs,
 * noise and the loss gradient are made before counting: the objectives are not part of this check.
 * Adam runs its ND4J kernel, the default off the CPU backend; on CPU its default is a host loop, 3x
 * faster there and counted as host copies.
 */
class HostCopiesTest {
  private static final DataType F = DataType.FLOAT;

  private static INDArray gaussian(long index, long... shape) {
    INDArray a = Nd4j.create(F, shape);
    Noise.gaussian(a, 99, 5, index);
    return a;
  }

  /**
   * Two D steps (real and fake batch, accumulated, Adam) and two G steps (through D, Adam) of
   * {@code g} and {@code d}; returns the host copies counted inside them. The first pair warms the
   * per-batch buffers, which is allowed to allocate but not to copy either.
   */
  private static HostCopies steps(Network g, Network d, int batch) {
    Adam optD = new Adam(d.numParams(), F, 2e-4, 0.5, 0.999, 1e-8, KernelChoice.ND4J_OPS);
    Adam optG = new Adam(g.numParams(), F, 2e-4, 0.5, 0.999, 1e-8, KernelChoice.ND4J_OPS);
    long[] zShape = Shapes.batched(batch, g.inputShape());
    INDArray z = gaussian(1, zShape);
    INDArray real = gaussian(2, Shapes.batched(batch, d.inputShape()));
    INDArray dOut = gaussian(3, Shapes.batched(batch, d.outputShape()));
    HostCopies before = DenseAccess.copies();
    for (int i = 0; i < 2; i++) {
      d.forward(real);
      d.backward(dOut, true, false, false);
      INDArray fake = g.forward(z);
      d.forward(fake);
      d.backward(dOut, true, false, true);
      optD.step(d.params(), d.grads());

      fake = g.forward(z);
      d.forward(fake);
      INDArray dFake = d.backward(dOut, false, true, false);
      g.backward(dFake, true, false, false);
      optG.step(g.params(), g.grads());
    }
    return DenseAccess.copies().since(before);
  }

  @Test
  void mlpStepsCopyNothingToTheHost() {
    Mlp g =
        Mlp.create(
            new MlpSpec(8, List.of(32, 64), 16, Activation.LEAKY_RELU, Activation.TANH, 0.2), 1, F);
    Mlp d =
        Mlp.create(
            new MlpSpec(16, List.of(32), 1, Activation.LEAKY_RELU, Activation.SIGMOID, 0.2), 2, F);
    assertThat(steps(g, d, 6)).isEqualTo(new HostCopies(0, 0));
  }

  @Test
  void batchNormNetworkStepsCopyNothingToTheHost() {
    Sequential g =
        Sequential.builder(8)
            .linear(32)
            .add(LayerGradientTest.nativeBatchNorm(Init.PYTORCH))
            .relu()
            .linear(4 * 3 * 3)
            .reshape(4, 3, 3)
            .add(LayerGradientTest.nativeBatchNorm(Init.DCGAN))
            .leakyRelu(0.2)
            .flatten()
            .linear(16)
            .tanh()
            .build(F, 1);
    Sequential d = Sequential.builder(16).linear(32).leakyRelu(0.2).linear(1).build(F, 2);
    assertThat(steps(g, d, 6)).isEqualTo(new HostCopies(0, 0));
    g.training(false);
    INDArray z = gaussian(4, 6, 8);
    g.forward(z);
    HostCopies before = DenseAccess.copies();
    g.forward(z);
    assertThat(DenseAccess.copies().since(before)).isEqualTo(new HostCopies(0, 0));
  }

  /** The counter is live: dropout's Java kernel draws its mask on the host. */
  @Test
  void aLayerThatStillCopiesIsCounted() {
    Sequential d =
        Sequential.builder(16)
            .linear(32)
            .add((shape, dtype) -> new Dropout(0.5, 0, KernelChoice.HOST_LOOP, shape))
            .leakyRelu(0.2)
            .linear(1)
            .build(F, 2);
    Mlp g =
        Mlp.create(
            new MlpSpec(8, List.of(32), 16, Activation.LEAKY_RELU, Activation.TANH, 0.2), 1, F);
    HostCopies counted = steps(g, d, 6);
    assertThat(counted.calls()).isPositive();
    assertThat(counted.bytes()).isGreaterThanOrEqualTo(counted.calls() * 4);
  }
}
