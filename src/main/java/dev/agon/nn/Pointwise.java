package dev.agon.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An element-wise activation of any shape, computed with native ND4J ops into preallocated buffers;
 * the derivative is taken from the saved output (see {@link Activation}) once per forward pass and
 * shared by backward, jvp and jvpBackward.
 */
abstract class Pointwise implements Layer {
  final long[] shape;
  final DataType dtype;
  private final PerBatch<Buffers> buffers;
  private Buffers last;

  private final class Buffers {
    final int batch;
    final INDArray y;
    INDArray deriv;
    boolean derivValid;
    INDArray dx;
    INDArray t;
    INDArray dv;

    Buffers(int batch) {
      this.batch = batch;
      y = create();
    }

    INDArray create() {
      return Nd4j.create(dtype, Shapes.batched(batch, shape));
    }

    INDArray deriv() {
      if (deriv == null) {
        deriv = create();
      }
      if (!derivValid) {
        derivative(y, deriv);
        derivValid = true;
      }
      return deriv;
    }
  }

  Pointwise(long[] shape, DataType dtype) {
    Shapes.checkDtype(dtype);
    this.shape = shape.clone();
    this.dtype = dtype;
    this.buffers = new PerBatch<>(Buffers::new);
  }

  /** {@code y = f(x)}. */
  abstract void apply(INDArray x, INDArray y);

  /** {@code d = f'(x)} written from the output {@code y = f(x)}. */
  abstract void derivative(INDArray y, INDArray d);

  @Override
  public long[] inputShape() {
    return shape.clone();
  }

  @Override
  public long[] outputShape() {
    return shape.clone();
  }

  @Override
  public INDArray forward(INDArray x, Context ctx) {
    int batch = Shapes.check("input", x, shape, dtype, 0);
    Buffers buf = buffers.get(batch);
    apply(x, buf.y);
    buf.derivValid = false;
    last = buf;
    return buf.y;
  }

  private Buffers last(String what) {
    if (last == null) {
      throw new IllegalStateException(what + " without forward");
    }
    return last;
  }

  @Override
  public INDArray backward(
      INDArray dOut, boolean paramGrads, boolean inputGrad, boolean accumulate) {
    Buffers buf = last("backward");
    Shapes.check("dOut", dOut, shape, dtype, buf.batch);
    if (!inputGrad) {
      return null;
    }
    if (buf.dx == null) {
      buf.dx = buf.create();
    }
    Nd4j.exec(new MulOp(dOut, buf.deriv(), buf.dx));
    return buf.dx;
  }

  /** {@code v f'(x)} with the masks of the last forward (exact for piecewise-linear f). */
  @Override
  public INDArray jvp(INDArray v) {
    Buffers buf = last("jvp");
    Shapes.check("tangent", v, shape, dtype, buf.batch);
    if (buf.t == null) {
      buf.t = buf.create();
    }
    Nd4j.exec(new MulOp(v, buf.deriv(), buf.t));
    return buf.t;
  }

  @Override
  public INDArray jvpBackward(INDArray dT, boolean inputGrad) {
    Buffers buf = last("jvpBackward");
    Shapes.check("dT", dT, shape, dtype, buf.batch);
    if (!inputGrad) {
      return null;
    }
    if (buf.dv == null) {
      buf.dv = buf.create();
    }
    Nd4j.exec(new MulOp(dT, buf.deriv(), buf.dv));
    return buf.dv;
  }
}
