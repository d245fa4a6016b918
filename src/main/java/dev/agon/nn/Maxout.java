package dev.agon.nn;

import dev.agon.tensor.DenseAccess;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.shape.OneHot;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A maxout layer (Goodfellow, Warde-Farley, Mirza, Courville and Bengio, "Maxout Networks", ICML
 * 2013), the hidden unit of the discriminator of Goodfellow et al., "Generative Adversarial Nets",
 * NIPS 2014: {@code z = x W + b} with {@code W} of shape {@code [in, units * pieces]}, and output
 * unit {@code u} is {@code max_k z[:, u * pieces + k]}, the maximum over its {@code pieces}
 * consecutive columns (the layout of pylearn2's {@code Maxout} that the 2014 code used).
 *
 * <p>Shapes {@code [B, in] -> [B, units]}, FLOAT or DOUBLE (the dtype of the bound parameters).
 * Parameters in the layer's slice: {@code W} ({@code in x units*pieces}, row-major) then {@code b}
 * ({@code units*pieces}, one bias per piece, as in pylearn2).
 *
 * <p>Backward routes each unit's gradient to the piece that was the maximum in the last forward; on
 * ties the first (lowest) piece wins, so exactly one piece per unit gets the gradient. Maxout is
 * piecewise linear in its input: {@link #jvp} is {@code v W} (no bias) read at the argmax pieces of
 * the last forward, and {@link #jvpBackward} differentiates that through {@code W} and {@code v}.
 *
 * <p>Two kernels ({@link KernelChoice}) for the max and its routing: Java loops over host copies,
 * or ND4J ops (the default on every backend: on CPU too they measured faster, 0.72-0.97x the loops'
 * time for the 2014 D's first layer, BENCHMARKS.md "Native maxout, dropout and objectives"; no host
 * copies): a max and an argmax reduction over the pieces, the argmax as a one-hot mask {@code [B,
 * units, pieces]} and broadcast products with it. ND4J's argmax also picks the first of equal
 * pieces, so both kernels route the gradient alike and give the same values (the same bits: no
 * arithmetic differs).
 *
 * <p>Buffers are allocated per batch size (the last {@value #MAX_BATCH_SIZES} are kept). Not
 * thread-safe; uses no workspaces.
 */
public final class Maxout implements Layer {
  /** How many batch sizes keep their buffers at the same time. */
  public static final int MAX_BATCH_SIZES = PerBatch.MAX_BATCH_SIZES;

  private final int in;
  private final int units;
  private final int pieces;
  private final int width;
  private final KernelChoice kernel;
  private final Init init;

  private DataType dtype;
  private INDArray weight; // [in, width]
  private INDArray bias; // [1, width]
  private INDArray weightGrad;
  private INDArray biasGrad;

  private final PerBatch<Buffers> buffersByBatch = new PerBatch<>(Buffers::new);

  private Buffers last;
  private INDArray lastInput;
  private INDArray lastTangent;

  private final class Buffers {
    final int batch;
    final INDArray z; // [B, width]
    final INDArray out; // [B, units]
    final INDArray dz; // [B, width]
    final INDArray dx; // [B, in]
    final INDArray ones; // [1, B]
    final INDArray tangentOut; // [B, units], jvp result
    final INDArray tangentDx; // [B, in], jvpBackward result
    final int[] argmax; // column of the winning piece per (row, unit)
    final double[] zj; // [B * width]
    final double[] oj; // [B * units]
    final double[] dzj; // [B * width]
    final INDArray mask; // [B, units, pieces], ND4J kernel: 1 at the winning piece, else 0

    Buffers(int batch) {
      this.batch = batch;
      z = Nd4j.create(dtype, batch, width);
      out = Nd4j.create(dtype, batch, units);
      dz = Nd4j.create(dtype, batch, width);
      dx = Nd4j.create(dtype, batch, in);
      ones = Nd4j.ones(dtype, 1, batch);
      tangentOut = Nd4j.create(dtype, batch, units);
      tangentDx = Nd4j.create(dtype, batch, in);
      boolean host = kernel == KernelChoice.HOST_LOOP;
      argmax = host ? new int[batch * units] : null;
      zj = host ? new double[batch * width] : null;
      oj = host ? new double[batch * units] : null;
      dzj = host ? new double[batch * width] : null;
      mask = host ? null : Nd4j.create(dtype, batch, units, pieces);
    }
  }

  /**
   * @param in input features
   * @param units output units
   * @param pieces linear pieces per unit (at least 1; 1 makes it a plain linear layer)
   */
  public Maxout(int in, int units, int pieces) {
    this(in, units, pieces, KernelChoice.opsUnlessForced());
  }

  /** Like {@link #Maxout(int, int, int)} on the given kernel. */
  public Maxout(int in, int units, int pieces, KernelChoice kernel) {
    this(in, units, pieces, kernel, Init.PYTORCH);
  }

  /** Like {@link #Maxout(int, int, int)}, initialised by {@code init} (fan-in {@code in}). */
  public Maxout(int in, int units, int pieces, Init init) {
    this(in, units, pieces, KernelChoice.opsUnlessForced(), init);
  }

  /** Like {@link #Maxout(int, int, int, Init)} on the given kernel. */
  public Maxout(int in, int units, int pieces, KernelChoice kernel, Init init) {
    this.kernel = java.util.Objects.requireNonNull(kernel, "kernel");
    this.init = java.util.Objects.requireNonNull(init, "init");
    if (in < 1 || units < 1 || pieces < 1) {
      throw new IllegalArgumentException(
          "in, units and pieces must be >= 1, got " + in + ", " + units + ", " + pieces);
    }
    if ((long) units * pieces > Integer.MAX_VALUE / 2) {
      throw new IllegalArgumentException("units * pieces too large");
    }
    this.in = in;
    this.units = units;
    this.pieces = pieces;
    this.width = units * pieces;
  }

  public int in() {
    return in;
  }

  public int units() {
    return units;
  }

  public int pieces() {
    return pieces;
  }

  @Override
  public long[] inputShape() {
    return new long[] {in};
  }

  @Override
  public long[] outputShape() {
    return new long[] {units};
  }

  @Override
  public long numParams() {
    return (long) in * width + width;
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
    long wLen = (long) in * width;
    weight = matrixView(params, 0, in, width);
    weightGrad = matrixView(grads, 0, in, width);
    bias = matrixView(params, wLen, 1, width);
    biasGrad = matrixView(grads, wLen, 1, width);
    buffersByBatch.clear();
    last = null;
    lastInput = null;
    lastTangent = null;
  }

  /** The weight view {@code [in, units * pieces]} (after {@link #bind}). */
  public INDArray weight() {
    return weight;
  }

  /** The bias view {@code [1, units * pieces]} (after {@link #bind}). */
  public INDArray bias() {
    return bias;
  }

  /**
   * By the layer's {@link Init} over the {@code [in, units * pieces]} weight and its bias, fan-in
   * {@code in}: by default PyTorch's {@code nn.Linear} initialisation, as {@link Mlp#create}, every
   * weight and bias from {@code U(-1/sqrt(in), 1/sqrt(in))} (index 0 for {@code W}, 1 for {@code
   * b}); {@link Init#uniform} for the 2014 code's {@code U(-0.005, 0.005)} with zero biases.
   */
  @Override
  public void initialize(long seed, long stream) {
    requireBound();
    init.weightAndBias(weight, bias, in, seed, stream);
  }

  private void requireBound() {
    if (weight == null) {
      throw new IllegalStateException("Maxout is not bound to parameters");
    }
  }

  @Override
  public INDArray forward(INDArray x, Context ctx) {
    requireBound();
    checkInput(x, "x", -1);
    Buffers buf = buffers((int) x.rows());
    Gemm.gemm(x, weight, buf.z, false, false, 1.0, 0.0);
    buf.z.addiRowVector(bias);
    last = buf;
    lastInput = x;
    lastTangent = null;
    if (kernel == KernelChoice.ND4J_OPS) {
      INDArray z3 = buf.z.reshape('c', buf.batch, units, pieces);
      buf.out.assign(z3.max(2));
      Nd4j.exec(new OneHot(Nd4j.argMax(z3, 2), buf.mask, pieces));
      return buf.out;
    }
    DenseAccess.read(buf.z, buf.zj);
    double[] z = buf.zj;
    double[] o = buf.oj;
    int[] arg = buf.argmax;
    for (int r = 0; r < buf.batch; r++) {
      int row = r * width;
      for (int u = 0; u < units; u++) {
        int col = u * pieces;
        double best = z[row + col];
        int bestCol = col;
        for (int k = 1; k < pieces; k++) {
          double v = z[row + col + k];
          if (v > best) { // strict: the first of equal pieces wins
            best = v;
            bestCol = col + k;
          }
        }
        o[r * units + u] = best;
        arg[r * units + u] = bestCol;
      }
    }
    DenseAccess.write(buf.out, o);
    return buf.out;
  }

  @Override
  public INDArray backward(
      INDArray dOut, boolean paramGrads, boolean inputGrad, boolean accumulate) {
    Buffers buf = requireForward();
    checkOutput(dOut, buf.batch, "dOut");
    if (!paramGrads && !inputGrad) {
      return null;
    }
    scatter(dOut, buf);
    if (paramGrads) {
      double beta = accumulate ? 1.0 : 0.0;
      Gemm.gemm(lastInput, buf.dz, weightGrad, true, false, 1.0, beta);
      Gemm.gemm(buf.ones, buf.dz, biasGrad, false, false, 1.0, beta);
    }
    if (!inputGrad) {
      return null;
    }
    Gemm.gemm(buf.dz, weight, buf.dx, false, true, 1.0, 0.0);
    return buf.dx;
  }

  /** Writes {@code g} routed to the argmax pieces (zeros elsewhere) into {@code buf.dz}. */
  private void scatter(INDArray g, Buffers buf) {
    if (kernel == KernelChoice.ND4J_OPS) {
      INDArray dz3 = buf.dz.reshape('c', buf.batch, units, pieces);
      Nd4j.exec(new BroadcastMulOp(buf.mask, g, dz3, 0, 1));
      return;
    }
    DenseAccess.read(g, buf.oj);
    double[] dz = buf.dzj;
    Arrays.fill(dz, 0.0);
    int[] arg = buf.argmax;
    for (int r = 0; r < buf.batch; r++) {
      for (int u = 0; u < units; u++) {
        dz[r * width + arg[r * units + u]] = buf.oj[r * units + u];
      }
    }
    DenseAccess.write(buf.dz, dz);
  }

  @Override
  public boolean piecewiseLinear() {
    return true;
  }

  /**
   * {@code (v W)} at the argmax pieces of the last forward, {@code [B, units]}. Keeps a reference
   * to {@code v} for {@link #jvpBackward}: do not modify it until then.
   */
  @Override
  public INDArray jvp(INDArray v) {
    Buffers buf = requireForward();
    checkInput(v, "v", buf.batch);
    Gemm.gemm(v, weight, buf.z, false, false, 1.0, 0.0);
    lastTangent = v;
    if (kernel == KernelChoice.ND4J_OPS) {
      // exactly one nonzero term per unit, so the sum is the winning piece's value
      INDArray z3 = buf.z.reshape('c', buf.batch, units, pieces).muli(buf.mask);
      buf.tangentOut.assign(z3.sum(2));
      return buf.tangentOut;
    }
    DenseAccess.read(buf.z, buf.zj);
    for (int i = 0; i < buf.oj.length; i++) {
      buf.oj[i] = buf.zj[(i / units) * width + buf.argmax[i]];
    }
    DenseAccess.write(buf.tangentOut, buf.oj);
    return buf.tangentOut;
  }

  /**
   * Adds {@code v^T S(dT)} to the weight gradient (the bias does not enter the tangent), where
   * {@code S} routes {@code dT} to the argmax pieces; returns {@code S(dT) W^T} when {@code
   * inputGrad}.
   */
  @Override
  public INDArray jvpBackward(INDArray dT, boolean inputGrad) {
    Buffers buf = requireForward();
    if (lastTangent == null) {
      throw new IllegalStateException("jvpBackward without jvp");
    }
    checkOutput(dT, buf.batch, "dT");
    scatter(dT, buf);
    Gemm.gemm(lastTangent, buf.dz, weightGrad, true, false, 1.0, 1.0);
    if (!inputGrad) {
      return null;
    }
    Gemm.gemm(buf.dz, weight, buf.tangentDx, false, true, 1.0, 0.0);
    return buf.tangentDx;
  }

  private Buffers requireForward() {
    if (last == null) {
      throw new IllegalStateException("no forward pass to differentiate");
    }
    return last;
  }

  private void checkInput(INDArray x, String what, int batch) {
    if (x.rank() != 2 || x.columns() != in || x.rows() < 1 || (batch >= 0 && x.rows() != batch)) {
      throw new IllegalArgumentException(
          "expected "
              + what
              + " ["
              + (batch >= 0 ? String.valueOf(batch) : "B")
              + ", "
              + in
              + "], got "
              + Arrays.toString(x.shape()));
    }
    if (x.dataType() != dtype) {
      throw new IllegalArgumentException(
          "expected " + dtype + " " + what + ", got " + x.dataType());
    }
  }

  private void checkOutput(INDArray g, int batch, String what) {
    if (g.rank() != 2 || g.rows() != batch || g.columns() != units) {
      throw new IllegalArgumentException(
          "expected "
              + what
              + " ["
              + batch
              + ", "
              + units
              + "], got "
              + Arrays.toString(g.shape()));
    }
    if (g.dataType() != dtype) {
      throw new IllegalArgumentException(
          "expected " + dtype + " " + what + ", got " + g.dataType());
    }
  }

  private Buffers buffers(int batch) {
    return buffersByBatch.get(batch);
  }
}
