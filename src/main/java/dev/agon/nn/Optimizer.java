package dev.agon.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An in-place first-order optimizer over one flat parameter vector and its gradient vector.
 * Implementations are not thread-safe but not bound to a thread.
 */
public interface Optimizer {
  /** Applies one update to {@code params} in place, from {@code grads} (same length and type). */
  void step(INDArray params, INDArray grads);

  double learningRate();

  /** Sets the learning rate used from the next {@link #step} on. */
  void learningRate(double lr);

  /** Number of updates applied so far (PyTorch's {@code state['step']}). */
  long steps();

  /**
   * The flat optimizer state (live, not a copy: {@code dup()} it to snapshot). Adam: {@code m} then
   * {@code v}; SGD: the momentum buffer.
   */
  INDArray state();

  /** Copies {@code state} (same length as {@link #state()}) in and sets {@link #steps()}. */
  void restore(INDArray state, long steps);
}
