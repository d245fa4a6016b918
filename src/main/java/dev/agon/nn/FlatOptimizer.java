package dev.agon.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What every optimizer over one flat parameter vector shares: the learning rate (changeable between
 * steps), the step count, and one flat state array that {@link #state()} exposes and {@link
 * #restore} loads for checkpoints.
 */
abstract class FlatOptimizer implements Optimizer {
  protected final long numParams;
  protected final DataType dtype;
  protected final INDArray state;
  protected double lr;
  protected long steps;

  /** An optimizer of {@code numParams} parameters with {@code stateSize} state values. */
  FlatOptimizer(long numParams, DataType dtype, double lr, long stateSize) {
    if (numParams <= 0) {
      throw new IllegalArgumentException("numParams must be positive: " + numParams);
    }
    learningRate(lr);
    this.numParams = numParams;
    this.dtype = dtype;
    this.state = Nd4j.create(dtype, 1, stateSize);
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
}
