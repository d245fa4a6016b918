package dev.agon.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A fixed element-wise affine map {@code y = scale * x + shift}, no parameters; derivative {@code
 * scale}. It moves values between two ranges, e.g. {@code 2y - 1} from a sigmoid's [0, 1] to Agon's
 * [-1, 1] pixels and {@code (x + 1) / 2} back. Linear, so its jvp is exact. One native scalar op
 * per pass.
 */
public final class Affine extends Pointwise {
  private final double scale;
  private final double shift;

  public Affine(long[] shape, double scale, double shift, DataType dtype) {
    super(shape, dtype);
    if (!Double.isFinite(scale) || scale == 0.0 || !Double.isFinite(shift)) {
      throw new IllegalArgumentException(
          "scale must be finite and non-zero, shift finite: " + scale + ", " + shift);
    }
    this.scale = scale;
    this.shift = shift;
  }

  public double scale() {
    return scale;
  }

  public double shift() {
    return shift;
  }

  @Override
  void apply(INDArray x, INDArray y) {
    Nd4j.exec(new ScalarMultiplication(x, null, y, scale));
    y.addi(shift);
  }

  @Override
  void derivative(INDArray y, INDArray d) {
    d.assign(scale);
  }

  @Override
  public boolean piecewiseLinear() {
    return true;
  }
}
