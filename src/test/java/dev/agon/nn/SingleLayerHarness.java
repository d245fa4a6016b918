package dev.agon.nn;

import dev.agon.tensor.Noise;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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

  private SingleLayerHarness(Layer layer, DataType dtype) {
    this.layer = layer;
    params = layer.numParams() > 0 ? Nd4j.create(dtype, 1, layer.numParams()) : null;
    grads = layer.numParams() > 0 ? Nd4j.create(dtype, 1, layer.numParams()) : null;
    state = layer.numState() > 0 ? Nd4j.create(dtype, 1, layer.numState()) : null;
    layer.bind(params, grads, state);
  }

  /** Binds {@code layer} to fresh vectors of {@code dtype} and initialises it from {@code seed}. */
  static SingleLayerHarness of(Layer layer, DataType dtype, long seed) {
    SingleLayerHarness h = new SingleLayerHarness(layer, dtype);
    layer.initialize(seed, 0);
    return h;
  }

  /** L = sum(forward(x) * r), so dL/d(output) = r. */
  double loss(INDArray x, INDArray r, Layer.Context ctx) {
    return layer.forward(x, ctx).mul(r).sumNumber().doubleValue();
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
