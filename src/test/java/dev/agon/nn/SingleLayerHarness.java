package dev.agon.nn;

import dev.agon.tensor.Noise;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Runs one {@link Layer} alone: owns its flat parameter, gradient and state vectors. */
final class SingleLayerHarness {
  static final Layer.Context TRAIN = new Layer.Context(true, 7, 3);
  static final Layer.Context EVAL = new Layer.Context(false, 7, 3);

  final Layer layer;
  final INDArray params;
  final INDArray grads;
  final INDArray state;

  /** Free slot for a test's reference batch. */
  INDArray refBatch;

  private final INDArray[] padded = new INDArray[3];

  private SingleLayerHarness(Layer layer, DataType dtype) {
    this.layer = layer;
    params = paddedView(0, dtype, layer.numParams());
    grads = paddedView(1, dtype, layer.numParams());
    state = paddedView(2, dtype, layer.numState());
    layer.bind(params, grads, state);
  }

  /**
   * A {@code [1, n]} view at offset {@value #PAD} of a longer vector filled with {@link #SENTINEL},
   * as a network hands its layers views into its flat vectors (null when {@code n} is 0).
   */
  private INDArray paddedView(int slot, DataType dtype, long n) {
    if (n == 0) {
      return null;
    }
    INDArray full = Nd4j.create(dtype, 1, n + 2 * PAD).assign(SENTINEL);
    padded[slot] = full;
    return full.get(NDArrayIndex.interval(0, 1), NDArrayIndex.interval(PAD, PAD + n)).assign(0.0);
  }

  private static final int PAD = 3;
  private static final double SENTINEL = 1234.5;

  /** Whether the layer left the elements around its views alone. */
  boolean paddingUntouched() {
    for (INDArray full : padded) {
      if (full == null) {
        continue;
      }
      long n = full.length();
      for (long i = 0; i < n; i++) {
        if ((i < PAD || i >= n - PAD) && full.getDouble(i) != SENTINEL) {
          return false;
        }
      }
    }
    return true;
  }

  /** Binds {@code layer} to fresh vectors of {@code dtype} and initialises it from {@code seed}. */
  static SingleLayerHarness of(Layer layer, DataType dtype, long seed) {
    SingleLayerHarness h = new SingleLayerHarness(layer, dtype);
    layer.initialize(seed, 0);
    return h;
  }

  /** The terms of the loss {@code L = sum(forward(x) * r)}, so {@code dL/d(output) = r}. */
  INDArray terms(INDArray x, INDArray r, Layer.Context ctx) {
    return layer.forward(x, ctx).mul(r);
  }

  /**
   * {@link GradCheck#terms} for the loss of this layer on x: its parameters, input, reference batch
   * (if any) and output.
   */
  long terms(INDArray x, Layer.Context ctx) {
    return GradCheck.terms(params, x, refBatch, layer.forward(x, ctx));
  }

  /** N(0, 1) values keyed by {@code index}, any shape. */
  static INDArray gaussian(DataType dtype, long index, long... shape) {
    INDArray a = Nd4j.create(dtype, shape);
    Noise.gaussian(a, 1234, 77, index);
    return a;
  }

  /** [batch, shape...] */
  static long[] batchShape(int batch, long[] shape) {
    long[] s = new long[shape.length + 1];
    s[0] = batch;
    System.arraycopy(shape, 0, s, 1, shape.length);
    return s;
  }
}
