package dev.agon.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A trainable network as the trainers see it: one flat parameter vector, one flat gradient vector
 * of the same layout, a forward pass over a batch and a backward pass for it.
 *
 * <p>Shapes: inputs are {@code [B, inputShape()...]} (e.g. {@code [B, 2]} or {@code [B, 1, 28,
 * 28]}, NCHW), outputs {@code [B, outputShape()...]}. Returned arrays are internal buffers that the
 * next call overwrites; {@code dup()} what you keep. Implementations are single-threaded but not
 * bound to a thread.
 */
public interface Network {

  /** Number of trainable parameters. */
  long numParams();

  DataType dtype();

  /** The live flat parameters {@code [1, numParams]}. */
  INDArray params();

  /** The flat gradients {@code [1, numParams]}, same layout, written by {@link #backward}. */
  INDArray grads();

  /** Copies {@code flat} (any shape with {@link #numParams()} elements) into {@link #params()}. */
  default void copyParamsFrom(INDArray flat) {
    if (flat.length() != numParams()) {
      throw new IllegalArgumentException(
          "expected " + numParams() + " parameters, got " + flat.length());
    }
    params().assign(flat.reshape('c', 1, numParams()));
  }

  /** Per-sample input shape, without the batch dimension. */
  long[] inputShape();

  /** Per-sample output shape, without the batch dimension. */
  long[] outputShape();

  /**
   * Rows of the output for an input of {@code inputRows} samples: the same, except for a {@link
   * Packed} network, which gives one row per pack.
   */
  default long outputRows(long inputRows) {
    return inputRows;
  }

  /**
   * Non-trainable state that belongs with the parameters (batch-norm running statistics, the
   * virtual-batch-norm reference statistics, spectral norm's u and v), flat {@code [1, n]}; {@code
   * n} may be 0. Snapshots and checkpoints carry it beside {@link #params()}.
   */
  default INDArray state() {
    return null;
  }

  /** Training mode (the default) or evaluation mode, for batch norm and dropout. */
  default void training(boolean on) {}

  default boolean training() {
    return true;
  }

  /**
   * Sets the index that keys the randomness of the following forward passes in training mode
   * (dropout masks), so that runs are reproducible; networks without such layers ignore it.
   */
  default void noiseIndex(long index) {}

  /**
   * One power-iteration step of the spectral normalisation of every layer that has it ({@link
   * SpectralNorm}): the trainer calls it once per update, before that update's forward passes; it
   * changes {@link #state()} only. Networks without such layers ignore it.
   */
  default void powerIteration() {}

  /** Whether some layer is spectrally normalised ({@link #powerIteration} does something). */
  default boolean spectralNorm() {
    return false;
  }

  /**
   * Whether one sample's output depends on the other samples of its batch (batch norm in training
   * mode, minibatch discrimination). Trainers then pass real and fake batches separately, as the
   * papers do, instead of as one concatenated batch.
   */
  default boolean batchCoupled() {
    return false;
  }

  /**
   * Forward pass; keeps what {@link #backward} needs (and a reference to {@code x}: do not modify
   * it until then).
   */
  INDArray forward(INDArray x);

  /**
   * Backward pass for the last {@link #forward} with {@code dOut = dL/d(output)}. With {@code
   * paramGrads} it overwrites {@link #grads()} (adds to it when {@code accumulate}); returns dL/dx
   * when {@code inputGrad}, else {@code null}.
   */
  INDArray backward(INDArray dOut, boolean paramGrads, boolean inputGrad, boolean accumulate);

  /** {@link #backward(INDArray, boolean, boolean, boolean)} that overwrites the gradients. */
  default INDArray backward(INDArray dOut, boolean paramGrads, boolean inputGrad) {
    return backward(dOut, paramGrads, inputGrad, false);
  }

  /**
   * Number of layers whose outputs {@link #activation} exposes (for feature matching); 0 when the
   * network exposes none.
   */
  default int numLayers() {
    return 0;
  }

  /** Output of layer {@code index} (0-based) in the last forward pass. */
  default INDArray activation(int index) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " exposes no layers");
  }

  /**
   * Backward pass that starts at the output of layer {@code index} with {@code dAct = dL/d(that
   * output)}, ignoring the layers above it; same flags as {@link #backward}.
   */
  default INDArray backwardFrom(
      int index, INDArray dAct, boolean paramGrads, boolean inputGrad, boolean accumulate) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " exposes no layers");
  }

  /**
   * Whether the network is piecewise linear in its input for fixed parameters (linear, convolution,
   * (leaky) ReLU, reshapes; no batch norm, no smooth nonlinearity before the output): then {@link
   * #jvp} and {@link #jvpBackward} give the exact gradient-penalty gradient.
   */
  default boolean piecewiseLinear() {
    return false;
  }

  /**
   * Jacobian-vector product at the input of the last forward pass: the output tangent {@code J v}
   * for an input tangent {@code v} of the input's shape.
   */
  default INDArray jvp(INDArray v) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " has no jvp");
  }

  /**
   * Adds to {@link #grads()} the gradient w.r.t. the parameters of {@code <dT, J(theta) v>} for the
   * last {@link #jvp}. For a piecewise-linear network the activation masks are locally constant, so
   * this is exact.
   */
  default void jvpBackward(INDArray dT) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " has no jvp");
  }

  /** A network of the same architecture and dtype with its own buffers (parameters unset). */
  Network replica();
}
