package dev.agon.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;

/** {@code tanh(x)}; derivative {@code 1 - y^2}. Not piecewise linear: no jvp. */
public final class Tanh extends Pointwise {
  public Tanh(long[] shape, DataType dtype) {
    super(shape, dtype);
  }

  @Override
  void apply(INDArray x, INDArray y) {
    Eltwise.tanh(x, y);
  }

  @Override
  void derivative(INDArray y, INDArray d) {
    Nd4j.exec(new MulOp(y, y, d));
    d.rsubi(1.0);
  }

  @Override
  public INDArray jvp(INDArray v) {
    throw new UnsupportedOperationException("Tanh is not piecewise linear: no jvp");
  }

  @Override
  public INDArray jvpBackward(INDArray dT, boolean inputGrad) {
    throw new UnsupportedOperationException("Tanh is not piecewise linear: no jvp");
  }
}
