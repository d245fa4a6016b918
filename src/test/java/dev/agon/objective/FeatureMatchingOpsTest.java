package dev.agon.objective;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.nn.KernelChoice;
import dev.agon.tensor.DenseAccess;
import dev.agon.tensor.DenseAccess.HostCopies;
import dev.agon.tensor.Noise;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every {@link FeatureMatchingTest} case (by hand, FD in DOUBLE, FLOAT views against DOUBLE) on the
 * ND4J kernel, plus zero host copies (the loss is one scalar read, counted apart).
 */
class FeatureMatchingOpsTest extends FeatureMatchingTest {
  @Override
  KernelChoice kernel() {
    return KernelChoice.ND4J_OPS;
  }

  @Test
  void copiesNothingToTheHost() {
    INDArray real = Nd4j.create(DataType.FLOAT, 5, 2, 3, 3);
    INDArray fake = Nd4j.create(DataType.FLOAT, 4, 2, 3, 3);
    Noise.gaussian(real, 1, 2, 3);
    Noise.gaussian(fake, 1, 2, 4);
    INDArray grad = Nd4j.create(DataType.FLOAT, 4, 2, 3, 3);
    HostCopies before = DenseAccess.copies();
    long scalars = DenseAccess.scalarReads();
    double loss = fm().generator(real, fake, grad);
    assertThat(DenseAccess.copies().since(before)).isEqualTo(new HostCopies(0, 0));
    assertThat(DenseAccess.scalarReads() - scalars).isEqualTo(1);
    INDArray host = Nd4j.create(DataType.FLOAT, 4, 2, 3, 3);
    double hostLoss = new FeatureMatching(1, KernelChoice.HOST_LOOP).generator(real, fake, host);
    assertThat(loss).isCloseTo(hostLoss, org.assertj.core.api.Assertions.within(1e-5 * hostLoss));
    assertThat(grad.sub(host).amaxNumber().doubleValue()).isLessThan(1e-6);
  }
}
