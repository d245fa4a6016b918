package dev.agon.objective;

import dev.agon.nn.KernelChoice;
import dev.agon.nn.Mlp;
import dev.agon.nn.Network;
import dev.agon.tensor.DenseAccess;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

/**
 * The gradient penalty of WGAN-GP, Gulrajani et al., "Improved Training of Wasserstein GANs",
 * NeurIPS 2017, Algorithm 1: a soft 1-Lipschitz constraint on the critic, used with {@link
 * Wasserstein} (REAL = higher critic value).
 *
 * <p><b>Definition.</b> For real rows {@code x_i}, fake rows {@code x~_i} and per-sample {@code
 * eps_i ~ U[0,1]} (i = 1..B):
 *
 * <pre>
 * x^_i = eps_i x_i + (1 - eps_i) x~_i
 * g_i  = grad_x D(x^_i)                        (one per sample, the critic's input gradient)
 * P    = lambda / B * sum_i (||g_i||_2 - 1)^2
 * </pre>
 *
 * The caller draws {@code eps} (e.g. {@link dev.agon.tensor.Noise#uniform} keyed by the D update),
 * so a run stays reproducible. {@link #apply} returns {@code P} and the mean {@code ||g_i||} and
 * adds {@code dP/dtheta} into {@code critic.grads()}.
 *
 * <p><b>The exact parameter gradient, and why it needs a piecewise-linear critic.</b> Let the
 * critic be piecewise linear in its input (linear and convolution layers, identity/ReLU/leaky-ReLU
 * activations). Around almost every {@code x^_i} no pre-activation changes sign, so the activation
 * derivatives are constant diagonal masks {@code M_l} there and {@code D(x) = x g_i(theta) +
 * const}, with {@code g_i(theta) = W_1 M_1 W_2 M_2 ... W_L} (row convention) a polynomial in the
 * weights that does not depend on the biases; {@code x^_i} does not depend on {@code theta}. By the
 * chain rule
 *
 * <pre>
 * dP/dtheta = sum_i (dg_i/dtheta)^T dP/dg_i = sum_i (dg_i/dtheta)^T c_i g_i,
 * c_i = 2 lambda (||g_i|| - 1) / (B ||g_i||).
 * </pre>
 *
 * Now fix {@code v_i = c_i g_i} (its value at the current {@code theta}) and consider {@code
 * F(theta) = sum_i J_i(theta) v_i}, where {@code J_i = dD/dx} at {@code x^_i} is the row {@code
 * g_i^T}: {@code F = sum_i g_i(theta)^T v_i}, so {@code dF/dtheta = sum_i (dg_i/dtheta)^T v_i =
 * dP/dtheta}. {@link Network#jvp} computes {@code J v} by a tangent pass through the forward's
 * masks and {@link Network#jvpBackward} with {@code dT = 1} backpropagates through that pass, which
 * is exactly {@code dF/dtheta}. This is autograd's double backprop specialised to fixed masks: the
 * second-order terms through {@code act''} vanish. With a smooth activation (tanh, sigmoid) they do
 * not, and with batch norm the sample's output depends on the batch (the paper, Sec. 4, drops batch
 * norm from the critic for that reason), so such critics are rejected. Where {@code ||g_i|| = 0}
 * (every path dead) the penalty term is 1 and its gradient direction undefined; {@code c_i = 0} is
 * used.
 *
 * <p><b>Order of calls in a critic update.</b> The penalty runs its own forward pass (on {@code
 * x^}) and so overwrites the critic's saved forward state; it only ever adds to the gradients. So:
 * forward (real and fake), the objective's {@link GanObjective#discriminator}, {@code
 * critic.backward(grad, true, false)} (overwriting, {@code accumulate = false}), then {@link
 * #apply} (accumulating), then the optimizer step. The critic's loss is then {@code DLoss.loss() +
 * penalty}.
 *
 * <p><b>Cost and buffers.</b> One forward and one input-gradient backward over {@code B} rows, one
 * tangent pass and one parameter backward; interpolation, norms and coefficients are Java loops in
 * double over host copies, or with {@link KernelChoice#ND4J_OPS} (the default off the CPU backend)
 * ND4J ops in the critic's dtype (row norms, column-vector products; no host copies, the penalty
 * and mean norm read as two reduced scalars and the epsilon range check as two more), agreeing to
 * float rounding. Work buffers are allocated when the batch size (or critic shape or type) changes
 * and reused otherwise. Not thread-safe: one owner.
 */
public final class GradientPenalty {
  /** The weight used in all experiments of Gulrajani et al. (2017). */
  public static final double DEFAULT_LAMBDA = 10.0;

  /**
   * The penalty of one batch.
   *
   * @param penalty {@code lambda / B * sum_i (||g_i|| - 1)^2}
   * @param meanGradNorm {@code (1/B) sum_i ||g_i||}, the critic's mean input-gradient norm at the
   *     interpolates (1 for a critic that meets the constraint there)
   */
  public record Result(double penalty, double meanGradNorm) {}

  private final double lambda;
  private final KernelChoice kernel;
  private int batch = -1;
  private DataType dtype;
  private long[] sampleShape;
  private long[] outShape;
  private INDArray xHat; // [B, input...]
  private INDArray tangent; // [B, input...]: v_i = c_i g_i
  private INDArray ones; // [B, output...]
  private double[] a; // real, then the input gradients
  private double[] b; // fake, then the tangent
  private double[] eps;

  /** A penalty with weight {@link #DEFAULT_LAMBDA}. */
  public GradientPenalty() {
    this(DEFAULT_LAMBDA);
  }

  /** A penalty with weight {@code lambda} (finite, at least 0). */
  public GradientPenalty(double lambda) {
    this(lambda, KernelChoice.forBackend());
  }

  /** A penalty with weight {@code lambda} on {@code kernel}. */
  public GradientPenalty(double lambda, KernelChoice kernel) {
    this.kernel = java.util.Objects.requireNonNull(kernel, "kernel");
    if (!(lambda >= 0) || Double.isInfinite(lambda)) {
      throw new IllegalArgumentException("lambda must be finite and >= 0: " + lambda);
    }
    this.lambda = lambda;
  }

  public double lambda() {
    return lambda;
  }

  /**
   * Computes the penalty on the interpolates of {@code real} and {@code fake} ({@code [B,
   * critic.inputShape()...]}, the critic's dtype; not modified) with per-sample weights {@code
   * epsilon} ({@code B} values in [0, 1], any shape) and adds its gradient into {@code
   * critic.grads()}. Call after the loss's backward (see the class comment); overwrites the
   * critic's forward state.
   *
   * @throws IllegalArgumentException when the critic is not piecewise linear (e.g. batch norm or a
   *     smooth activation), has more than one output per sample, or the shapes do not fit
   */
  public Result apply(Network critic, INDArray real, INDArray fake, INDArray epsilon) {
    return run(critic, real, fake, epsilon, true);
  }

  /** Like {@link #apply} but only computes the penalty: the gradients are left untouched. */
  public Result evaluate(Network critic, INDArray real, INDArray fake, INDArray epsilon) {
    return run(critic, real, fake, epsilon, false);
  }

  private Result run(
      Network critic, INDArray real, INDArray fake, INDArray epsilon, boolean addGradient) {
    check(critic, real, fake, epsilon);
    int rows = (int) real.size(0);
    ensureBuffers(critic, rows);
    int n = (int) real.length();
    int d = n / rows;
    if (kernel == KernelChoice.ND4J_OPS) {
      return runOps(critic, real, fake, epsilon, addGradient, rows, d);
    }
    DenseAccess.read(real, a);
    DenseAccess.read(fake, b);
    DenseAccess.read(epsilon, eps);
    for (int i = 0; i < rows; i++) {
      double e = eps[i];
      if (!(e >= 0.0 && e <= 1.0)) {
        throw new IllegalArgumentException("epsilon[" + i + "] must be in [0, 1]: " + e);
      }
      double f = 1.0 - e;
      for (int j = i * d, end = j + d; j < end; j++) {
        a[j] = e * a[j] + f * b[j];
      }
    }
    DenseAccess.write(xHat, a);
    critic.forward(xHat);
    DenseAccess.read(critic.backward(ones, false, true), a);
    double sumSq = 0;
    double sumNorm = 0;
    double scale = 2.0 * lambda / rows;
    for (int i = 0; i < rows; i++) {
      int from = i * d;
      int end = from + d;
      double s = 0;
      for (int j = from; j < end; j++) {
        s += a[j] * a[j];
      }
      double norm = Math.sqrt(s);
      double dev = norm - 1.0;
      sumSq += dev * dev;
      sumNorm += norm;
      double c = norm > 0 ? scale * dev / norm : 0.0;
      for (int j = from; j < end; j++) {
        b[j] = c * a[j];
      }
    }
    if (addGradient && lambda != 0) {
      DenseAccess.write(tangent, b);
      critic.jvp(tangent);
      critic.jvpBackward(ones);
    }
    return new Result(lambda * sumSq / rows, sumNorm / rows);
  }

  /** {@link #run}'s loops as ND4J ops on {@code [B, d]} views of the batches. */
  private Result runOps(
      Network critic,
      INDArray real,
      INDArray fake,
      INDArray epsilon,
      boolean addGradient,
      int rows,
      int d) {
    INDArray e = epsilon.reshape(rows, 1).castTo(dtype);
    double lo = DenseAccess.scalar(e.min());
    double hi = DenseAccess.scalar(e.max());
    if (!(lo >= 0.0 && hi <= 1.0)) {
      throw new IllegalArgumentException(
          "epsilon must be in [0, 1], got values in " + lo + ".." + hi);
    }
    INDArray f = fake.reshape('c', rows, d);
    INDArray x = xHat.reshape('c', rows, d); // a view: xHat is dense
    x.assign(real.reshape('c', rows, d)).subi(f).muliColumnVector(e).addi(f);
    critic.forward(xHat);
    INDArray g = critic.backward(ones, false, true).reshape('c', rows, d);
    INDArray norm = g.norm2(1).reshape(rows, 1);
    INDArray dev = norm.sub(1.0);
    double sumNorm = DeviceOps.sum(norm);
    double sumSq = DeviceOps.sum(dev.mul(dev));
    if (addGradient && lambda != 0) {
      // c_i = 2 lambda (||g_i|| - 1) / (B ||g_i||); a dead row (norm 0, c infinite) gets 0
      INDArray c = dev.divi(norm).muli(2.0 * lambda / rows);
      BooleanIndexing.replaceWhere(c, 0.0, Conditions.isInfinite());
      tangent.reshape('c', rows, d).assign(g).muliColumnVector(c);
      critic.jvp(tangent);
      critic.jvpBackward(ones);
    }
    return new Result(lambda * sumSq / rows, sumNorm / rows);
  }

  private static void check(Network critic, INDArray real, INDArray fake, INDArray epsilon) {
    if (!critic.piecewiseLinear()) {
      throw new IllegalArgumentException(
          "WGAN-GP needs a piecewise-linear critic (linear or convolution layers with identity, ReLU"
              + " or leaky-ReLU activations, and no batch norm: the penalty is on each sample's own"
              + " input gradient, which batch norm couples to the batch (Gulrajani et al. 2017,"
              + " Sec. 4; use layer norm or no normalisation), and its exact parameter gradient"
              + " here assumes fixed activation masks, which smooth activations such as tanh do"
              + " not have); got "
              + describe(critic));
    }
    long outPerSample = 1;
    for (long s : critic.outputShape()) {
      outPerSample *= s;
    }
    if (outPerSample != 1) {
      throw new IllegalArgumentException(
          "the critic must output one value per sample, got "
              + Arrays.toString(critic.outputShape()));
    }
    if (real.rank() < 1
        || real.size(0) < 1
        || !Arrays.equals(real.shape(), batchShape(real.size(0), critic.inputShape()))) {
      throw new IllegalArgumentException(
          "real batch must be [B, "
              + Arrays.toString(critic.inputShape())
              + "...], got "
              + Arrays.toString(real.shape()));
    }
    if (!Arrays.equals(fake.shape(), real.shape())) {
      throw new IllegalArgumentException(
          "fake batch "
              + Arrays.toString(fake.shape())
              + " differs from real "
              + Arrays.toString(real.shape()));
    }
    if (real.dataType() != critic.dtype() || fake.dataType() != critic.dtype()) {
      throw new IllegalArgumentException(
          "batches must be "
              + critic.dtype()
              + ", got "
              + real.dataType()
              + " and "
              + fake.dataType());
    }
    if (epsilon.length() != real.size(0)) {
      throw new IllegalArgumentException(
          "expected " + real.size(0) + " epsilon values, got " + epsilon.length());
    }
    if (real.length() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("batch too large: " + real.length() + " values");
    }
  }

  private static String describe(Network critic) {
    return critic instanceof Mlp m ? "Mlp " + m.spec() : critic.getClass().getSimpleName();
  }

  private static long[] batchShape(long rows, long[] sample) {
    long[] s = new long[sample.length + 1];
    s[0] = rows;
    System.arraycopy(sample, 0, s, 1, sample.length);
    return s;
  }

  private void ensureBuffers(Network critic, int rows) {
    long[] in = critic.inputShape();
    long[] out = critic.outputShape();
    if (rows == batch
        && critic.dtype() == dtype
        && Arrays.equals(in, sampleShape)
        && Arrays.equals(out, outShape)) {
      return;
    }
    batch = rows;
    dtype = critic.dtype();
    sampleShape = in;
    outShape = out;
    xHat = Nd4j.create(dtype, batchShape(rows, in));
    tangent = Nd4j.create(dtype, batchShape(rows, in));
    ones = Nd4j.ones(dtype, batchShape(rows, out));
    int n = (int) xHat.length();
    a = new double[n];
    b = new double[n];
    eps = new double[rows];
  }

  @Override
  public String toString() {
    return "GradientPenalty[lambda=" + lambda + "]";
  }
}
