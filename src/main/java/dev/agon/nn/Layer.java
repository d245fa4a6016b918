package dev.agon.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One layer of a {@link Sequential} network. Shapes are fixed at construction: {@link
 * #inputShape()} and {@link #outputShape()} exclude the batch dimension. Parameters, gradients and
 * state are views into the network's flat vectors, handed over once by {@link #bind}.
 *
 * <p>{@link #forward} returns a buffer owned by the layer (reused per batch size) and keeps what
 * {@link #backward} needs. Layers are single-threaded.
 */
public interface Layer {

  long[] inputShape();

  long[] outputShape();

  default long numParams() {
    return 0;
  }

  default long numState() {
    return 0;
  }

  /**
   * Hands over this layer's slices {@code [1, numParams()]} of the network's parameters and
   * gradients and {@code [1, numState()]} of its state (null when the count is 0).
   */
  default void bind(INDArray params, INDArray grads, INDArray state) {}

  /** Writes initial parameter and state values into the bound views, a function of the seed. */
  default void initialize(long seed, long stream) {}

  /** Forward pass; {@code ctx} says training or evaluation mode and keys dropout noise. */
  INDArray forward(INDArray x, Context ctx);

  /**
   * Backward for the last forward. With {@code paramGrads} writes (or, when {@code accumulate},
   * adds) the parameter gradients; returns dL/dx when {@code inputGrad}, else {@code null}.
   */
  INDArray backward(INDArray dOut, boolean paramGrads, boolean inputGrad, boolean accumulate);

  /** Whether one sample's output depends on other samples in the batch (in training mode). */
  default boolean batchCoupled() {
    return false;
  }

  /** Whether the layer is piecewise linear in its input (see {@link Network#piecewiseLinear}). */
  default boolean piecewiseLinear() {
    return false;
  }

  /** Tangent of the output for input tangent {@code v}, at the input of the last forward. */
  default INDArray jvp(INDArray v) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " has no jvp");
  }

  /**
   * Backward through the last {@link #jvp}: adds the parameter gradient of {@code <dT, J v>} to the
   * bound gradients and returns d/dv when {@code inputGrad}.
   */
  default INDArray jvpBackward(INDArray dT, boolean inputGrad) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " has no jvp");
  }

  /** Training mode and the noise key of one forward pass. */
  record Context(boolean training, long seed, long noiseIndex) {}
}
