package dev.agon.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.tensor.DenseAccess;
import dev.agon.tensor.DenseAccess.HostCopies;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every {@link DropoutTest} case (rate and scale, masks a pure function of seed, stream, index and
 * position for both dtypes, FD in DOUBLE with the mask fixed, jvp) on the ND4J kernel, whose masks
 * come from ND4J's generator, plus: no host copies, and a mask that differs from the Java one.
 */
class DropoutOpsTest extends DropoutTest {
  @Override
  KernelChoice kernel() {
    return KernelChoice.ND4J_OPS;
  }

  @Test
  void stepsCopyNothingToTheHostAndDrawTheirOwnMasks() {
    Dropout d = dropout(0.5, 3, 4, 5);
    INDArray x = Nd4j.ones(DataType.FLOAT, 6, 4, 5);
    Layer.Context ctx = new Layer.Context(true, 42, 9);
    d.forward(x, new Layer.Context(true, 42, 8)); // first call of a batch size allocates
    HostCopies before = DenseAccess.copies();
    INDArray y = d.forward(x, ctx);
    d.backward(x, false, true, false);
    d.jvp(x);
    d.jvpBackward(x, true);
    assertThat(DenseAccess.copies().since(before)).isEqualTo(new HostCopies(0, 0));
    INDArray javaMask =
        new Dropout(0.5, 3, KernelChoice.HOST_LOOP, 4, 5).forward(x, ctx).castTo(DataType.FLOAT);
    assertThat(y).isNotEqualTo(javaMask);
  }
}
