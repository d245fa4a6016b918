package dev.agon.nn;

import dev.agon.tensor.DenseAccess;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.floating.Sqrt;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.DivOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Adam (Kingma and Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015) with the exact
 * update order of PyTorch's {@code torch.optim.Adam} (no weight decay, no AMSGrad), at step {@code
 * t} (1-based):
 *
 * <pre>
 * m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2
 * p -= (lr / (1-b1^t)) * m / (sqrt(v) / sqrt(1-b2^t) + eps)
 * </pre>
 *
 * <p>ND4J's fused {@code AdamUpdater} op is not used: it applies {@code eps} after scaling by
 * {@code sqrt(1-b2^t)} ({@code lr sqrt(1-b2^t)/(1-b1^t) * m/(sqrt(v)+eps)}), which differs from
 * PyTorch by more than rounding whenever {@code sqrt(v)} is not large against {@code eps}. Computed
 * by ND4J pointwise ops on the backend (no host copies). Allocates one scratch vector of the
 * parameter length at construction; a step allocates no array buffers.
 */
public final class Adam extends FlatOptimizer {
  private final KernelChoice kernel;
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final INDArray m;
  private final INDArray v;
  private final INDArray tmp;

  /** PyTorch's defaults: betas (0.9, 0.999), eps 1e-8. */
  public Adam(long numParams, DataType dtype, double lr) {
    this(numParams, dtype, lr, 0.9, 0.999, 1e-8);
  }

  public Adam(long numParams, DataType dtype, double lr, double beta1, double beta2, double eps) {
    this(numParams, dtype, lr, beta1, beta2, eps, KernelChoice.forBackend());
  }

  Adam(
      long numParams,
      DataType dtype,
      double lr,
      double beta1,
      double beta2,
      double eps,
      KernelChoice kernel) {
    super(numParams, dtype, lr, 2 * numParams);
    this.kernel = kernel;
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
      throw new IllegalArgumentException("betas must be in [0, 1): " + beta1 + ", " + beta2);
    }
    if (!(eps >= 0)) {
      throw new IllegalArgumentException("eps must be >= 0: " + eps);
    }
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.m = Vectors.slice(state, 0, numParams);
    this.v = Vectors.slice(state, numParams, numParams);
    this.tmp = kernel == KernelChoice.ND4J_OPS ? Nd4j.create(dtype, 1, numParams) : null;
  }

  @Override
  public void step(INDArray params, INDArray grads) {
    Vectors.checkPair(params, grads, numParams, dtype);
    long t = steps + 1;
    double bias1 = 1.0 - Math.pow(beta1, t);
    double bias2Sqrt = Math.sqrt(1.0 - Math.pow(beta2, t));
    double stepSize = lr / bias1;
    if (kernel == KernelChoice.ND4J_OPS) {
      stepNative(params, grads, stepSize, bias2Sqrt);
    } else if (dtype == DataType.FLOAT) {
      stepFloat(params, grads, stepSize, bias2Sqrt);
    } else {
      stepDouble(params, grads, stepSize, bias2Sqrt);
    }
    steps = t;
  }

  // Nine ND4J pointwise ops in the element type, in PyTorch's operation order and without fused
  // multiply-adds, so the result is the same as the former Java loop's bit for bit: the arrays
  // stay where the backend keeps them (no host view, nothing to copy on a device), at the cost of
  // nine passes over the vectors instead of one and a slow sqrt (BENCHMARKS.md "Native batch norm
  // and Adam").
  private void stepNative(INDArray params, INDArray grads, double stepSize, double bias2Sqrt) {
    INDArray p = Vectors.flat(params);
    INDArray g = Vectors.flat(grads);
    // m = b1 m + (1-b1) g
    g.mul(1.0 - beta1, tmp);
    m.muli(beta1).addi(tmp);
    // v = b2 v + (1-b2) g^2
    Nd4j.exec(new MulOp(g, g, tmp));
    tmp.muli(1.0 - beta2);
    v.muli(beta2).addi(tmp);
    // p += -stepSize * m / (sqrt(v) / sqrt(1-b2^t) + eps)
    Nd4j.exec(new Sqrt(v, tmp));
    tmp.divi(bias2Sqrt).addi(eps);
    Nd4j.exec(new DivOp(m, tmp, tmp));
    p.addi(tmp.muli(-stepSize));
  }

  // One fused pass in the element type, in PyTorch's operation order, over host views of the
  // vectors (counted as host copies). On the CPU backend the views are the arrays' own memory
  // and this is 3x faster than the ND4J ops: libnd4j's float sqrt transform alone took ~4-7 ms on
  // 533k elements, this whole loop ~4 ms (one thread, loaded machine).
  private void stepFloat(INDArray params, INDArray grads, double stepSize, double bias2Sqrt) {
    FloatBuffer p = DenseAccess.floatBuffer(params);
    FloatBuffer g = DenseAccess.floatBuffer(grads);
    FloatBuffer mb = DenseAccess.floatBuffer(m);
    FloatBuffer vb = DenseAccess.floatBuffer(v);
    float b1 = (float) beta1;
    float c1 = (float) (1.0 - beta1);
    float b2 = (float) beta2;
    float c2 = (float) (1.0 - beta2);
    float bc2 = (float) bias2Sqrt;
    float e = (float) eps;
    float negStep = (float) -stepSize;
    int n = (int) numParams;
    for (int i = 0; i < n; i++) {
      float gi = g.get(i);
      float mi = mb.get(i) * b1 + c1 * gi;
      float vi = vb.get(i) * b2 + c2 * (gi * gi);
      mb.put(i, mi);
      vb.put(i, vi);
      float denom = (float) Math.sqrt(vi) / bc2 + e;
      p.put(i, p.get(i) + negStep * (mi / denom));
    }
  }

  private void stepDouble(INDArray params, INDArray grads, double stepSize, double bias2Sqrt) {
    DoubleBuffer p = DenseAccess.doubleBuffer(params);
    DoubleBuffer g = DenseAccess.doubleBuffer(grads);
    DoubleBuffer mb = DenseAccess.doubleBuffer(m);
    DoubleBuffer vb = DenseAccess.doubleBuffer(v);
    double c1 = 1.0 - beta1;
    double c2 = 1.0 - beta2;
    double negStep = -stepSize;
    int n = (int) numParams;
    for (int i = 0; i < n; i++) {
      double gi = g.get(i);
      double mi = mb.get(i) * beta1 + c1 * gi;
      double vi = vb.get(i) * beta2 + c2 * (gi * gi);
      mb.put(i, mi);
      vb.put(i, vi);
      double denom = Math.sqrt(vi) / bias2Sqrt + eps;
      p.put(i, p.get(i) + negStep * (mi / denom));
    }
  }

  public double beta1() {
    return beta1;
  }

  public double beta2() {
    return beta2;
  }

  public double eps() {
    return eps;
  }
}
