package dev.agon.nn;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Reshape of each sample in c-order ({@code view} in PyTorch); {@link #flatten} gives {@code
 * nn.Flatten}. Outputs are views of the input when it is contiguous.
 */
public final class Reshape implements Layer {
  private final long[] in;
  private final long[] out;
  private final DataType dtype;
  private int batch;

  public Reshape(long[] in, long[] out, DataType dtype) {
    Shapes.checkDtype(dtype);
    if (Shapes.product(in) != Shapes.product(out)) {
      throw new IllegalArgumentException(
          "cannot reshape " + Arrays.toString(in) + " to " + Arrays.toString(out));
    }
    this.in = in.clone();
    this.out = out.clone();
    this.dtype = dtype;
  }

  /** {@code [d1, d2, ...] -> [d1 d2 ...]}. */
  public static Reshape flatten(long[] in, DataType dtype) {
    return new Reshape(in, new long[] {Shapes.product(in)}, dtype);
  }

  @Override
  public long[] inputShape() {
    return in.clone();
  }

  @Override
  public long[] outputShape() {
    return out.clone();
  }

  @Override
  public INDArray forward(INDArray x, Context ctx) {
    batch = Shapes.check("input", x, in, dtype, 0);
    return x.reshape('c', Shapes.batched(batch, out));
  }

  @Override
  public INDArray backward(
      INDArray dOut, boolean paramGrads, boolean inputGrad, boolean accumulate) {
    if (batch == 0) {
      throw new IllegalStateException("backward without forward");
    }
    Shapes.check("dOut", dOut, out, dtype, batch);
    return inputGrad ? dOut.reshape('c', Shapes.batched(batch, in)) : null;
  }

  @Override
  public boolean piecewiseLinear() {
    return true;
  }

  @Override
  public INDArray jvp(INDArray v) {
    int b = Shapes.check("tangent", v, in, dtype, 0);
    return v.reshape('c', Shapes.batched(b, out));
  }

  @Override
  public INDArray jvpBackward(INDArray dT, boolean inputGrad) {
    int b = Shapes.check("dT", dT, out, dtype, 0);
    return inputGrad ? dT.reshape('c', Shapes.batched(b, in)) : null;
  }
}
