package dev.agon.objective;

import dev.agon.tensor.DenseAccess;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMax;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.ops.impl.transforms.same.Abs;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Log1p;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The objectives' ND4J-op kernels ({@link dev.agon.nn.KernelChoice#ND4J_OPS}): element-wise terms
 * computed by the backend in the arrays' dtype, so no array leaves it; the loss and metric scalars
 * are reductions read through {@link DenseAccess#scalar} (counted apart from host copies). Each
 * call allocates a few temporaries of the batch's length (a few hundred values).
 */
final class DeviceOps {
  private DeviceOps() {}

  /**
   * {@code sum softplus(sign x)} as {@code max(y,0) + log1p(exp(-|y|))}, y = sign x: no overflow.
   */
  static double sumSoftplus(INDArray x, double sign) {
    INDArray y = x.mul(sign);
    INDArray t = Nd4j.exec(new Abs(y, y.ulike()));
    t.negi();
    Nd4j.exec(new Exp(t, t));
    Nd4j.exec(new Log1p(t, t));
    Nd4j.exec(new ScalarMax(y, 0.0));
    return DenseAccess.scalar(y.addi(t).sum());
  }

  /** {@code sigmoid(sign x)} into a new array (ND4J's op saturates to 0 or 1, never NaN). */
  static INDArray sigmoid(INDArray x, double sign) {
    INDArray y = x.mul(sign);
    return Nd4j.exec(new Sigmoid(y, y));
  }

  /** How many {@code sign x > 0}. */
  static int countPositive(INDArray x, double sign) {
    INDArray y = x.mul(sign);
    Nd4j.exec(new Step(y, y, 0.0));
    return (int) Math.round(DenseAccess.scalar(y.sum()));
  }

  static double sum(INDArray x) {
    return DenseAccess.scalar(x.sum());
  }
}
