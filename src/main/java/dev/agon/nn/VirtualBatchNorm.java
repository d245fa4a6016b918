package dev.agon.nn;

import dev.agon.tensor.DenseAccess;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastSubOp;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Virtual batch normalisation, Salimans, Goodfellow, Zaremba, Cheung, Radford and Chen, "Improved
 * Techniques for Training GANs", NIPS 2016, Sec. 3.4: each example {@code x} is normalised with the
 * statistics of a fixed reference batch combined with {@code x} itself, so that its output does not
 * depend on the other examples of its minibatch.
 *
 * <p>Per feature ({@code [B, F]} input) or per channel ({@code [B, C, H, W]}, or any {@code [B, C,
 * ...]}: statistics over the trailing positions), with {@code S}, {@code Q} the sum and sum of
 * squares of the reference activations of that feature over the reference batch (and its spatial
 * positions), {@code n} their count ({@code R} or {@code R*H*W}) and {@code m} the example's own
 * count (1 or {@code H*W}):
 *
 * <pre>
 *   mu      = (S + sum_p x_p)   / (n + m)
 *   sigma^2 = (Q + sum_p x_p^2) / (n + m) - mu^2
 *   y_p     = gamma (x_p - mu) / sqrt(sigma^2 + eps) + beta,   eps = 1e-5
 * </pre>
 *
 * For {@code [B, F]} this is the paper's "reference batch plus the current example": {@code mu =
 * (sum_ref + x) / (R + 1)}. For images it weighs the example like one more member of the reference
 * batch, as the authors' released code does ({@code 1/(R+1)} times the example's spatial mean plus
 * {@code R/(R+1)} times the reference mean).
 *
 * <p><b>Where the reference lives.</b> {@code S}, {@code Q} and {@code n} are the layer's state
 * ({@link #numState()} {@code = 2F + 1}: {@code S} per feature, then {@code Q} per feature, then
 * {@code n}), so snapshots and checkpoints carry them and a resumed run or a replica normalises
 * against the same reference. {@link #initialize} zeroes them; a forward pass without a reference
 * throws.
 *
 * <p><b>Protocol: recording the reference.</b> The network's owner fixes a reference batch of
 * network inputs once (for a generator, say, a noise batch drawn with a fixed key) and, after
 * initialising the parameters, calls {@link #recordReferences(List, INDArray, Layer.Context)} with
 * the network's layers in order: the reference batch is forwarded layer by layer; at each virtual
 * batch norm layer its input activations become that layer's reference ({@link #setReference}), and
 * the layer passes the reference batch on normalised by the reference statistics alone (plain batch
 * normalisation, as the reference pass of the released code does), so that the layers above record
 * the activations their statistics describe. The other layers run their ordinary forward in the
 * given context (evaluation mode is the natural choice: no dropout). The pass overwrites the
 * layers' saved forward state: do it between steps, not between a forward and its backward. A
 * network that holds its layers in a list can expose this as one method.
 *
 * <p><b>Gradient and the paper.</b> The reference statistics are constants here: the backward pass
 * differentiates the example's own contribution to {@code mu} and {@code sigma^2} (the {@code
 * 1/(n+m)} terms below), never the reference. The paper instead recomputes the reference statistics
 * with the current parameters on every forward pass (two forward passes per step, which is why it
 * uses VBN only in the generator) and its code differentiates through them. An owner that calls
 * {@link #recordReferences} before every step gets the paper's forward pass; the gradient through
 * the reference statistics is still dropped.
 *
 * <p>Backward: with {@code N = n + m}, {@code xhat = (x - mu) / sqrt(sigma^2 + eps)} and {@code g =
 * dL/dy}, per example and feature {@code dL/dx_p = gamma / sqrt(sigma^2 + eps) (g_p - sum(g) / N -
 * xhat_p sum(g xhat) / N)}, {@code dL/dgamma = sum g xhat}, {@code dL/dbeta = sum g}.
 *
 * <p>Parameters {@code gamma} (initialised to 1) then {@code beta} (0), one per feature, like
 * PyTorch's {@code BatchNorm} weight and bias. Not batch-coupled, identical in training and
 * evaluation mode, not piecewise linear. FLOAT or DOUBLE (the dtype of the bound parameters); sums
 * run in double.
 *
 * <p>Two kernels ({@link KernelChoice}): Java loops over host copies (the CPU default), or ND4J
 * reductions and broadcast ops over a {@code [B, F, positions]} view in the parameters' dtype (the
 * default off the CPU backend; no host copies: the reference count {@code n} is read from the state
 * as one scalar per forward, {@link DenseAccess#scalar}, counted apart), agreeing to rounding.
 */
public final class VirtualBatchNorm implements Layer {
  /** The {@code eps} added to the variance. */
  public static final double EPS = 1e-5;

  /** How many batch sizes keep their buffers at the same time. */
  public static final int MAX_BATCH_SIZES = PerBatch.MAX_BATCH_SIZES;

  private final long[] shape;
  private final int features;
  private final int spatial;
  private final KernelChoice kernel;
  private double hostCount; // ND4J kernel: n of the state, as last set or read

  private DataType dtype;
  private INDArray params; // [1, 2F]: gamma, beta
  private INDArray grads;
  private INDArray state; // [1, 2F + 1]: S, Q, n

  private final double[] gamma;
  private final double[] beta;
  private final double[] stats;
  private final double[] paramGrad;

  private final PerBatch<Buffers> buffersByBatch = new PerBatch<>(Buffers::new);

  private Buffers last;
  private double lastCount; // N = n + m of the last forward

  private final class Buffers {
    final int batch;
    final INDArray out;
    final INDArray dx;
    final double[] xhat; // [B * F * S]
    final double[] work; // [B * F * S]
    final double[] inv; // 1/sqrt(var + eps) per (example, feature)
    final INDArray xhat3; // ND4J kernel: [B, F, positions]
    final INDArray inv2; // ND4J kernel: [B, F]

    Buffers(int batch) {
      this.batch = batch;
      long[] s = withBatch(batch);
      out = Nd4j.create(dtype, s);
      dx = Nd4j.create(dtype, s);
      int n = Math.multiplyExact(batch, Math.multiplyExact(features, spatial));
      boolean host = kernel == KernelChoice.HOST_LOOP;
      xhat = host ? new double[n] : null;
      work = host ? new double[n] : null;
      inv = host ? new double[batch * features] : null;
      xhat3 = host ? null : Nd4j.create(dtype, batch, features, spatial);
      inv2 = host ? null : Nd4j.create(dtype, batch, features);
    }
  }

  /**
   * @param shape per-sample shape: {@code F} for {@code [B, F]} inputs, or {@code C, H, W} (any
   *     {@code C, ...}) for per-channel statistics over the trailing positions
   */
  public VirtualBatchNorm(long... shape) {
    this(KernelChoice.forBackend(), shape);
  }

  /** Like {@link #VirtualBatchNorm(long...)} on the given kernel. */
  public VirtualBatchNorm(KernelChoice kernel, long... shape) {
    this.kernel = java.util.Objects.requireNonNull(kernel, "kernel");
    if (shape.length == 0) {
      throw new IllegalArgumentException("shape must have at least one dimension");
    }
    long s = 1;
    for (int d = 0; d < shape.length; d++) {
      if (shape[d] < 1) {
        throw new IllegalArgumentException("bad shape " + Arrays.toString(shape));
      }
      if (d > 0) {
        s = Math.multiplyExact(s, shape[d]);
      }
    }
    this.shape = shape.clone();
    this.features = Math.toIntExact(shape[0]);
    this.spatial = Math.toIntExact(s);
    gamma = new double[features];
    beta = new double[features];
    stats = new double[2 * features + 1];
    paramGrad = new double[2 * features];
  }

  /** Number of normalised features (or channels). */
  public int features() {
    return features;
  }

  @Override
  public long[] inputShape() {
    return shape.clone();
  }

  @Override
  public long[] outputShape() {
    return shape.clone();
  }

  @Override
  public long numParams() {
    return 2L * features;
  }

  @Override
  public long numState() {
    return 2L * features + 1;
  }

  @Override
  public void bind(INDArray params, INDArray grads, INDArray state) {
    Vectors.checkPair(params, grads, numParams(), params.dataType());
    DataType t = params.dataType();
    if (t != DataType.FLOAT && t != DataType.DOUBLE) {
      throw new IllegalArgumentException("dtype must be FLOAT or DOUBLE, got " + t);
    }
    if (state == null || state.length() != numState() || state.dataType() != t) {
      throw new IllegalArgumentException(
          "expected a " + t + " state of length " + numState() + ", got " + state);
    }
    if (!DenseAccess.isDense(state)) {
      throw new IllegalArgumentException("state must be a contiguous c-order array");
    }
    dtype = t;
    this.params = Vectors.flat(params);
    this.grads = Vectors.flat(grads);
    this.state = Vectors.flat(state);
    buffersByBatch.clear();
    last = null;
  }

  /** {@code gamma = 1}, {@code beta = 0}, and no reference (state zeroed). */
  @Override
  public void initialize(long seed, long stream) {
    requireBound();
    double[] p = new double[2 * features];
    Arrays.fill(p, 0, features, 1.0);
    DenseAccess.write(params, p);
    state.assign(0.0);
  }

  private void requireBound() {
    if (params == null) {
      throw new IllegalStateException("VirtualBatchNorm is not bound to parameters");
    }
  }

  /** Whether a reference has been set (its count is positive). */
  public boolean hasReference() {
    requireBound();
    return state.getDouble(2L * features) > 0;
  }

  /** Number of reference values per feature ({@code R}, or {@code R*H*W}); 0 without reference. */
  public long referenceCount() {
    requireBound();
    return Math.round(state.getDouble(2L * features));
  }

  /**
   * Makes {@code ref} ({@code [R, shape...]}, FLOAT or DOUBLE, {@code R >= 1}) the reference batch:
   * writes its per-feature sum, sum of squares and count into the state.
   */
  public void setReference(INDArray ref) {
    requireBound();
    checkShape(ref, -1, "ref", false);
    int r = Math.toIntExact(ref.size(0));
    if (kernel == KernelChoice.ND4J_OPS) {
      INDArray x3 = ref.castTo(dtype).reshape('c', r, features, spatial);
      slice(state, 0, features).assign(x3.sum(0, 2));
      slice(state, features, 2L * features).assign(x3.mul(x3).sum(0, 2));
      hostCount = (double) r * spatial;
      slice(state, 2L * features, 2L * features + 1).assign(hostCount);
      return;
    }
    double[] x = new double[Math.multiplyExact(r, features * spatial)];
    DenseAccess.read(ref, x);
    double[] s = new double[2 * features + 1];
    for (int i = 0; i < r; i++) {
      for (int k = 0; k < features; k++) {
        int base = (i * features + k) * spatial;
        double sum = 0;
        double sq = 0;
        for (int p = 0; p < spatial; p++) {
          double v = x[base + p];
          sum += v;
          sq += v * v;
        }
        s[k] += sum;
        s[features + k] += sq;
      }
    }
    s[2 * features] = (double) r * spatial;
    DenseAccess.write(state, s);
  }

  /**
   * {@link #setReference} with {@code ref}, then returns {@code ref} normalised by the reference
   * statistics alone ({@code gamma (ref - mu_ref) / sqrt(var_ref + eps) + beta}, a new array of the
   * layer's dtype): the reference activations for the layers above.
   */
  public INDArray reference(INDArray ref) {
    setReference(ref);
    if (kernel == KernelChoice.ND4J_OPS) {
      int r = Math.toIntExact(ref.size(0));
      INDArray x3 = ref.castTo(dtype).reshape('c', r, features, spatial);
      INDArray mu = slice(state, 0, features).div(hostCount);
      INDArray var = slice(state, features, 2L * features).div(hostCount).subi(mu.mul(mu));
      Nd4j.exec(new ScalarMax(var, 0.0));
      INDArray a = Transforms.pow(var.addi(EPS), -0.5, false).muli(slice(params, 0, features));
      INDArray b = slice(params, features, 2L * features).sub(mu.muli(a)); // beta - mu a
      INDArray out3 = Nd4j.create(dtype, r, features, spatial);
      Nd4j.exec(new BroadcastMulOp(x3, a.reshape(features), out3, 1));
      Nd4j.exec(new BroadcastAddOp(out3, b.reshape(features), out3, 1));
      return out3.reshape('c', withBatch(r));
    }
    readParamsAndStats();
    double n = stats[2 * features];
    int r = Math.toIntExact(ref.size(0));
    double[] x = new double[Math.multiplyExact(r, features * spatial)];
    DenseAccess.read(ref, x);
    for (int k = 0; k < features; k++) {
      double mu = stats[k] / n;
      double var = Math.max(stats[features + k] / n - mu * mu, 0.0);
      double inv = 1.0 / Math.sqrt(var + EPS);
      for (int i = 0; i < r; i++) {
        int base = (i * features + k) * spatial;
        for (int p = 0; p < spatial; p++) {
          x[base + p] = gamma[k] * (x[base + p] - mu) * inv + beta[k];
        }
      }
    }
    INDArray out = Nd4j.create(dtype, withBatch(r));
    DenseAccess.write(out, x);
    return out;
  }

  /**
   * Records the references of every {@link VirtualBatchNorm} in {@code layers} (in network order)
   * from the reference batch {@code referenceInput} of network inputs: see the class comment.
   * Returns the reference batch's activations after the last layer (a layer's buffer, or a new
   * array).
   */
  public static INDArray recordReferences(
      List<? extends Layer> layers, INDArray referenceInput, Layer.Context ctx) {
    INDArray a = referenceInput;
    for (Layer layer : layers) {
      if (layer instanceof VirtualBatchNorm) {
        a = ((VirtualBatchNorm) layer).reference(a);
      } else {
        a = layer.forward(a, ctx);
      }
    }
    return a;
  }

  private void readParamsAndStats() {
    double[] p = paramGrad; // scratch
    DenseAccess.read(params, p);
    System.arraycopy(p, 0, gamma, 0, features);
    System.arraycopy(p, features, beta, 0, features);
    DenseAccess.read(state, stats);
  }

  /** Elements {@code from .. to-1} of the flat {@code [1, L]} array {@code a}: a view. */
  private static INDArray slice(INDArray a, long from, long to) {
    return a.get(NDArrayIndex.point(0), NDArrayIndex.interval(from, to)).reshape(1, to - from);
  }

  /** The forward as ND4J ops over {@code [B, F, positions]}: see the class comment. */
  private INDArray forwardOps(INDArray x) {
    // the state may have been replaced (a snapshot, a resume) since the last reference: read n
    hostCount = DenseAccess.scalar(slice(state, 2L * features, 2L * features + 1));
    if (!(hostCount > 0)) {
      throw new IllegalStateException(
          "VirtualBatchNorm has no reference batch: call setReference or recordReferences");
    }
    int batch = Math.toIntExact(x.size(0));
    Buffers buf = buffers(batch);
    double total = hostCount + spatial;
    INDArray x3 = x.reshape('c', batch, features, spatial);
    INDArray sRef = slice(state, 0, features).reshape(features);
    INDArray qRef = slice(state, features, 2L * features).reshape(features);
    INDArray mu = x3.sum(2);
    Nd4j.exec(new BroadcastAddOp(mu, sRef, mu, 1));
    mu.divi(total);
    INDArray var = x3.mul(x3).sum(2);
    Nd4j.exec(new BroadcastAddOp(var, qRef, var, 1));
    var.divi(total).subi(mu.mul(mu));
    Nd4j.exec(new ScalarMax(var, 0.0));
    buf.inv2.assign(Transforms.pow(var.addi(EPS), -0.5, false));
    Nd4j.exec(new BroadcastSubOp(x3, mu, buf.xhat3, 0, 1));
    Nd4j.exec(new BroadcastMulOp(buf.xhat3, buf.inv2, buf.xhat3, 0, 1));
    INDArray out3 = buf.out.reshape('c', batch, features, spatial);
    Nd4j.exec(new BroadcastMulOp(buf.xhat3, slice(params, 0, features).reshape(features), out3, 1));
    Nd4j.exec(
        new BroadcastAddOp(
            out3, slice(params, features, 2L * features).reshape(features), out3, 1));
    last = buf;
    lastCount = total;
    return buf.out;
  }

  /** The backward as ND4J ops: see the class comment. */
  private INDArray backwardOps(
      INDArray dOut, Buffers buf, boolean paramGrads, boolean inputGrad, boolean accumulate) {
    int batch = buf.batch;
    INDArray g3 = dOut.reshape('c', batch, features, spatial);
    INDArray sg = g3.sum(2); // [B, F]
    INDArray sgx = g3.mul(buf.xhat3).sum(2);
    if (paramGrads) {
      INDArray dGamma = slice(grads, 0, features);
      INDArray dBeta = slice(grads, features, 2L * features);
      if (accumulate) {
        dGamma.addi(sgx.sum(0).reshape(1, features));
        dBeta.addi(sg.sum(0).reshape(1, features));
      } else {
        dGamma.assign(sgx.sum(0).reshape(1, features));
        dBeta.assign(sg.sum(0).reshape(1, features));
      }
    }
    if (!inputGrad) {
      return null;
    }
    double total = lastCount;
    INDArray dx3 = buf.dx.reshape('c', batch, features, spatial);
    // gamma inv (g - sum(g) / N - xhat sum(g xhat) / N)
    Nd4j.exec(new BroadcastMulOp(buf.xhat3, sgx.divi(total), dx3, 0, 1));
    dx3.rsubi(g3);
    Nd4j.exec(new BroadcastSubOp(dx3, sg.divi(total), dx3, 0, 1));
    INDArray scale = buf.inv2.dup();
    Nd4j.exec(new BroadcastMulOp(scale, slice(params, 0, features).reshape(features), scale, 1));
    Nd4j.exec(new BroadcastMulOp(dx3, scale, dx3, 0, 1));
    return buf.dx;
  }

  @Override
  public INDArray forward(INDArray x, Context ctx) {
    requireBound();
    checkShape(x, -1, "x", true);
    if (kernel == KernelChoice.ND4J_OPS) {
      return forwardOps(x);
    }
    readParamsAndStats();
    double n = stats[2 * features];
    if (!(n > 0)) {
      throw new IllegalStateException(
          "VirtualBatchNorm has no reference batch: call setReference or recordReferences");
    }
    int batch = Math.toIntExact(x.size(0));
    Buffers buf = buffers(batch);
    double[] v = buf.work;
    DenseAccess.read(x, v);
    double total = n + spatial;
    double[] xhat = buf.xhat;
    for (int i = 0; i < batch; i++) {
      for (int k = 0; k < features; k++) {
        int base = (i * features + k) * spatial;
        double sum = 0;
        double sq = 0;
        for (int p = 0; p < spatial; p++) {
          double e = v[base + p];
          sum += e;
          sq += e * e;
        }
        double mu = (stats[k] + sum) / total;
        double var = Math.max((stats[features + k] + sq) / total - mu * mu, 0.0);
        double inv = 1.0 / Math.sqrt(var + EPS);
        buf.inv[i * features + k] = inv;
        double g = gamma[k];
        double b = beta[k];
        for (int p = 0; p < spatial; p++) {
          double h = (v[base + p] - mu) * inv;
          xhat[base + p] = h;
          v[base + p] = g * h + b;
        }
      }
    }
    DenseAccess.write(buf.out, v);
    last = buf;
    lastCount = total;
    return buf.out;
  }

  @Override
  public INDArray backward(
      INDArray dOut, boolean paramGrads, boolean inputGrad, boolean accumulate) {
    Buffers buf = last;
    if (buf == null) {
      throw new IllegalStateException("no forward pass to differentiate");
    }
    checkShape(dOut, buf.batch, "dOut", true);
    if (!paramGrads && !inputGrad) {
      return null;
    }
    if (kernel == KernelChoice.ND4J_OPS) {
      return backwardOps(dOut, buf, paramGrads, inputGrad, accumulate);
    }
    double[] g = buf.work;
    DenseAccess.read(dOut, g);
    double[] xhat = buf.xhat;
    double[] pg = paramGrad;
    Arrays.fill(pg, 0.0);
    double total = lastCount;
    for (int i = 0; i < buf.batch; i++) {
      for (int k = 0; k < features; k++) {
        int base = (i * features + k) * spatial;
        double sg = 0;
        double sgx = 0;
        for (int p = 0; p < spatial; p++) {
          sg += g[base + p];
          sgx += g[base + p] * xhat[base + p];
        }
        pg[k] += sgx;
        pg[features + k] += sg;
        if (inputGrad) {
          double scale = gamma[k] * buf.inv[i * features + k];
          double mg = sg / total;
          double mgx = sgx / total;
          for (int p = 0; p < spatial; p++) {
            g[base + p] = scale * (g[base + p] - mg - xhat[base + p] * mgx);
          }
        }
      }
    }
    if (paramGrads) {
      if (accumulate) {
        double[] old = new double[2 * features];
        DenseAccess.read(grads, old);
        for (int j = 0; j < old.length; j++) {
          pg[j] += old[j];
        }
      }
      DenseAccess.write(grads, pg);
    }
    if (!inputGrad) {
      return null;
    }
    DenseAccess.write(buf.dx, g);
    return buf.dx;
  }

  private long[] withBatch(int batch) {
    long[] s = new long[shape.length + 1];
    s[0] = batch;
    System.arraycopy(shape, 0, s, 1, shape.length);
    return s;
  }

  private void checkShape(INDArray a, int batch, String what, boolean sameType) {
    long[] s = a.shape();
    boolean ok = s.length == shape.length + 1 && s[0] >= 1 && (batch < 0 || s[0] == batch);
    for (int d = 0; ok && d < shape.length; d++) {
      ok = s[d + 1] == shape[d];
    }
    if (!ok) {
      throw new IllegalArgumentException(
          "expected "
              + what
              + " [B"
              + (batch >= 0 ? "=" + batch : "")
              + ", "
              + Arrays.toString(shape).replaceAll("[\\[\\]]", "")
              + "], got "
              + Arrays.toString(s));
    }
    DataType t = a.dataType();
    if (sameType ? t != dtype : (t != DataType.FLOAT && t != DataType.DOUBLE)) {
      throw new IllegalArgumentException(
          "expected " + (sameType ? dtype : "FLOAT or DOUBLE") + " " + what + ", got " + t);
    }
  }

  private Buffers buffers(int batch) {
    return buffersByBatch.get(batch);
  }
}
