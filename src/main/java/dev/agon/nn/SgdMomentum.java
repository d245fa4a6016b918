package dev.agon.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Stochastic gradient descent with optional (Nesterov) momentum, with the semantics of PyTorch's
 * {@code torch.optim.SGD(lr, momentum, dampening=0, nesterov, weight_decay=0)}:
 *
 * <pre>
 * buf = g                  at the first step, else  buf = mu buf + g
 * p  -= lr * (nesterov ? g + mu buf : buf)
 * </pre>
 *
 * <p>With {@code momentum == 0} this is plain SGD {@code p -= lr g} and the state stays zero.
 * Nesterov momentum (Sutskever et al., ICML 2013, in PyTorch's formulation) needs {@code momentum >
 * 0}.
 */
public final class SgdMomentum extends FlatOptimizer {
  private double momentum;
  private final boolean nesterov;
  private final INDArray buf;
  private final INDArray tmp;

  /** Plain SGD. */
  public SgdMomentum(long numParams, DataType dtype, double lr) {
    this(numParams, dtype, lr, 0.0, false);
  }

  public SgdMomentum(long numParams, DataType dtype, double lr, double momentum, boolean nesterov) {
    super(numParams, dtype, lr, numParams);
    if (!(momentum >= 0) || Double.isInfinite(momentum)) {
      throw new IllegalArgumentException("momentum must be finite and >= 0: " + momentum);
    }
    if (nesterov && momentum == 0) {
      throw new IllegalArgumentException("Nesterov momentum requires momentum > 0");
    }
    this.momentum = momentum;
    this.nesterov = nesterov;
    this.buf = state;
    this.tmp = nesterov ? Nd4j.create(dtype, 1, numParams) : null;
  }

  @Override
  public void step(INDArray params, INDArray grads) {
    Vectors.checkPair(params, grads, numParams, dtype);
    INDArray p = Vectors.flat(params);
    INDArray g = Vectors.flat(grads);
    if (momentum == 0) {
      Vectors.axpy(-lr, g, p);
    } else {
      if (steps == 0) {
        buf.assign(g);
      } else {
        buf.muli(momentum).addi(g);
      }
      if (nesterov) {
        tmp.assign(g);
        Vectors.axpy(momentum, buf, tmp);
        Vectors.axpy(-lr, tmp, p);
      } else {
        Vectors.axpy(-lr, buf, p);
      }
    }
    steps++;
  }

  public double momentum() {
    return momentum;
  }

  /**
   * Sets the momentum factor of the following steps (a momentum ramp sets it before each); the
   * buffer is kept. With Nesterov it must stay &gt; 0. A factor of 0 leaves the buffer untouched,
   * so a later factor &gt; 0 blends into the buffer of the last momentum step.
   */
  public void momentum(double momentum) {
    if (!(momentum >= 0) || Double.isInfinite(momentum) || nesterov && momentum == 0) {
      throw new IllegalArgumentException(
          "momentum must be finite and >= 0 (> 0 with Nesterov): " + momentum);
    }
    this.momentum = momentum;
  }

  public boolean nesterov() {
    return nesterov;
  }
}
