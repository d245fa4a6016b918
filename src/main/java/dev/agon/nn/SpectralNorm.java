package dev.agon.nn;

import dev.agon.tensor.DenseAccess;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Spectral normalisation (Miyato et al. 2018) of a {@link Linear}, {@link Conv2d} or {@link Maxout}
 * layer: the layer computes with {@code W / sigma(W)}, where {@code sigma(W) = u^T W v} estimates
 * W's largest singular value. W is the paper's {@code [out, in]} matrix: the transpose of Linear's
 * and Maxout's {@code [in, out]} weight, a convolution's {@code [O, C k k]} weight as it is stored.
 *
 * <p>{@code u} ({@code out}) and {@code v} ({@code in}) are the layer's state ({@code [u, v]}, so
 * snapshots and checkpoints carry them); they change only in {@link #powerIteration}, one step
 * {@code v = W^T u / |W^T u|, u = W v / |W v|} that the trainer runs once per update, so every
 * forward pass of an update (real, fake, penalty) sees the same {@code sigma}. The backward pass is
 * the exact gradient of {@code W / (u^T W v)} with u and v constant, as in the paper and PyTorch:
 * {@code dL/dW = (G - <G, W/sigma> u v^T) / sigma} with {@code G = dL/d(W/sigma)}. The bias is not
 * normalised. Initial u is N(0, I) keyed by {@code (seed, layer index, 2)}, normalised; initial v
 * is {@code W^T u / |W^T u|} of the initial weight.
 *
 * <p>The wrapped layer computes on its own parameter copy holding {@code W / sigma} (and the bias),
 * refreshed each forward pass: one matrix-vector product and one scaled copy of W per forward, two
 * matrix-vector products per power iteration, one extra copy of the weights in memory. Scalars read
 * to the host per layer: sigma per forward, {@code <G, W/sigma>} per backward, the two norms per
 * power iteration.
 */
public final class SpectralNorm implements Layer {
  /** Guards the normalisations against a zero vector (PyTorch's {@code eps}). */
  static final double EPS = 1e-12;

  private final Layer inner;
  private final boolean rowsAreOut; // weight stored [out, in] (conv) or [in, out] (linear)
  private final long out;
  private final long in;
  private final boolean hasBias;
  private final DataType dtype;
  private final INDArray innerParams;
  private final INDArray innerGrads;
  private final INDArray innerWeight;
  private final INDArray innerWeightGrad;
  private final INDArray innerWeightFlat;
  private final INDArray innerWeightGradFlat;
  private final INDArray innerBias;
  private final INDArray innerBiasGrad;
  private final INDArray wv; // [out, 1] scratch: W v
  private final INDArray scalar; // [1, 1] scratch

  private INDArray weight;
  private INDArray weightGrad;
  private INDArray bias;
  private INDArray biasGrad;
  private INDArray u; // [out, 1] view of the state
  private INDArray v; // [in, 1] view of the state
  private double sigma = Double.NaN; // of the last forward

  private SpectralNorm(Layer inner, boolean rowsAreOut, long out, boolean bias, DataType dtype) {
    this.inner = inner;
    this.rowsAreOut = rowsAreOut;
    this.out = out;
    this.hasBias = bias;
    this.dtype = dtype;
    long weights = inner.numParams() - (bias ? out : 0);
    this.in = weights / out;
    innerParams = Nd4j.create(dtype, 1, inner.numParams());
    innerGrads = Nd4j.create(dtype, 1, inner.numParams());
    inner.bind(innerParams, innerGrads, null);
    long rows = rowsAreOut ? out : in;
    long cols = rowsAreOut ? in : out;
    innerWeight = Shapes.view(innerParams, 0, rows, cols);
    innerWeightGrad = Shapes.view(innerGrads, 0, rows, cols);
    innerWeightFlat = Vectors.slice(innerParams, 0, weights);
    innerWeightGradFlat = Vectors.slice(innerGrads, 0, weights);
    innerBias = bias ? Shapes.view(innerParams, weights, 1, out) : null;
    innerBiasGrad = bias ? Shapes.view(innerGrads, weights, 1, out) : null;
    wv = Nd4j.create(dtype, out, 1);
    scalar = Nd4j.create(dtype, 1, 1);
  }

  /** A spectrally normalised {@link Linear} layer {@code [in] -> [out]}. */
  public static SpectralNorm linear(int in, int out, boolean bias, Init init, DataType dtype) {
    return new SpectralNorm(new Linear(in, out, bias, init, dtype), false, out, bias, dtype);
  }

  /** A spectrally normalised {@code conv} (its weight {@code [O, C k k]} is the paper's matrix). */
  public static SpectralNorm conv2d(Conv2d conv, boolean bias, DataType dtype) {
    return new SpectralNorm(conv, true, conv.outputShape()[0], bias, dtype);
  }

  /**
   * A spectrally normalised {@link Maxout} layer: its whole linear map {@code x W + b}, {@code W}
   * of {@code [in, units * pieces]}, is normalised before the max over pieces.
   */
  public static SpectralNorm maxout(Maxout maxout, DataType dtype) {
    long in = maxout.inputShape()[0];
    long width = maxout.numParams() / (in + 1); // W [in, width] and one bias per piece
    return new SpectralNorm(maxout, false, width, true, dtype);
  }

  /** The wrapped layer (it computes with its own copy of {@code W / sigma}). */
  public Layer inner() {
    return inner;
  }

  /** The sigma of the last forward pass (NaN before the first). */
  public double sigma() {
    return sigma;
  }

  /** {@code u^T W v} for the current weight and state: the sigma the next forward divides by. */
  public double sigmaEstimate() {
    multiplyW(v, wv);
    Gemm.gemm(u, wv, scalar, true, false, 1.0, 0.0);
    return DenseAccess.scalar(scalar);
  }

  @Override
  public long[] inputShape() {
    return inner.inputShape();
  }

  @Override
  public long[] outputShape() {
    return inner.outputShape();
  }

  @Override
  public long numParams() {
    return inner.numParams();
  }

  /** u ({@code out} values), then v ({@code in} values). */
  @Override
  public long numState() {
    return out + in;
  }

  @Override
  public void bind(INDArray params, INDArray grads, INDArray state) {
    Vectors.checkPair(params, grads, numParams(), dtype);
    long rows = rowsAreOut ? out : in;
    long cols = rowsAreOut ? in : out;
    long weights = out * in;
    weight = Shapes.view(params, 0, rows, cols);
    weightGrad = Shapes.view(grads, 0, rows, cols);
    if (hasBias) {
      bias = Shapes.view(params, weights, 1, out);
      biasGrad = Shapes.view(grads, weights, 1, out);
    }
    u = Shapes.view(state, 0, out, 1);
    v = Shapes.view(state, out, in, 1);
  }

  @Override
  public void initialize(long seed, long stream) {
    // The wrapped layer draws the same initial values it would draw unnormalised.
    inner.initialize(seed, stream);
    weight.assign(innerWeight);
    if (hasBias) {
      bias.assign(innerBias);
    }
    Init.gaussian(u, 0.0, 1.0, seed, stream, 2);
    normalize(u);
    multiplyWt(u, v);
    normalize(v);
  }

  /**
   * One power-iteration step from the current u on the current weight; u and v change, the
   * parameters do not. The trainer calls it once per update, before the forward passes.
   */
  public void powerIteration() {
    multiplyWt(u, v);
    normalize(v);
    multiplyW(v, u);
    normalize(u);
  }

  /** {@code dst = W^T x} in the paper's orientation ({@code x: [out, 1], dst: [in, 1]}). */
  private void multiplyWt(INDArray x, INDArray dst) {
    Gemm.gemm(weight, x, dst, rowsAreOut, false, 1.0, 0.0);
  }

  /** {@code dst = W x} in the paper's orientation ({@code x: [in, 1], dst: [out, 1]}). */
  private void multiplyW(INDArray x, INDArray dst) {
    Gemm.gemm(weight, x, dst, !rowsAreOut, false, 1.0, 0.0);
  }

  private static void normalize(INDArray x) {
    x.divi(Math.max(DenseAccess.scalar(x.norm2()), EPS));
  }

  @Override
  public INDArray forward(INDArray x, Context ctx) {
    sigma = sigmaEstimate();
    innerWeight.assign(weight).muli(1.0 / sigma);
    if (hasBias) {
      innerBias.assign(bias);
    }
    return inner.forward(x, ctx);
  }

  @Override
  public INDArray backward(
      INDArray dOut, boolean paramGrads, boolean inputGrad, boolean accumulate) {
    INDArray dx = inner.backward(dOut, paramGrads, inputGrad, false);
    if (paramGrads) {
      weightGradient(accumulate);
      if (hasBias) {
        if (accumulate) {
          biasGrad.addi(innerBiasGrad);
        } else {
          biasGrad.assign(innerBiasGrad);
        }
      }
    }
    return dx;
  }

  /**
   * Writes (adds when {@code accumulate}) {@code (G - <G, W/sigma> u v^T) / sigma} to the weight
   * gradient, G being the wrapped layer's weight gradient (overwritten here).
   */
  private void weightGradient(boolean accumulate) {
    Gemm.gemm(innerWeightGradFlat, innerWeightFlat, scalar, false, true, 1.0, 0.0);
    double lambda = DenseAccess.scalar(scalar);
    innerWeightGrad.muli(1.0 / sigma);
    if (accumulate) {
      weightGrad.addi(innerWeightGrad);
    } else {
      weightGrad.assign(innerWeightGrad);
    }
    // u v^T in the stored orientation: [out, in] = u v^T, [in, out] = v u^T.
    INDArray a = rowsAreOut ? u : v;
    INDArray b = rowsAreOut ? v : u;
    Gemm.gemm(a, b, weightGrad, false, true, -lambda / sigma, 1.0);
  }

  @Override
  public boolean piecewiseLinear() {
    return inner.piecewiseLinear();
  }

  /** {@code J v} of the normalised layer: sigma is constant in the input. */
  @Override
  public INDArray jvp(INDArray t) {
    return inner.jvp(t);
  }

  @Override
  public INDArray jvpBackward(INDArray dT, boolean inputGrad) {
    innerGrads.assign(0.0);
    INDArray d = inner.jvpBackward(dT, inputGrad);
    weightGradient(true);
    return d;
  }
}
