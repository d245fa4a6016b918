package dev.agon.nn;

import dev.agon.tensor.DenseAccess;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

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
 * PyTorch by more than rounding whenever {@code sqrt(v)} is not large against {@code eps}.
 * Allocates one scratch vector of the parameter length at construction; a step allocates no array
 * buffers.
 */
public final class Adam extends FlatOptimizer {
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final INDArray m;
  private final INDArray v;

  /** PyTorch's defaults: betas (0.9, 0.999), eps 1e-8. */
  public Adam(long numParams, DataType dtype, double lr) {
    this(numParams, dtype, lr, 0.9, 0.999, 1e-8);
  }

  public Adam(long numParams, DataType dtype, double lr, double beta1, double beta2, double eps) {
    super(numParams, dtype, lr, 2 * numParams);
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
  }

  @Override
  public void step(INDArray params, INDArray grads) {
    Vectors.checkPair(params, grads, numParams, dtype);
    long t = steps + 1;
    double bias1 = 1.0 - Math.pow(beta1, t);
    double bias2Sqrt = Math.sqrt(1.0 - Math.pow(beta2, t));
    double stepSize = lr / bias1;
    if (dtype == DataType.FLOAT) {
      stepFloat(params, grads, stepSize, bias2Sqrt);
    } else {
      stepDouble(params, grads, stepSize, bias2Sqrt);
    }
    steps = t;
  }

  // One fused pass in the element type, in PyTorch's operation order. A Java loop over the
  // direct buffers: ND4J's float sqrt transform alone took ~2 ms on 533k elements, the whole
  // loop ~1 ms (single thread).
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
