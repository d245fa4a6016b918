package dev.agon.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@code 1 / (1 + exp(-x))}; derivative {@code y (1 - y)}. Not piecewise linear: no jvp. */
public final class Sigmoid extends Pointwise {
  public Sigmoid(long[] shape, DataType dtype) {
    super(shape, dtype);
  }

  @Override
  void apply(INDArray x, INDArray y) {
    Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid(x, y));
  }

  @Override
  void derivative(INDArray y, INDArray d) {
    y.rsub(1.0, d);
    d.muli(y);
  }

  @Override
  public INDArray jvp(INDArray v) {
    throw new UnsupportedOperationException("Sigmoid is not piecewise linear: no jvp");
  }

  @Override
  public INDArray jvpBackward(INDArray dT, boolean inputGrad) {
    throw new UnsupportedOperationException("Sigmoid is not piecewise linear: no jvp");
  }
}
