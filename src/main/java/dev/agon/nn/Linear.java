package dev.agon.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fully connected layer {@code [B, in] -> [B, out]}, {@code y = x W + b}. Parameters: {@code W}
 * ({@code in x out}, row-major, the transpose of PyTorch's {@code nn.Linear.weight}; the layout of
 * {@link Mlp}), then {@code b} ({@code out}) when the layer has a bias.
 */
public final class Linear implements Layer {
  private final int in;
  private final int out;
  private final boolean hasBias;
  private final Init init;
  private final DataType dtype;
  private final PerBatch<Buffers> buffers;

  private INDArray weight;
  private INDArray bias;
  private INDArray weightGrad;
  private INDArray biasGrad;

  private Buffers last;
  private INDArray lastInput;
  private Buffers lastJvp;
  private INDArray lastTangent;

  private final class Buffers {
    final int batch;
    final INDArray y;
    final INDArray ones;
    INDArray dx;
    INDArray t;
    INDArray dv;

    Buffers(int batch) {
      this.batch = batch;
      y = Nd4j.create(dtype, batch, out);
      ones = Nd4j.ones(dtype, 1, batch);
    }
  }

  public Linear(int in, int out, boolean bias, Init init, DataType dtype) {
    Shapes.checkDtype(dtype);
    if (in <= 0 || out <= 0) {
      throw new IllegalArgumentException("dimensions must be positive: " + in + ", " + out);
    }
    this.in = in;
    this.out = out;
    this.hasBias = bias;
    this.init = init;
    this.dtype = dtype;
    this.buffers = new PerBatch<>(Buffers::new);
  }

  @Override
  public long[] inputShape() {
    return new long[] {in};
  }

  @Override
  public long[] outputShape() {
    return new long[] {out};
  }

  @Override
  public long numParams() {
    return (long) in * out + (hasBias ? out : 0);
  }

  @Override
  public void bind(INDArray params, INDArray grads, INDArray state) {
    Vectors.checkPair(params, grads, numParams(), dtype);
    weight = Shapes.view(params, 0, in, out);
    weightGrad = Shapes.view(grads, 0, in, out);
    if (hasBias) {
      bias = Shapes.view(params, (long) in * out, 1, out);
      biasGrad = Shapes.view(grads, (long) in * out, 1, out);
    }
  }

  /** The weight view {@code [in, out]}. */
  public INDArray weight() {
    return weight;
  }

  /** The bias view {@code [1, out]}, or null without bias. */
  public INDArray bias() {
    return bias;
  }

  @Override
  public void initialize(long seed, long stream) {
    init.weightAndBias(weight, bias, in, seed, stream);
  }

  @Override
  public INDArray forward(INDArray x, Context ctx) {
    int batch = Shapes.check("input", x, inputShape(), dtype, 0);
    Buffers buf = buffers.get(batch);
    Gemm.gemm(x, weight, buf.y, false, false, 1.0, 0.0);
    if (hasBias) {
      buf.y.addiRowVector(bias);
    }
    last = buf;
    lastInput = x;
    return buf.y;
  }

  @Override
  public INDArray backward(
      INDArray dOut, boolean paramGrads, boolean inputGrad, boolean accumulate) {
    Buffers buf = last;
    if (buf == null) {
      throw new IllegalStateException("backward without forward");
    }
    Shapes.check("dOut", dOut, outputShape(), dtype, buf.batch);
    if (paramGrads) {
      double beta = accumulate ? 1.0 : 0.0;
      Gemm.gemm(lastInput, dOut, weightGrad, true, false, 1.0, beta);
      if (hasBias) {
        Gemm.gemm(buf.ones, dOut, biasGrad, false, false, 1.0, beta);
      }
    }
    if (!inputGrad) {
      return null;
    }
    if (buf.dx == null) {
      buf.dx = Nd4j.create(dtype, buf.batch, in);
    }
    Gemm.gemm(dOut, weight, buf.dx, false, true, 1.0, 0.0);
    return buf.dx;
  }

  @Override
  public boolean piecewiseLinear() {
    return true;
  }

  /** {@code v W} (no bias). */
  @Override
  public INDArray jvp(INDArray v) {
    int batch = Shapes.check("tangent", v, inputShape(), dtype, 0);
    Buffers buf = buffers.get(batch);
    if (buf.t == null) {
      buf.t = Nd4j.create(dtype, batch, out);
    }
    Gemm.gemm(v, weight, buf.t, false, false, 1.0, 0.0);
    lastJvp = buf;
    lastTangent = v;
    return buf.t;
  }

  /** Adds {@code v^T dT} to the weight gradient (the bias gets none); returns {@code dT W^T}. */
  @Override
  public INDArray jvpBackward(INDArray dT, boolean inputGrad) {
    Buffers buf = lastJvp;
    if (buf == null) {
      throw new IllegalStateException("jvpBackward without jvp");
    }
    Shapes.check("dT", dT, outputShape(), dtype, buf.batch);
    Gemm.gemm(lastTangent, dT, weightGrad, true, false, 1.0, 1.0);
    if (!inputGrad) {
      return null;
    }
    if (buf.dv == null) {
      buf.dv = Nd4j.create(dtype, buf.batch, in);
    }
    Gemm.gemm(dT, weight, buf.dv, false, true, 1.0, 0.0);
    return buf.dv;
  }
}
