package dev.agon.nn;

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
 * PyTorch by more than rounding whenever {@code sqrt(v)} is not large against {@code eps}.
 * Allocates one scratch vector of the parameter length at construction; a step allocates no array
 * buffers.
 */
public final class Adam implements Optimizer {
  private final long numParams;
  private final DataType dtype;
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final INDArray state;
  private final INDArray m;
  private final INDArray v;
  private final INDArray tmp;
  private double lr;
  private long steps;

  /** PyTorch's defaults: betas (0.9, 0.999), eps 1e-8. */
  public Adam(long numParams, DataType dtype, double lr) {
    this(numParams, dtype, lr, 0.9, 0.999, 1e-8);
  }

  public Adam(long numParams, DataType dtype, double lr, double beta1, double beta2, double eps) {
    if (numParams <= 0) {
      throw new IllegalArgumentException("numParams must be positive: " + numParams);
    }
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
      throw new IllegalArgumentException("betas must be in [0, 1): " + beta1 + ", " + beta2);
    }
    if (!(eps >= 0)) {
      throw new IllegalArgumentException("eps must be >= 0: " + eps);
    }
    learningRate(lr);
    this.numParams = numParams;
    this.dtype = dtype;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.state = Nd4j.create(dtype, 1, 2 * numParams);
    this.m = Vectors.slice(state, 0, numParams);
    this.v = Vectors.slice(state, numParams, numParams);
    this.tmp = Nd4j.create(dtype, 1, numParams);
  }

  @Override
  public void step(INDArray params, INDArray grads) {
    Vectors.checkPair(params, grads, numParams, dtype);
    long t = steps + 1;
    INDArray p = Vectors.flat(params);
    INDArray g = Vectors.flat(grads);
    // m = b1 m + (1 - b1) g
    m.muli(beta1);
    Vectors.axpy(1.0 - beta1, g, m);
    // v = b2 v + (1 - b2) g^2
    v.muli(beta2);
    Nd4j.exec(new MulOp(g, g, tmp));
    Vectors.axpy(1.0 - beta2, tmp, v);
    double bias1 = 1.0 - Math.pow(beta1, t);
    double bias2 = 1.0 - Math.pow(beta2, t);
    // denom = sqrt(v) / sqrt(bias2) + eps
    Nd4j.exec(new Sqrt(v, tmp));
    tmp.divi(Math.sqrt(bias2));
    tmp.addi(eps);
    // p -= (lr / bias1) * m / denom
    Nd4j.exec(new DivOp(m, tmp, tmp));
    Vectors.axpy(-lr / bias1, tmp, p);
    steps = t;
  }

  @Override
  public double learningRate() {
    return lr;
  }

  @Override
  public void learningRate(double lr) {
    if (!(lr >= 0) || Double.isInfinite(lr)) {
      throw new IllegalArgumentException("learning rate must be finite and >= 0: " + lr);
    }
    this.lr = lr;
  }

  @Override
  public long steps() {
    return steps;
  }

  @Override
  public INDArray state() {
    return state;
  }

  @Override
  public void restore(INDArray newState, long steps) {
    Vectors.restore(state, newState, steps);
    this.steps = steps;
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
