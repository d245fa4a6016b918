package dev.agon.nn;

import dev.agon.tensor.DenseAccess;
import dev.agon.tensor.Noise;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastSubOp;
import org.nd4j.linalg.api.ops.impl.transforms.same.Sign;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Minibatch discrimination, Salimans, Goodfellow, Zaremba, Cheung, Radford and Chen, "Improved
 * Techniques for Training GANs", NIPS 2016, Sec. 3.2. With input features {@code f(x_i)} of width
 * {@code A} and a tensor {@code T} in {@code R^{A x B x C}} ({@code B} kernels of dimension {@code
 * C}):
 *
 * <pre>
 *   M_i = f(x_i) T                       reshaped to [B, C]
 *   c_b(x_i, x_j) = exp(-||M_{i,b} - M_{j,b}||_L1)
 *   o(x_i)_b = sum over j != i of c_b(x_i, x_j)
 *   output_i = concat(f(x_i), o(x_i))    width A + B
 * </pre>
 *
 * <p><b>The self term.</b> The paper writes the sum over all {@code j} of the batch, so {@code j =
 * i} adds {@code exp(0) = 1} to every {@code o_b}. The authors' released code (openai/improved-gan,
 * {@code MinibatchLayer}) removes it by adding {@code 1e6} to the diagonal distances. This layer
 * follows the code by default ({@code j != i}): the self term is a constant that carries no
 * information about the other samples and has zero gradient (the L1 distance of a row to itself is
 * identically 0), so the two versions differ only by a constant shift of the {@code B} outputs, and
 * without it a batch of one gives {@code o = 0}. {@code includeSelf = true} gives the paper's
 * formula. Neither adds the released code's learnable bias on {@code o} (not in the paper); a
 * following linear layer has one.
 *
 * <p>Parameters: {@code T} only, stored as an {@code [A, B*C]} row-major matrix ({@code T[a, b, c]}
 * at {@code a*B*C + b*C + c}). Initialised {@code N(0, 0.05^2)} (the standard deviation of the
 * released code's {@code Normal(0.05)}, which it used under weight normalisation; here {@code T} is
 * the plain tensor of the paper).
 *
 * <p>Backward: with {@code g_{i,b} = dL/do_{i,b}}, each unordered pair contributes {@code -(g_{i,b}
 * + g_{j,b}) c_b(x_i, x_j) sign(M_{i,b,c} - M_{j,b,c})} to {@code dL/dM_{i,b,c}} and the negative
 * of it to {@code dL/dM_{j,b,c}}, with {@code sign(0) = 0} at exact ties (the L1 norm's subgradient
 * used by autodiff frameworks); then {@code dL/dT = f^T dL/dM} and {@code dL/df = dL/d(output)[:,
 * :A] + dL/dM T^T}.
 *
 * <p>Cost: the pairwise part is {@code O(batch^2 * B * C)} in plain Java over double copies,
 * visiting each unordered pair once and keeping its {@code c_b} for the backward ({@code
 * batch(batch-1)/2 * B} doubles). With {@link KernelChoice#ND4J_OPS} (the default off the CPU
 * backend; no host copies) the same sums run as broadcast ops over all ordered pairs in the
 * parameters' dtype: the differences {@code [n, n, B, C]} are kept for the backward ({@code n^2 B
 * C} values, 8 MB at batch 64 and the shipped 100 x 5 kernels), the diagonal masked out unless
 * {@code includeSelf}; twice the pairwise work of the loops and float sums for FLOAT, agreeing to
 * rounding. Batch-coupled, not piecewise linear; FLOAT or DOUBLE (the dtype of the bound
 * parameters; the pairwise sums run in double either way).
 */
public final class MinibatchDiscrimination implements Layer {
  /** How many batch sizes keep their buffers at the same time. */
  public static final int MAX_BATCH_SIZES = PerBatch.MAX_BATCH_SIZES;

  /** Standard deviation of the initial {@code T}. */
  public static final double INIT_STD = 0.05;

  private final int in;
  private final int kernels;
  private final int kernelDim;
  private final int width; // kernels * kernelDim
  private final boolean includeSelf;
  private final KernelChoice kernel;

  private DataType dtype;
  private INDArray tensor; // [in, width]
  private INDArray tensorGrad;

  private final PerBatch<Buffers> buffersByBatch = new PerBatch<>(Buffers::new);

  private Buffers last;
  private INDArray lastInput;

  private final class Buffers {
    final int batch;
    final INDArray m; // [n, width]
    final INDArray dm; // [n, width]
    final INDArray out; // [n, in + kernels]
    final INDArray dx; // [n, in]
    final double[] mj; // [n * width]
    final double[] dmj; // [n * width]
    final double[] xj; // [n * in], then output rows
    final double[] outj; // [n * (in + kernels)]
    final double[] pairs; // c_b per unordered pair (i < j), [n(n-1)/2 * kernels]
    // ND4J kernel only (null for the loops):
    final INDArray diff; // [n, n, kernels, kernelDim]: M_i - M_j
    final INDArray c; // [n, n, kernels]: c_b(x_i, x_j), 0 on the diagonal unless includeSelf
    final INDArray offDiagonal; // [n, n]: 1 - I

    Buffers(int n) {
      batch = n;
      m = Nd4j.create(dtype, n, width);
      dm = Nd4j.create(dtype, n, width);
      out = Nd4j.create(dtype, n, in + kernels);
      dx = Nd4j.create(dtype, n, in);
      boolean host = kernel == KernelChoice.HOST_LOOP;
      mj = host ? new double[n * width] : null;
      dmj = host ? new double[n * width] : null;
      xj = host ? new double[n * in] : null;
      outj = host ? new double[n * (in + kernels)] : null;
      pairs = host ? new double[Math.toIntExact((long) n * (n - 1) / 2 * kernels)] : null;
      diff = host ? null : Nd4j.create(dtype, n, n, kernels, kernelDim);
      c = host ? null : Nd4j.create(dtype, n, n, kernels);
      offDiagonal = host ? null : Nd4j.ones(dtype, n, n).subi(Nd4j.eye(n).castTo(dtype));
    }
  }

  /** The code's version without the self term; see the class comment. */
  public MinibatchDiscrimination(int in, int kernels, int kernelDim) {
    this(in, kernels, kernelDim, false);
  }

  /**
   * @param in input features {@code A}
   * @param kernels number of kernels {@code B}
   * @param kernelDim kernel dimension {@code C}
   * @param includeSelf whether {@code o} includes the {@code j = i} term (the paper's formula)
   */
  public MinibatchDiscrimination(int in, int kernels, int kernelDim, boolean includeSelf) {
    this(in, kernels, kernelDim, includeSelf, KernelChoice.forBackend());
  }

  /** Like {@link #MinibatchDiscrimination(int, int, int, boolean)} on the given kernel. */
  public MinibatchDiscrimination(
      int in, int kernels, int kernelDim, boolean includeSelf, KernelChoice kernel) {
    this.kernel = java.util.Objects.requireNonNull(kernel, "kernel");
    if (in < 1 || kernels < 1 || kernelDim < 1) {
      throw new IllegalArgumentException(
          "in, kernels and kernelDim must be >= 1, got " + in + ", " + kernels + ", " + kernelDim);
    }
    this.in = in;
    this.kernels = kernels;
    this.kernelDim = kernelDim;
    this.width = Math.multiplyExact(kernels, kernelDim);
    this.includeSelf = includeSelf;
  }

  public int in() {
    return in;
  }

  public int kernels() {
    return kernels;
  }

  public int kernelDim() {
    return kernelDim;
  }

  public boolean includeSelf() {
    return includeSelf;
  }

  @Override
  public long[] inputShape() {
    return new long[] {in};
  }

  @Override
  public long[] outputShape() {
    return new long[] {in + kernels};
  }

  @Override
  public long numParams() {
    return (long) in * width;
  }

  /**
   * A {@code [rows, cols]} c-order view of {@code flat} ({@code [1, n]}, possibly itself a view at
   * an offset) starting at element {@code offset}.
   */
  private static INDArray matrixView(INDArray flat, long offset, long rows, long cols) {
    return flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(offset, offset + rows * cols))
        .reshape('c', rows, cols);
  }

  @Override
  public void bind(INDArray params, INDArray grads, INDArray state) {
    Vectors.checkPair(params, grads, numParams(), params.dataType());
    DataType t = params.dataType();
    if (t != DataType.FLOAT && t != DataType.DOUBLE) {
      throw new IllegalArgumentException("dtype must be FLOAT or DOUBLE, got " + t);
    }
    dtype = t;
    tensor = matrixView(params, 0, in, width);
    tensorGrad = matrixView(grads, 0, in, width);
    buffersByBatch.clear();
    last = null;
    lastInput = null;
  }

  /** {@code T} as the {@code [A, B*C]} view (after {@link #bind}). */
  public INDArray tensor() {
    return tensor;
  }

  /** {@code T ~ N(0, INIT_STD^2)}, drawn in double from {@link Noise#gaussian} with index 0. */
  @Override
  public void initialize(long seed, long stream) {
    requireBound();
    INDArray g = Nd4j.create(DataType.DOUBLE, in, width);
    Noise.gaussian(g, seed, stream, 0);
    tensor.assign(g.muli(INIT_STD));
  }

  private void requireBound() {
    if (tensor == null) {
      throw new IllegalStateException("MinibatchDiscrimination is not bound to parameters");
    }
  }

  @Override
  public boolean batchCoupled() {
    return true;
  }

  @Override
  public INDArray forward(INDArray x, Context ctx) {
    requireBound();
    if (x.rank() != 2 || x.columns() != in || x.rows() < 1) {
      throw new IllegalArgumentException(
          "expected x [B, " + in + "], got " + Arrays.toString(x.shape()));
    }
    if (x.dataType() != dtype) {
      throw new IllegalArgumentException("expected " + dtype + " x, got " + x.dataType());
    }
    int n = (int) x.rows();
    Buffers buf = buffers(n);
    Gemm.gemm(x, tensor, buf.m, false, false, 1.0, 0.0);
    last = buf;
    lastInput = x;
    if (kernel == KernelChoice.ND4J_OPS) {
      forwardOps(x, buf);
      return buf.out;
    }
    DenseAccess.read(buf.m, buf.mj);
    DenseAccess.read(x, buf.xj);
    int outW = in + kernels;
    double[] out = buf.outj;
    double self = includeSelf ? 1.0 : 0.0;
    for (int i = 0; i < n; i++) {
      System.arraycopy(buf.xj, i * in, out, i * outW, in);
      Arrays.fill(out, i * outW + in, (i + 1) * outW, self);
    }
    double[] m = buf.mj;
    double[] pairs = buf.pairs;
    int p = 0;
    for (int i = 0; i < n; i++) {
      int oi = i * outW + in;
      for (int j = i + 1; j < n; j++) {
        int oj = j * outW + in;
        int mi = i * width;
        int mj = j * width;
        for (int b = 0; b < kernels; b++) {
          double d = 0;
          for (int c = 0; c < kernelDim; c++) {
            d += Math.abs(m[mi + c] - m[mj + c]);
          }
          double e = Math.exp(-d);
          pairs[p++] = e;
          out[oi + b] += e;
          out[oj + b] += e;
          mi += kernelDim;
          mj += kernelDim;
        }
      }
    }
    DenseAccess.write(buf.out, out);
    return buf.out;
  }

  /** The forward's pairwise sums as broadcast ops over all ordered pairs (i, j). */
  private void forwardOps(INDArray x, Buffers buf) {
    int n = buf.batch;
    INDArray m3 = buf.m.reshape('c', n, kernels, kernelDim);
    buf.diff.assign(0);
    Nd4j.exec(new BroadcastAddOp(buf.diff, m3, buf.diff, 0, 2, 3)); // + M_i
    Nd4j.exec(new BroadcastSubOp(buf.diff, m3, buf.diff, 1, 2, 3)); // - M_j
    INDArray dist = Transforms.abs(buf.diff, true).sum(3); // [n, n, kernels]
    buf.c.assign(Transforms.exp(dist.negi(), false));
    if (!includeSelf) {
      Nd4j.exec(new BroadcastMulOp(buf.c, buf.offDiagonal, buf.c, 0, 1));
    }
    buf.out.get(NDArrayIndex.all(), NDArrayIndex.interval(0, in)).assign(x);
    buf.out.get(NDArrayIndex.all(), NDArrayIndex.interval(in, in + kernels)).assign(buf.c.sum(1));
  }

  /**
   * {@code dL/dM_i = sum_j w_ij sign(M_i - M_j)} with {@code w_ij = -(g_i + g_j) c(x_i, x_j)} per
   * kernel, into {@code buf.dm}: each unordered pair's two terms of the loops, from both orders.
   */
  private void backwardOps(INDArray dOut, Buffers buf) {
    int n = buf.batch;
    INDArray g = dOut.get(NDArrayIndex.all(), NDArrayIndex.interval(in, in + kernels)); // [n, K]
    INDArray w = Nd4j.create(dtype, n, n, kernels);
    Nd4j.exec(new BroadcastAddOp(w, g, w, 0, 2)); // + g_i
    Nd4j.exec(new BroadcastAddOp(w, g, w, 1, 2)); // + g_j
    w.muli(buf.c).negi();
    INDArray s = Nd4j.exec(new Sign(buf.diff, buf.diff.ulike()));
    Nd4j.exec(new BroadcastMulOp(s, w, s, 0, 1, 2));
    buf.dm.reshape('c', n, kernels, kernelDim).assign(s.sum(1));
  }

  @Override
  public INDArray backward(
      INDArray dOut, boolean paramGrads, boolean inputGrad, boolean accumulate) {
    Buffers buf = last;
    if (buf == null) {
      throw new IllegalStateException("no forward pass to differentiate");
    }
    int n = buf.batch;
    int outW = in + kernels;
    if (dOut.rank() != 2 || dOut.rows() != n || dOut.columns() != outW) {
      throw new IllegalArgumentException(
          "expected dOut [" + n + ", " + outW + "], got " + Arrays.toString(dOut.shape()));
    }
    if (dOut.dataType() != dtype) {
      throw new IllegalArgumentException("expected " + dtype + " dOut, got " + dOut.dataType());
    }
    if (!paramGrads && !inputGrad) {
      return null;
    }
    if (kernel == KernelChoice.ND4J_OPS) {
      backwardOps(dOut, buf);
      return gradients(dOut, buf, paramGrads, inputGrad, accumulate);
    }
    double[] g = buf.outj;
    DenseAccess.read(dOut, g);
    double[] m = buf.mj;
    double[] dm = buf.dmj;
    Arrays.fill(dm, 0.0);
    double[] pairs = buf.pairs;
    int p = 0;
    for (int i = 0; i < n; i++) {
      int gi = i * outW + in;
      for (int j = i + 1; j < n; j++) {
        int gj = j * outW + in;
        int mi = i * width;
        int mj = j * width;
        for (int b = 0; b < kernels; b++) {
          double w = -(g[gi + b] + g[gj + b]) * pairs[p++];
          if (w != 0.0) {
            for (int c = 0; c < kernelDim; c++) {
              double diff = m[mi + c] - m[mj + c];
              // sign(diff) w, 0 at exact ties; copySign avoids a mispredicted branch on the sign
              double s = diff == 0.0 ? 0.0 : Math.copySign(1.0, diff) * w;
              dm[mi + c] += s;
              dm[mj + c] -= s;
            }
          }
          mi += kernelDim;
          mj += kernelDim;
        }
      }
    }
    DenseAccess.write(buf.dm, dm);
    return gradients(dOut, buf, paramGrads, inputGrad, accumulate);
  }

  /** {@code dL/dT = f^T dL/dM} and {@code dL/df = dL/d(output)[:, :A] + dL/dM T^T}. */
  private INDArray gradients(
      INDArray dOut, Buffers buf, boolean paramGrads, boolean inputGrad, boolean accumulate) {
    if (paramGrads) {
      Gemm.gemm(lastInput, buf.dm, tensorGrad, true, false, 1.0, accumulate ? 1.0 : 0.0);
    }
    if (!inputGrad) {
      return null;
    }
    Gemm.gemm(buf.dm, tensor, buf.dx, false, true, 1.0, 0.0);
    buf.dx.addi(dOut.get(NDArrayIndex.all(), NDArrayIndex.interval(0, in)));
    return buf.dx;
  }

  private Buffers buffers(int batch) {
    return buffersByBatch.get(batch);
  }
}
