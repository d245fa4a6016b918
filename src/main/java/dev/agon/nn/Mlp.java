package dev.agon.nn;

import dev.agon.tensor.Noise;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.LeakyReLU;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMax;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A fully connected network with hand-written forward and backward passes on {@link INDArray}s.
 *
 * <p>All parameters live in one flat row vector {@link #params()} of shape {@code [1, numParams]};
 * per layer, first the weight matrix {@code W} ({@code in x out}, row-major, so {@code y = x W +
 * b}; this is the transpose of PyTorch's {@code nn.Linear.weight}) and then the bias {@code b}
 * ({@code out}). The layer matrices are views into that vector; {@link #grads()} has the same
 * layout.
 *
 * <p>Activation buffers are allocated once per batch size (the last {@value #MAX_BATCH_SIZES} batch
 * sizes are kept) and reused. Each step still creates a few small Java op objects (ND4J {@code Op}
 * instances and their shape descriptors), but no array buffers.
 *
 * <p>Not thread-safe, but not bound to a thread: it may be created on one thread and used from
 * another, as long as calls do not overlap. It uses no ND4J workspaces.
 */
public final class Mlp implements Network {
  /** How many batch sizes keep their buffers at the same time. */
  public static final int MAX_BATCH_SIZES = PerBatch.MAX_BATCH_SIZES;

  private final MlpSpec spec;
  private final DataType dtype;
  private final int numLayers;
  private final long numParams;
  private final INDArray params;
  private final INDArray grads;
  private final INDArray[] weights;
  private final INDArray[] biases;
  private final INDArray[] weightGrads;
  private final INDArray[] biasGrads;
  private final PerBatch<Buffers> buffersByBatch = new PerBatch<>(Buffers::new);

  private Buffers last;
  private INDArray lastInput;
  private Buffers jvpBuffers;
  private INDArray jvpInput;

  /** Per-batch-size work arrays. */
  private final class Buffers {
    final int batch;
    final INDArray[] outputs; // y_l = act(a_{l-1} W_l + b_l), [B, out_l]
    final INDArray[] deltas; // dL/d(pre-activation of layer l), [B, out_l]
    final INDArray[] derivs; // act'(y_l), [B, out_l]
    final INDArray inputGrad; // [B, in]
    final INDArray ones; // [1, B]
    INDArray[] tangents; // jvp: t_l = (t_{l-1} W_l) * act'(y_l), [B, out_l]; allocated on first jvp

    Buffers(int batch) {
      this.batch = batch;
      outputs = new INDArray[numLayers];
      deltas = new INDArray[numLayers];
      derivs = new INDArray[numLayers];
      for (int l = 0; l < numLayers; l++) {
        outputs[l] = Nd4j.create(dtype, batch, spec.layerOut(l));
        deltas[l] = Nd4j.create(dtype, batch, spec.layerOut(l));
        derivs[l] = Nd4j.create(dtype, batch, spec.layerOut(l));
      }
      inputGrad = Nd4j.create(dtype, batch, spec.inputDim());
      ones = Nd4j.ones(dtype, 1, batch);
    }
  }

  private Mlp(MlpSpec spec, DataType dtype) {
    if (dtype != DataType.FLOAT && dtype != DataType.DOUBLE) {
      throw new IllegalArgumentException("dtype must be FLOAT or DOUBLE, got " + dtype);
    }
    this.spec = spec;
    this.dtype = dtype;
    this.numLayers = spec.numLayers();
    this.numParams = spec.numParams();
    this.params = Nd4j.create(dtype, 1, numParams);
    this.grads = Nd4j.create(dtype, 1, numParams);
    weights = new INDArray[numLayers];
    biases = new INDArray[numLayers];
    weightGrads = new INDArray[numLayers];
    biasGrads = new INDArray[numLayers];
    long off = 0;
    for (int l = 0; l < numLayers; l++) {
      int in = spec.layerIn(l);
      int out = spec.layerOut(l);
      weights[l] = matrixView(params, off, in, out);
      weightGrads[l] = matrixView(grads, off, in, out);
      off += (long) in * out;
      biases[l] = matrixView(params, off, 1, out);
      biasGrads[l] = matrixView(grads, off, 1, out);
      off += out;
    }
  }

  private INDArray matrixView(INDArray flat, long offset, long rows, long cols) {
    return Nd4j.create(
        flat.data(), new long[] {rows, cols}, new long[] {cols, 1}, offset, 'c', dtype);
  }

  /**
   * A network with PyTorch's default {@code nn.Linear} initialisation: every weight and bias of a
   * layer with {@code fan_in} inputs drawn from {@code U(-1/sqrt(fan_in), 1/sqrt(fan_in))}. The
   * values are drawn in double from {@link Noise#uniform} (stream = layer, index 0 for W, 1 for b)
   * and depend only on {@code (spec, seed)}; a FLOAT network holds the DOUBLE network's values
   * rounded to float.
   */
  public static Mlp create(MlpSpec spec, long seed, DataType dtype) {
    Objects.requireNonNull(spec, "spec");
    Mlp m = new Mlp(spec, dtype);
    for (int l = 0; l < m.numLayers; l++) {
      double bound = 1.0 / Math.sqrt(spec.layerIn(l));
      m.weights[l].assign(scaledUniform(m.weights[l].shape(), seed, l, 0, bound));
      m.biases[l].assign(scaledUniform(m.biases[l].shape(), seed, l, 1, bound));
    }
    return m;
  }

  private static INDArray scaledUniform(
      long[] shape, long seed, long stream, long index, double b) {
    INDArray u = Nd4j.create(DataType.DOUBLE, shape);
    Noise.uniform(u, seed, stream, index);
    return u.muli(2.0 * b).subi(b);
  }

  @Override
  public long[] inputShape() {
    return new long[] {spec.inputDim()};
  }

  @Override
  public long[] outputShape() {
    return new long[] {spec.outputDim()};
  }

  @Override
  public Mlp replica() {
    return new Mlp(spec, dtype);
  }

  public MlpSpec spec() {
    return spec;
  }

  @Override
  public long numParams() {
    return numParams;
  }

  @Override
  public DataType dtype() {
    return dtype;
  }

  /** The flat parameter vector {@code [1, numParams]} (live; layer weights are views into it). */
  @Override
  public INDArray params() {
    return params;
  }

  /** The flat gradient vector {@code [1, numParams]}, same layout, written by {@link #backward}. */
  @Override
  public INDArray grads() {
    return grads;
  }

  /** Weight matrix view of layer {@code l}, {@code [in, out]}. */
  public INDArray weight(int l) {
    return weights[l];
  }

  /** Bias view of layer {@code l}, {@code [1, out]}. */
  public INDArray bias(int l) {
    return biases[l];
  }

  /** Copies {@code flat} (any shape with {@code numParams} elements, any float type) in. */
  @Override
  public void copyParamsFrom(INDArray flat) {
    if (flat.length() != numParams) {
      throw new IllegalArgumentException(
          "expected " + numParams + " parameters, got " + flat.length());
    }
    params.assign(flat.reshape('c', 1, numParams));
  }

  /**
   * Forward pass {@code [B, in] -> [B, out]}. The returned array is an internal buffer that the
   * next call with the same batch size overwrites ({@code dup()} it to keep it). The pass keeps a
   * reference to {@code x} for {@link #backward}: do not modify {@code x} until then.
   */
  @Override
  public INDArray forward(INDArray x) {
    if (x.rank() != 2 || x.columns() != spec.inputDim()) {
      throw new IllegalArgumentException(
          "expected [B, "
              + spec.inputDim()
              + "] input, got "
              + java.util.Arrays.toString(x.shape()));
    }
    if (x.dataType() != dtype) {
      throw new IllegalArgumentException("expected " + dtype + " input, got " + x.dataType());
    }
    if (x.rows() <= 0) {
      throw new IllegalArgumentException("empty batch");
    }
    Buffers buf = buffers(x.rows());
    INDArray a = x;
    for (int l = 0; l < numLayers; l++) {
      INDArray y = buf.outputs[l];
      Gemm.gemm(a, weights[l], y, false, false, 1.0, 0.0);
      y.addiRowVector(biases[l]);
      activate(spec.layerActivation(l), y);
      a = y;
    }
    last = buf;
    lastInput = x;
    jvpBuffers = null;
    return a;
  }

  /**
   * Backward pass for the last {@link #forward}. {@code dOut} is dL/d(output) {@code [B, out]}.
   * When {@code paramGrads}, overwrites {@link #grads()} (adds to it when {@code accumulate});
   * otherwise the weight-gradient GEMMs are skipped and {@link #grads()} is left untouched. When
   * {@code inputGrad}, returns dL/dx {@code [B, in]} (an internal buffer, overwritten by the next
   * backward at that batch size), else {@code null}.
   */
  @Override
  public INDArray backward(
      INDArray dOut, boolean paramGrads, boolean inputGrad, boolean accumulate) {
    Buffers buf = last;
    if (buf == null) {
      throw new IllegalStateException("backward without forward");
    }
    if (dOut.rank() != 2 || dOut.rows() != buf.batch || dOut.columns() != spec.outputDim()) {
      throw new IllegalArgumentException(
          "expected dOut ["
              + buf.batch
              + ", "
              + spec.outputDim()
              + "], got "
              + java.util.Arrays.toString(dOut.shape()));
    }
    if (dOut.dataType() != dtype) {
      throw new IllegalArgumentException("expected " + dtype + " dOut, got " + dOut.dataType());
    }
    if (!paramGrads && !inputGrad) {
      return null;
    }
    // delta of the output layer
    int top = numLayers - 1;
    INDArray delta;
    Activation outAct = spec.layerActivation(top);
    if (outAct == Activation.IDENTITY) {
      delta = dOut;
    } else {
      derivative(outAct, buf.outputs[top], buf.derivs[top]);
      delta = buf.deltas[top];
      Nd4j.exec(new MulOp(dOut, buf.derivs[top], delta));
    }
    for (int l = top; l >= 0; l--) {
      INDArray below = l == 0 ? lastInput : buf.outputs[l - 1];
      if (paramGrads) {
        double beta = accumulate ? 1.0 : 0.0;
        Gemm.gemm(below, delta, weightGrads[l], true, false, 1.0, beta);
        Gemm.gemm(buf.ones, delta, biasGrads[l], false, false, 1.0, beta);
      }
      if (l == 0) {
        if (inputGrad) {
          Gemm.gemm(delta, weights[0], buf.inputGrad, false, true, 1.0, 0.0);
          return buf.inputGrad;
        }
        return null;
      }
      INDArray next = buf.deltas[l - 1];
      Gemm.gemm(delta, weights[l], next, false, true, 1.0, 0.0);
      Activation act = spec.layerActivation(l - 1);
      if (act != Activation.IDENTITY) {
        derivative(act, buf.outputs[l - 1], buf.derivs[l - 1]);
        next.muli(buf.derivs[l - 1]);
      }
      delta = next;
    }
    throw new AssertionError("unreachable");
  }

  /**
   * Piecewise linear in the input iff every activation is {@link Activation#IDENTITY}, {@link
   * Activation#RELU} or {@link Activation#LEAKY_RELU}.
   */
  @Override
  public boolean piecewiseLinear() {
    for (int l = 0; l < numLayers; l++) {
      Activation act = spec.layerActivation(l);
      if (act != Activation.IDENTITY && act != Activation.RELU && act != Activation.LEAKY_RELU) {
        return false;
      }
    }
    return true;
  }

  /**
   * Jacobian-vector product at the input of the last {@link #forward}: with the tangent {@code t_0
   * = v} ({@code [B, in]}), {@code t_l = (t_{l-1} W_l) * act'(y_l)} per layer (no bias; the
   * derivative masks of the last forward, as {@link #backward} uses them), returns {@code t_L}
   * {@code [B, out]}, row {@code i} being {@code J(x_i) v_i}. The result is an internal buffer
   * (overwritten by the next jvp at this batch size); {@code v} is referenced until {@link
   * #jvpBackward}: do not modify it until then. Exact for every activation (the derivative at the
   * forward's point); {@link #jvpBackward} is exact only for {@link #piecewiseLinear()} networks.
   */
  @Override
  public INDArray jvp(INDArray v) {
    Buffers buf = last;
    if (buf == null) {
      throw new IllegalStateException("jvp without forward");
    }
    Shapes.check("tangent", v, new long[] {spec.inputDim()}, dtype, buf.batch);
    if (buf.tangents == null) {
      buf.tangents = new INDArray[numLayers];
      for (int l = 0; l < numLayers; l++) {
        buf.tangents[l] = Nd4j.create(dtype, buf.batch, spec.layerOut(l));
      }
    }
    INDArray t = v;
    for (int l = 0; l < numLayers; l++) {
      INDArray next = buf.tangents[l];
      Gemm.gemm(t, weights[l], next, false, false, 1.0, 0.0);
      Activation act = spec.layerActivation(l);
      if (act != Activation.IDENTITY) {
        derivative(act, buf.outputs[l], buf.derivs[l]);
        next.muli(buf.derivs[l]);
      }
      t = next;
    }
    jvpBuffers = buf;
    jvpInput = v;
    return t;
  }

  /**
   * Adds to {@link #grads()} the parameter gradient of {@code <dT, J v>} for the last {@link #jvp}
   * ({@code dT} is {@code [B, out]}): backpropagation through the tangent pass, {@code delta_L = dT
   * * act'(y_L)}, {@code dW_l += t_{l-1}^T delta_l}, {@code delta_{l-1} = (delta_l W_l^T) *
   * act'(y_{l-1})}. Biases get nothing: {@code J} does not depend on them while the activation
   * masks stay fixed, which for a {@link #piecewiseLinear()} network holds almost everywhere (for a
   * smooth activation the term through {@code act''} is missing, so only use it when piecewise
   * linear). Uses the derivative masks of the forward pass the jvp used; call it before the next
   * {@link #forward} or {@link #backward}.
   */
  @Override
  public void jvpBackward(INDArray dT) {
    Buffers buf = jvpBuffers;
    if (buf == null) {
      throw new IllegalStateException("jvpBackward without a jvp after the last forward");
    }
    Shapes.check("dT", dT, new long[] {spec.outputDim()}, dtype, buf.batch);
    int top = numLayers - 1;
    INDArray delta;
    Activation outAct = spec.layerActivation(top);
    if (outAct == Activation.IDENTITY) {
      delta = dT;
    } else {
      derivative(outAct, buf.outputs[top], buf.derivs[top]);
      delta = buf.deltas[top];
      Nd4j.exec(new MulOp(dT, buf.derivs[top], delta));
    }
    for (int l = top; l >= 0; l--) {
      INDArray below = l == 0 ? jvpInput : buf.tangents[l - 1];
      Gemm.gemm(below, delta, weightGrads[l], true, false, 1.0, 1.0);
      if (l == 0) {
        return;
      }
      INDArray next = buf.deltas[l - 1];
      Gemm.gemm(delta, weights[l], next, false, true, 1.0, 0.0);
      Activation act = spec.layerActivation(l - 1);
      if (act != Activation.IDENTITY) {
        derivative(act, buf.outputs[l - 1], buf.derivs[l - 1]);
        next.muli(buf.derivs[l - 1]);
      }
      delta = next;
    }
  }

  private Buffers buffers(int batch) {
    return buffersByBatch.get(batch);
  }

  private void activate(Activation act, INDArray y) {
    switch (act) {
      case IDENTITY -> {}
      case TANH -> Eltwise.tanh(y, y);
      case SIGMOID -> Nd4j.exec(new Sigmoid(y, y));
      case RELU -> Nd4j.exec(new RectifiedLinear(y, y, 0.0));
      case LEAKY_RELU -> Nd4j.exec(new LeakyReLU(y, y, spec.leakySlope()));
    }
  }

  /** Writes act'(.) into {@code d}, computed from the activation output {@code y}. */
  private void derivative(Activation act, INDArray y, INDArray d) {
    switch (act) {
      case IDENTITY -> d.assign(1.0);
      case TANH -> {
        Nd4j.exec(new MulOp(y, y, d));
        d.rsubi(1.0);
      }
      case SIGMOID -> {
        y.rsub(1.0, d);
        d.muli(y);
      }
      case RELU -> Nd4j.exec(new Step(y, d, 0.0));
      case LEAKY_RELU -> {
        // y > 0 ? 1 : slope (ND4J's LeakyReLUDerivative gives 1 at 0, PyTorch the slope)
        double slope = spec.leakySlope();
        Nd4j.exec(new Step(y, d, 0.0));
        if (slope <= 1.0) {
          Nd4j.exec(new ScalarMax(d, slope)); // exact 1 and slope
        } else {
          d.muli(1.0 - slope).addi(slope);
        }
      }
    }
  }
}
