package dev.agon.nn;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link Eltwise#tanh} on the loaded build: the legacy transform's values on the plain build, bit
 * for bit; on a oneDNN build within float rounding of them; in place too; DOUBLE exact.
 */
class EltwiseTest {
  private static INDArray legacy(INDArray x) {
    INDArray y = Nd4j.create(x.dataType(), x.shape());
    Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh(x, y));
    return y;
  }

  private static INDArray inputs(DataType type) {
    Nd4j.getRandom().setSeed(7);
    // wide range: saturation, the small-|x| region and everything between
    INDArray x = Nd4j.rand(type, 300, 129).subi(0.5).muli(20);
    x.putScalar(0, 0.0);
    x.putScalar(1, 1e-7);
    x.putScalar(2, -1e-30);
    x.putScalar(3, 9.0);
    return x;
  }

  @Test
  void tanhAgreesWithTheLegacyTransform() {
    INDArray x = inputs(DataType.FLOAT);
    INDArray y = Nd4j.create(DataType.FLOAT, x.shape());
    Eltwise.tanh(x, y);
    INDArray want = legacy(x);
    if (ConvKernels.oneDnnLoaded()) {
      double worst = y.sub(want).amaxNumber().doubleValue();
      assertThat(worst).isLessThanOrEqualTo(2.5e-7); // two float ulps at 1
      // relative accuracy where tanh x ~ x: oneDNN must not lose the small values
      assertThat(y.getDouble(1)).isCloseTo(1e-7, org.assertj.core.data.Offset.offset(1e-13));
      assertThat(y.getDouble(0)).isZero();
    } else {
      assertThat(y).isEqualTo(want);
    }
    INDArray inPlace = x.dup();
    Eltwise.tanh(inPlace, inPlace);
    assertThat(inPlace).isEqualTo(y);
  }

  @Test
  void doubleIsTheLegacyTransformOnEveryBuild() {
    INDArray x = inputs(DataType.DOUBLE);
    INDArray y = Nd4j.create(DataType.DOUBLE, x.shape());
    Eltwise.tanh(x, y);
    assertThat(y.sub(legacy(x)).amaxNumber().doubleValue()).isLessThan(1e-15);
  }
}
