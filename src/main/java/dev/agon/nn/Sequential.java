package dev.agon.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A chain of {@link Layer}s as one {@link Network}: one flat parameter vector (and gradient vector
 * of the same layout) holding each layer's parameters in order, one flat state vector (batch-norm
 * running statistics), training/evaluation mode, and the jvp of the chain for gradient penalties.
 *
 * <p>Built by a {@link Builder} that tracks shapes; {@link #replica()} rebuilds the same layers.
 * Each layer's parameters are initialised by its {@link Init} scheme from {@code (seed, layer
 * index)}, so they depend only on the seed and the layer's position. Buffers are allocated per
 * batch size by the layers and reused; returned arrays are those buffers (or views of them).
 *
 * <p>Not thread-safe, but not bound to a thread; uses no ND4J workspaces.
 */
public final class Sequential implements Network {
  /** Makes a layer for the given per-sample input shape and dtype. */
  @FunctionalInterface
  public interface LayerFactory {
    Layer create(long[] inputShape, DataType dtype);
  }

  private final List<LayerFactory> factories;
  private final long[] inputShape;
  private final DataType dtype;
  private final long seed;
  private final Layer[] layers;
  private final long[] paramOffsets;
  private final long numParams;
  private final INDArray params;
  private final INDArray grads;
  private final INDArray state;
  private final int firstParamLayer;
  private final INDArray[] outputs;
  private boolean training = true;
  private long noiseIndex;
  private boolean forwardDone;

  private Sequential(List<LayerFactory> factories, long[] inputShape, DataType dtype, long seed) {
    Shapes.checkDtype(dtype);
    this.factories = List.copyOf(factories);
    this.inputShape = inputShape.clone();
    this.dtype = dtype;
    this.seed = seed;
    int n = factories.size();
    if (n == 0) {
      throw new IllegalArgumentException("a network needs at least one layer");
    }
    layers = new Layer[n];
    paramOffsets = new long[n + 1];
    long[] stateOffsets = new long[n + 1];
    long[] shape = inputShape;
    int first = n;
    for (int i = 0; i < n; i++) {
      Layer l = factories.get(i).create(shape.clone(), dtype);
      if (!Arrays.equals(l.inputShape(), shape)) {
        throw new IllegalArgumentException(
            "layer "
                + i
                + " ("
                + l.getClass().getSimpleName()
                + ") takes "
                + Arrays.toString(l.inputShape())
                + ", previous output is "
                + Arrays.toString(shape));
      }
      layers[i] = l;
      paramOffsets[i + 1] = paramOffsets[i] + l.numParams();
      stateOffsets[i + 1] = stateOffsets[i] + l.numState();
      if (l.numParams() > 0 && first == n) {
        first = i;
      }
      shape = l.outputShape();
    }
    firstParamLayer = first;
    numParams = paramOffsets[n];
    params = Nd4j.create(dtype, 1, numParams);
    grads = Nd4j.create(dtype, 1, numParams);
    long numState = stateOffsets[n];
    state = numState > 0 ? Nd4j.create(dtype, 1, numState) : null;
    for (int i = 0; i < n; i++) {
      long p = layers[i].numParams();
      long s = layers[i].numState();
      layers[i].bind(
          p > 0 ? Vectors.slice(params, paramOffsets[i], p) : null,
          p > 0 ? Vectors.slice(grads, paramOffsets[i], p) : null,
          s > 0 ? Vectors.slice(state, stateOffsets[i], s) : null);
    }
    outputs = new INDArray[n];
  }

  /** A builder for networks taking per-sample inputs of {@code inputShape}. */
  public static Builder builder(long... inputShape) {
    return new Builder(inputShape);
  }

  /** The layers, in order (live objects bound to this network's vectors). */
  public List<Layer> layers() {
    return List.of(layers);
  }

  public Layer layer(int index) {
    return layers[index];
  }

  /** Offset of layer {@code index}'s parameters in {@link #params()}. */
  public long paramOffset(int index) {
    return paramOffsets[index];
  }

  /** The seed this network was initialised from; it also keys the layers' noise. */
  public long seed() {
    return seed;
  }

  @Override
  public long numParams() {
    return numParams;
  }

  @Override
  public DataType dtype() {
    return dtype;
  }

  @Override
  public INDArray params() {
    return params;
  }

  @Override
  public INDArray grads() {
    return grads;
  }

  @Override
  public long[] inputShape() {
    return inputShape.clone();
  }

  @Override
  public long[] outputShape() {
    return layers[layers.length - 1].outputShape();
  }

  /** Batch-norm running statistics, {@code [1, n]}, or null when no layer has state. */
  @Override
  public INDArray state() {
    return state;
  }

  @Override
  public void training(boolean on) {
    training = on;
  }

  @Override
  public boolean training() {
    return training;
  }

  @Override
  public void noiseIndex(long index) {
    noiseIndex = index;
  }

  /** One power-iteration step of every {@link SpectralNorm} layer (none: nothing happens). */
  @Override
  public void powerIteration() {
    for (Layer l : layers) {
      if (l instanceof SpectralNorm sn) {
        sn.powerIteration();
      }
    }
  }

  @Override
  public boolean spectralNorm() {
    for (Layer l : layers) {
      if (l instanceof SpectralNorm) {
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean batchCoupled() {
    for (Layer l : layers) {
      if (l.batchCoupled()) {
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean piecewiseLinear() {
    for (Layer l : layers) {
      if (!l.piecewiseLinear()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public INDArray forward(INDArray x) {
    Shapes.check("input", x, inputShape, dtype, 0);
    Layer.Context ctx = new Layer.Context(training, seed, noiseIndex);
    INDArray a = x;
    for (int i = 0; i < layers.length; i++) {
      a = layers[i].forward(a, ctx);
      outputs[i] = a;
    }
    forwardDone = true;
    return a;
  }

  @Override
  public INDArray backward(
      INDArray dOut, boolean paramGrads, boolean inputGrad, boolean accumulate) {
    return backwardFrom(layers.length - 1, dOut, paramGrads, inputGrad, accumulate);
  }

  @Override
  public int numLayers() {
    return layers.length;
  }

  @Override
  public INDArray activation(int index) {
    Objects.checkIndex(index, layers.length);
    if (!forwardDone) {
      throw new IllegalStateException("no forward pass yet");
    }
    return outputs[index];
  }

  /**
   * Backward from the output of layer {@code index}. With {@code paramGrads} and not {@code
   * accumulate}, the gradients of the layers above {@code index} are set to 0 (the loss does not
   * depend on them); layers below the first parametrised one are skipped unless {@code inputGrad}.
   */
  @Override
  public INDArray backwardFrom(
      int index, INDArray dAct, boolean paramGrads, boolean inputGrad, boolean accumulate) {
    Objects.checkIndex(index, layers.length);
    if (!forwardDone) {
      throw new IllegalStateException("backward without forward");
    }
    if (paramGrads && !accumulate && index + 1 < layers.length) {
      long from = paramOffsets[index + 1];
      if (numParams > from) {
        Vectors.slice(grads, from, numParams - from).assign(0.0);
      }
    }
    if (!paramGrads && !inputGrad) {
      return null;
    }
    int lowest = inputGrad ? 0 : firstParamLayer;
    if (lowest > index) {
      return null; // only parameter gradients asked, and none at or below index
    }
    INDArray d = dAct;
    for (int i = index; i >= lowest; i--) {
      d = layers[i].backward(d, paramGrads, i > lowest || inputGrad, accumulate);
    }
    return inputGrad ? d : null;
  }

  /** Chains the layers' jvps; every layer must have one (piecewise-linear networks). */
  @Override
  public INDArray jvp(INDArray v) {
    if (!forwardDone) {
      throw new IllegalStateException("jvp without forward");
    }
    Shapes.check("tangent", v, inputShape, dtype, 0);
    INDArray t = v;
    for (Layer l : layers) {
      t = l.jvp(t);
    }
    return t;
  }

  @Override
  public void jvpBackward(INDArray dT) {
    INDArray d = dT;
    for (int i = layers.length - 1; i >= firstParamLayer; i--) {
      d = layers[i].jvpBackward(d, i > firstParamLayer);
    }
  }

  /**
   * {@link #jvpBackward(INDArray)} that also returns the gradient w.r.t. the tangent {@code v} of
   * {@code <dT, J v>}, i.e. {@code J^T dT}.
   */
  public INDArray jvpBackward(INDArray dT, boolean inputGrad) {
    INDArray d = dT;
    int lowest = inputGrad ? 0 : firstParamLayer;
    for (int i = layers.length - 1; i >= lowest; i--) {
      d = layers[i].jvpBackward(d, i > lowest || inputGrad);
    }
    return inputGrad ? d : null;
  }

  /**
   * Same layers, dtype and seed (which keys the layers' noise), fresh buffers, parameters 0, state
   * at its initial values; training mode.
   */
  @Override
  public Sequential replica() {
    Sequential r = new Sequential(factories, inputShape, dtype, seed);
    r.initialize(seed);
    r.params.assign(0.0);
    return r;
  }

  private void initialize(long seed) {
    for (int i = 0; i < layers.length; i++) {
      layers[i].initialize(seed, i);
    }
  }

  /**
   * Builds a {@link Sequential} layer by layer, tracking the per-sample shape. The {@link Init}
   * scheme set by {@link #init} applies to the parametrised layers added after it ({@link
   * Init#PYTORCH} until set). A builder can build any number of networks.
   */
  public static final class Builder {
    private final long[] inputShape;
    private final List<LayerFactory> factories = new ArrayList<>();
    private long[] shape;
    private Init init = Init.PYTORCH;
    private boolean spectralNorm;

    /**
     * Parameters and per-sample output values of the layers added so far (probes allocate none).
     */
    private long params;

    private long outputs;

    private Builder(long[] inputShape) {
      if (inputShape.length == 0) {
        throw new IllegalArgumentException("input shape must have at least one dimension");
      }
      for (long d : inputShape) {
        if (d <= 0) {
          throw new IllegalArgumentException(
              "input dimensions must be positive: " + Arrays.toString(inputShape));
        }
      }
      this.inputShape = inputShape.clone();
      this.shape = inputShape.clone();
    }

    /** Initialisation scheme of the parametrised layers added from now on. */
    public Builder init(Init scheme) {
      this.init = Objects.requireNonNull(scheme, "scheme");
      return this;
    }

    /**
     * Whether the linear and conv2d layers added from now on are wrapped in {@link SpectralNorm}
     * (off until set).
     */
    public Builder spectralNorm(boolean on) {
      this.spectralNorm = on;
      return this;
    }

    /** Appends a layer; the factory gets the current per-sample shape. */
    public Builder add(LayerFactory factory) {
      Layer probe = factory.create(shape.clone(), DataType.FLOAT);
      if (!Arrays.equals(probe.inputShape(), shape)) {
        throw new IllegalArgumentException(
            probe.getClass().getSimpleName()
                + " takes "
                + Arrays.toString(probe.inputShape())
                + ", current shape is "
                + Arrays.toString(shape));
      }
      factories.add(factory);
      shape = probe.outputShape();
      params += probe.numParams();
      outputs += Arrays.stream(shape).reduce(1, Math::multiplyExact);
      return this;
    }

    /** {@code [F] -> [out]}, with bias. */
    public Builder linear(int out) {
      return linear(out, true);
    }

    public Builder linear(int out, boolean bias) {
      requireRank(1, "linear");
      Init scheme = init;
      int in = Math.toIntExact(shape[0]);
      if (spectralNorm) {
        return add((s, t) -> SpectralNorm.linear(in, out, bias, scheme, t));
      }
      return add((s, t) -> new Linear(in, out, bias, scheme, t));
    }

    /** {@code [C, H, W] -> [out, OH, OW]}, with bias. */
    public Builder conv2d(int out, int kernel, int stride, int padding) {
      return conv2d(out, kernel, stride, padding, true);
    }

    public Builder conv2d(int out, int kernel, int stride, int padding, boolean bias) {
      requireRank(3, "conv2d");
      Init scheme = init;
      if (spectralNorm) {
        return add(
            (s, t) ->
                SpectralNorm.conv2d(
                    new Conv2d(s, out, kernel, stride, padding, bias, scheme, t), bias, t));
      }
      return add((s, t) -> new Conv2d(s, out, kernel, stride, padding, bias, scheme, t));
    }

    /** {@code [C, H, W] -> [out, (H-1) stride - 2 pad + k, ...]}, with bias. */
    public Builder convTranspose2d(int out, int kernel, int stride, int padding) {
      return convTranspose2d(out, kernel, stride, padding, true);
    }

    public Builder convTranspose2d(int out, int kernel, int stride, int padding, boolean bias) {
      requireRank(3, "convTranspose2d");
      Init scheme = init;
      return add((s, t) -> new ConvTranspose2d(s, out, kernel, stride, padding, bias, scheme, t));
    }

    /** Batch norm over channels ({@code [C, H, W]}) or features ({@code [F]}), PyTorch defaults. */
    public Builder batchNorm() {
      return batchNorm(BatchNorm.DEFAULT_MOMENTUM, BatchNorm.DEFAULT_EPS);
    }

    public Builder batchNorm(double momentum, double eps) {
      Init scheme = init;
      return add((s, t) -> new BatchNorm(s, momentum, eps, scheme, t));
    }

    public Builder relu() {
      return add(ReLU::new);
    }

    public Builder leakyRelu(double slope) {
      return add((s, t) -> new LeakyReLU(s, slope, t));
    }

    public Builder tanh() {
      return add(Tanh::new);
    }

    public Builder sigmoid() {
      return add(Sigmoid::new);
    }

    /** The fixed map {@code scale * x + shift} ({@link Affine}). */
    public Builder affine(double scale, double shift) {
      return add((s, t) -> new Affine(s, scale, shift, t));
    }

    /** Per-sample reshape to {@code to} (same number of elements). */
    public Builder reshape(long... to) {
      long[] target = to.clone();
      return add((s, t) -> new Reshape(s, target, t));
    }

    /** Per-sample flatten to one dimension. */
    public Builder flatten() {
      return add(Reshape::flatten);
    }

    /** The per-sample shape after the layers added so far. */
    public long[] shape() {
      return shape.clone();
    }

    /**
     * Parameters of the layers added so far ({@link #build} allocates them and their gradients).
     */
    public long numParams() {
      return params;
    }

    /**
     * Values the layers added so far output per sample: the forward activations a training step
     * keeps for one sample (its gradients need as many again).
     */
    public long activationsPerSample() {
      return outputs;
    }

    /** Number of layers added so far. */
    public int size() {
      return factories.size();
    }

    /** A network of these layers with parameters initialised from {@code seed}. */
    public Sequential build(DataType dtype, long seed) {
      Sequential s = new Sequential(factories, inputShape, dtype, seed);
      s.initialize(seed);
      return s;
    }

    private void requireRank(int rank, String what) {
      if (shape.length != rank) {
        throw new IllegalArgumentException(
            what + " needs a rank-" + rank + " sample shape, got " + Arrays.toString(shape));
      }
    }
  }
}
