package dev.agon.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.factory.Nd4j;

/** {@code max(x, 0)}; derivative 1 for {@code x > 0}, else 0 (PyTorch's 0 at 0). */
public final class ReLU extends Pointwise {
  public ReLU(long[] shape, DataType dtype) {
    super(shape, dtype);
  }

  @Override
  void apply(INDArray x, INDArray y) {
    Nd4j.exec(new RectifiedLinear(x, y, 0.0));
  }

  @Override
  void derivative(INDArray y, INDArray d) {
    Nd4j.exec(new Step(y, d, 0.0));
  }

  @Override
  public boolean piecewiseLinear() {
    return true;
  }
}
