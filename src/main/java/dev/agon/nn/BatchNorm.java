package dev.agon.nn;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.transforms.floating.Sqrt;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Batch normalisation (Ioffe and Szegedy 2015) with PyTorch's semantics, over the channels of
 * {@code [B, C, H, W]} ({@code BatchNorm2d}) or the features of {@code [B, F]} ({@code
 * BatchNorm1d}): {@code y = gamma (x - mean) / sqrt(var + eps) + beta}.
 *
 * <p>Training mode normalises with the batch mean and the biased batch variance and updates the
 * running statistics, {@code running = (1 - momentum) running + momentum stat}, with the unbiased
 * variance (PyTorch's choice); evaluation mode normalises with the running statistics. Parameters:
 * {@code gamma [C]}, then {@code beta [C]}; state: running mean {@code [C]}, then running variance
 * {@code [C]} (initially 0 and 1).
 *
 * <p>Two kernels ({@link KernelChoice}): plain-Java loops over host copies, sums in double (the
 * default on the CPU backend, where they measured 2-5x faster than the ND4J ops on one thread), or
 * ND4J ops on the backend (the default elsewhere): {@code moments} over the batch and pixels and
 * broadcasts over the channels into buffers preallocated per batch size, no host copies, sums in
 * the array's precision. They agree to rounding.
 */
public final class BatchNorm implements Layer {
  /** PyTorch's defaults. */
  public static final double DEFAULT_MOMENTUM = 0.1;

  public static final double DEFAULT_EPS = 1e-5;

  private final KernelChoice kernel;

  private final long[] shape;
  private final int channels;
  private final int plane;
  private final double momentum;
  private final double eps;
  private final Init init;
  private final DataType dtype;
  private final PerBatch<Buffers> buffers;

  private INDArray params; // [gamma | beta]
  private INDArray grads;
  private INDArray state; // [mean | var]
  private final Heap paramHeap;
  private final Heap stateHeap;

  // ND4J kernel: [C] views of the bound vectors (made in bind) and [C] scratch shared by all batch
  // sizes (one pass runs at a time)
  private final int[] reduceDims; // batch and pixels
  private INDArray gammaV;
  private INDArray betaV;
  private INDArray gammaGrad;
  private INDArray betaGrad;
  private INDArray meanState;
  private INDArray varState;
  private final INDArray mean;
  private final INDArray var;
  private final INDArray invStd;
  private final INDArray shift;
  private final INDArray k;
  private final INDArray sumDy;
  private final INDArray sumDyXhat;

  private Buffers last;

  private final class Buffers {
    final int batch;
    final Heap x; // the input of the last forward (host loop)
    final Heap work; // y, then dy (host loop)
    final INDArray xhat; // (x - mean) invStd of the last forward (ND4J ops)
    final INDArray tmp; // (ND4J ops)
    final double[] mean = new double[channels];
    final double[] invStd = new double[channels];
    final double[] sumDy = new double[channels];
    final double[] sumDyX = new double[channels];
    final double[] a = new double[channels];
    final double[] b = new double[channels];
    final double[] c = new double[channels];
    final double[] g = new double[2 * channels];
    final INDArray y;
    INDArray dx;
    boolean training;

    Buffers(int batch) {
      this.batch = batch;
      long n = (long) batch * channels * plane;
      boolean host = kernel == KernelChoice.HOST_LOOP;
      x = host ? new Heap(dtype, n) : null;
      work = host ? new Heap(dtype, n) : null;
      xhat = host ? null : Nd4j.create(dtype, Shapes.batched(batch, shape));
      tmp = host ? null : Nd4j.create(dtype, Shapes.batched(batch, shape));
      y = Nd4j.create(dtype, Shapes.batched(batch, shape));
    }
  }

  /**
   * @param shape per-sample shape, {@code [C, H, W]} or {@code [F]}
   */
  public BatchNorm(long[] shape, double momentum, double eps, Init init, DataType dtype) {
    this(shape, momentum, eps, init, dtype, KernelChoice.forBackend());
  }

  BatchNorm(
      long[] shape, double momentum, double eps, Init init, DataType dtype, KernelChoice kernel) {
    Shapes.checkDtype(dtype);
    if (shape.length != 1 && shape.length != 3) {
      throw new IllegalArgumentException(
          "BatchNorm needs a [C, H, W] or [F] input, got " + java.util.Arrays.toString(shape));
    }
    if (!(momentum >= 0 && momentum <= 1) || !(eps > 0)) {
      throw new IllegalArgumentException(
          "need 0 <= momentum <= 1 and eps > 0: " + momentum + ", " + eps);
    }
    this.shape = shape.clone();
    this.channels = Math.toIntExact(shape[0]);
    this.plane = shape.length == 3 ? Math.toIntExact(shape[1] * shape[2]) : 1;
    this.momentum = momentum;
    this.eps = eps;
    this.init = init;
    this.dtype = dtype;
    this.kernel = kernel;
    this.buffers = new PerBatch<>(Buffers::new);
    boolean host = kernel == KernelChoice.HOST_LOOP;
    this.paramHeap = host ? new Heap(dtype, 2L * channels) : null;
    this.stateHeap = host ? new Heap(dtype, 2L * channels) : null;
    this.reduceDims = shape.length == 3 ? new int[] {0, 2, 3} : new int[] {0};
    this.mean = host ? null : Nd4j.create(dtype, channels);
    this.var = host ? null : Nd4j.create(dtype, channels);
    this.invStd = host ? null : Nd4j.create(dtype, channels);
    this.shift = host ? null : Nd4j.create(dtype, channels);
    this.k = host ? null : Nd4j.create(dtype, channels);
    this.sumDy = host ? null : Nd4j.create(dtype, channels);
    this.sumDyXhat = host ? null : Nd4j.create(dtype, channels);
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
    return 2L * channels;
  }

  @Override
  public long numState() {
    return 2L * channels;
  }

  @Override
  public void bind(INDArray params, INDArray grads, INDArray state) {
    Vectors.checkPair(params, grads, numParams(), dtype);
    if (state == null || state.length() != numState() || state.dataType() != dtype) {
      throw new IllegalArgumentException("expected " + numState() + " " + dtype + " state values");
    }
    this.params = params;
    this.grads = grads;
    this.state = state;
    this.gammaV = channelView(params, 0);
    this.betaV = channelView(params, channels);
    this.gammaGrad = channelView(grads, 0);
    this.betaGrad = channelView(grads, channels);
    this.meanState = channelView(state, 0);
    this.varState = channelView(state, channels);
  }

  private INDArray channelView(INDArray flat, long offset) {
    return Shapes.view(flat, offset, 1, channels).reshape('c', new long[] {channels});
  }

  /** The scale {@code gamma}, {@code [1, C]} view. */
  public INDArray gamma() {
    return Shapes.view(params, 0, 1, channels);
  }

  /** The shift {@code beta}, {@code [1, C]} view. */
  public INDArray beta() {
    return Shapes.view(params, channels, 1, channels);
  }

  /** Running mean {@code [1, C]} view. */
  public INDArray runningMean() {
    return Shapes.view(state, 0, 1, channels);
  }

  /** Running variance {@code [1, C]} view. */
  public INDArray runningVar() {
    return Shapes.view(state, channels, 1, channels);
  }

  @Override
  public void initialize(long seed, long stream) {
    if (init == Init.DCGAN) {
      Init.gaussian(gamma(), 1.0, 0.02, seed, stream, 0);
    } else {
      gamma().assign(1.0);
    }
    beta().assign(0.0);
    runningMean().assign(0.0);
    runningVar().assign(1.0);
  }

  @Override
  public boolean batchCoupled() {
    return true;
  }

  @Override
  public INDArray forward(INDArray input, Context ctx) {
    int batch = Shapes.check("input", input, shape, dtype, 0);
    Buffers buf = buffers.get(batch);
    buf.training = ctx.training();
    if (kernel == KernelChoice.ND4J_OPS) {
      return forwardNative(input, buf);
    }
    Heap x = buf.x.read(input);
    paramHeap.read(params);
    stateHeap.read(state);
    long count = (long) batch * plane;
    if (buf.training) {
      if (count < 2) {
        throw new IllegalArgumentException(
            "batch norm in training mode needs more than 1 value per channel, got " + count);
      }
      double[] var = buf.invStd;
      Arrays.fill(buf.mean, 0.0);
      channelSums(x, null, null, batch, buf.mean, null);
      for (int c = 0; c < channels; c++) {
        buf.mean[c] /= count;
      }
      Arrays.fill(var, 0.0);
      channelSums(x, null, buf.mean, batch, var, null);
      for (int c = 0; c < channels; c++) {
        var[c] /= count; // biased
        double unbiased = var[c] * count / (count - 1);
        stateHeap.set(c, (1 - momentum) * stateHeap.get(c) + momentum * buf.mean[c]);
        stateHeap.set(
            channels + c, (1 - momentum) * stateHeap.get(channels + c) + momentum * unbiased);
        buf.invStd[c] = 1.0 / Math.sqrt(var[c] + eps);
      }
      stateHeap.write(state);
    } else {
      for (int c = 0; c < channels; c++) {
        buf.mean[c] = stateHeap.get(c);
        buf.invStd[c] = 1.0 / Math.sqrt(stateHeap.get(channels + c) + eps);
      }
    }
    // y = x * scale + shift
    for (int c = 0; c < channels; c++) {
      double scale = paramHeap.get(c) * buf.invStd[c];
      buf.a[c] = scale;
      buf.b[c] = paramHeap.get(channels + c) - buf.mean[c] * scale;
    }
    affine(x, null, buf.a, null, buf.b, batch, buf.work);
    buf.work.write(buf.y);
    last = buf;
    return buf.y;
  }

  @Override
  public INDArray backward(
      INDArray dOut, boolean paramGrads, boolean inputGrad, boolean accumulate) {
    Buffers buf = last;
    if (buf == null) {
      throw new IllegalStateException("backward without forward");
    }
    int batch = Shapes.check("dOut", dOut, shape, dtype, buf.batch);
    if (!paramGrads && !inputGrad) {
      return null;
    }
    if (kernel == KernelChoice.ND4J_OPS) {
      return backwardNative(dOut, buf, paramGrads, inputGrad, accumulate);
    }
    Heap x = buf.x;
    Heap dy = buf.work.read(dOut);
    // sums[c] = sum dy, sums[C + c] = sum dy (x - mean), then * invStd = sum dy xhat
    double[] sumDy = buf.sumDy;
    double[] sumDyX = buf.sumDyX;
    Arrays.fill(sumDy, 0.0);
    Arrays.fill(sumDyX, 0.0);
    channelSums(dy, x, buf.mean, batch, sumDyX, sumDy);
    for (int c = 0; c < channels; c++) {
      sumDyX[c] *= buf.invStd[c];
    }
    if (paramGrads) {
      // d gamma = sum dy * xhat, d beta = sum dy
      System.arraycopy(sumDyX, 0, buf.g, 0, channels);
      System.arraycopy(sumDy, 0, buf.g, channels, channels);
      paramHeap.store(buf.g, grads, accumulate);
    }
    if (!inputGrad) {
      return null;
    }
    paramHeap.read(params);
    double count = (double) batch * plane;
    // training: dx = k (dy - mean(dy) - xhat mean(dy xhat)), k = gamma invStd, i.e.
    //   dx = k dy + (-k bx) x + (k bx mean - k mean(dy)) with bx = mean(dy xhat) invStd
    // eval: dx = k dy
    for (int c = 0; c < channels; c++) {
      double k = paramHeap.get(c) * buf.invStd[c];
      buf.a[c] = k;
      if (buf.training) {
        double bx = sumDyX[c] / count * buf.invStd[c];
        buf.b[c] = -k * bx;
        buf.c[c] = k * bx * buf.mean[c] - k * sumDy[c] / count;
      } else {
        buf.b[c] = 0.0;
        buf.c[c] = 0.0;
      }
    }
    affine(dy, x, buf.a, buf.b, buf.c, batch, dy);
    if (buf.dx == null) {
      buf.dx = Nd4j.create(dtype, Shapes.batched(batch, shape));
    }
    dy.write(buf.dx);
    return buf.dx;
  }

  // ND4J kernel, passes over the activations: forward 1 (moments) + 4, backward 3 (sums) + 4.
  // Each per-channel affine map is a broadcast multiply then a broadcast add (ND4J has no fused
  // one; its batchnorm op measured 20 ms against 2 ms for the pair at [64, 64, 14, 14]).
  private INDArray forwardNative(INDArray input, Buffers buf) {
    long count = (long) buf.batch * plane;
    if (buf.training) {
      if (count < 2) {
        throw new IllegalArgumentException(
            "batch norm in training mode needs more than 1 value per channel, got " + count);
      }
      // mean and biased variance in one op
      Nd4j.exec(
          DynamicCustomOp.builder("moments")
              .addInputs(input)
              .addOutputs(mean, var)
              .addIntegerArguments(reduceDims)
              .build());
      // running = (1 - momentum) running + momentum stat, with the unbiased variance
      meanState.muli(1 - momentum).addi(shift.assign(mean).muli(momentum));
      varState.muli(1 - momentum).addi(shift.assign(var).muli(momentum * count / (count - 1)));
      invStd.assign(var);
    } else {
      mean.assign(meanState);
      invStd.assign(varState);
    }
    invStd.addi(eps);
    Nd4j.exec(new Sqrt(invStd, invStd));
    invStd.rdivi(1.0);
    // xhat = x invStd - mean invStd, y = xhat gamma + beta
    Nd4j.exec(new MulOp(mean, invStd, shift));
    shift.negi();
    Nd4j.exec(new BroadcastMulOp(input, invStd, buf.xhat, 1));
    Nd4j.exec(new BroadcastAddOp(buf.xhat, shift, buf.xhat, 1));
    Nd4j.exec(new BroadcastMulOp(buf.xhat, gammaV, buf.y, 1));
    Nd4j.exec(new BroadcastAddOp(buf.y, betaV, buf.y, 1));
    last = buf;
    return buf.y;
  }

  private INDArray backwardNative(
      INDArray dOut, Buffers buf, boolean paramGrads, boolean inputGrad, boolean accumulate) {
    if (paramGrads || buf.training) {
      dOut.sum(sumDy, reduceDims);
      Nd4j.exec(new MulOp(dOut, buf.xhat, buf.tmp));
      buf.tmp.sum(sumDyXhat, reduceDims);
    }
    if (paramGrads) {
      // d gamma = sum dy xhat, d beta = sum dy
      if (accumulate) {
        gammaGrad.addi(sumDyXhat);
        betaGrad.addi(sumDy);
      } else {
        gammaGrad.assign(sumDyXhat);
        betaGrad.assign(sumDy);
      }
    }
    if (!inputGrad) {
      return null;
    }
    if (buf.dx == null) {
      buf.dx = Nd4j.create(dtype, Shapes.batched(buf.batch, shape));
    }
    INDArray dx = buf.dx;
    Nd4j.exec(new MulOp(gammaV, invStd, k)); // k = gamma invStd; invStd kept for a next backward
    Nd4j.exec(new BroadcastMulOp(dOut, k, dx, 1));
    if (buf.training) {
      // dx = k (dy - mean(dy) - xhat mean(dy xhat)) = k dy - (k mean(dy xhat)) xhat - k mean(dy)
      double count = (double) buf.batch * plane;
      Nd4j.exec(new MulOp(k, sumDyXhat, shift));
      shift.muli(-1.0 / count);
      Nd4j.exec(new BroadcastMulOp(buf.xhat, shift, buf.tmp, 1));
      Nd4j.exec(new AddOp(dx, buf.tmp, dx));
      Nd4j.exec(new MulOp(k, sumDy, shift));
      shift.muli(-1.0 / count);
      Nd4j.exec(new BroadcastAddOp(dx, shift, dx, 1));
    }
    return dx;
  }

  /**
   * Per channel c, adds to {@code out[c]} the sum of {@code u} over the batch and pixels, where
   * {@code u = v - centre[c]} (no centre: {@code u = v}), squared when {@code w} is null, else
   * {@code u = v * (w - centre[c])}; with {@code plain} non-null also adds the sum of {@code v} to
   * it. Partial sums over one plane are taken in the array's precision, then added in double.
   */
  private void channelSums(
      Heap v, Heap w, double[] centre, int batch, double[] out, double[] plain) {
    Parallel.range(
        channels,
        (long) batch * channels * plane,
        (from, to) -> {
          if (plane == 1) {
            featureSums(v, w, centre, batch, out, plain, from, to);
          } else {
            planeSums(v, w, centre, batch, out, plain, from, to);
          }
        });
  }

  private void planeSums(
      Heap v, Heap w, double[] centre, int batch, double[] out, double[] plain, int from, int to) {
    for (int bi = 0; bi < batch; bi++) {
      for (int c = from; c < to; c++) {
        int at = (bi * channels + c) * plane;
        double m = centre == null ? 0.0 : centre[c];
        if (v.f != null) {
          float mf = (float) m;
          float s0 = 0;
          float s1 = 0;
          float p0 = 0;
          float p1 = 0;
          int q = at;
          int end = at + plane;
          if (w == null && centre == null) {
            for (; q + 1 < end; q += 2) {
              s0 += v.f[q];
              s1 += v.f[q + 1];
            }
            for (; q < end; q++) {
              s0 += v.f[q];
            }
          } else if (w == null) {
            for (; q + 1 < end; q += 2) {
              float u0 = v.f[q] - mf;
              float u1 = v.f[q + 1] - mf;
              s0 += u0 * u0;
              s1 += u1 * u1;
            }
            for (; q < end; q++) {
              float u0 = v.f[q] - mf;
              s0 += u0 * u0;
            }
          } else {
            for (; q + 1 < end; q += 2) {
              s0 += v.f[q] * (w.f[q] - mf);
              s1 += v.f[q + 1] * (w.f[q + 1] - mf);
              p0 += v.f[q];
              p1 += v.f[q + 1];
            }
            for (; q < end; q++) {
              s0 += v.f[q] * (w.f[q] - mf);
              p0 += v.f[q];
            }
          }
          out[c] += (double) s0 + s1;
          if (plain != null) {
            plain[c] += (double) p0 + p1;
          }
        } else {
          double s = 0;
          double p = 0;
          for (int q = at; q < at + plane; q++) {
            if (w == null) {
              double u = v.d[q] - m;
              s += centre == null ? v.d[q] : u * u;
            } else {
              s += v.d[q] * (w.d[q] - m);
              p += v.d[q];
            }
          }
          out[c] += s;
          if (plain != null) {
            plain[c] += p;
          }
        }
      }
    }
  }

  /** {@link #channelSums} for {@code [B, F]}: features are contiguous, so loop over them inside. */
  private void featureSums(
      Heap v, Heap w, double[] centre, int batch, double[] out, double[] plain, int from, int to) {
    int n = channels;
    for (int bi = 0; bi < batch; bi++) {
      int at = bi * n;
      if (v.f != null) {
        float[] vf = v.f;
        if (w == null && centre == null) {
          for (int c = from; c < to; c++) {
            out[c] += vf[at + c];
          }
        } else if (w == null) {
          for (int c = from; c < to; c++) {
            double u = vf[at + c] - centre[c];
            out[c] += u * u;
          }
        } else {
          float[] wf = w.f;
          for (int c = from; c < to; c++) {
            double vc = vf[at + c];
            out[c] += vc * (wf[at + c] - centre[c]);
            plain[c] += vc;
          }
        }
      } else {
        double[] vd = v.d;
        for (int c = from; c < to; c++) {
          if (w == null) {
            double u = centre == null ? vd[at + c] : vd[at + c] - centre[c];
            out[c] += centre == null ? u : u * u;
          } else {
            out[c] += vd[at + c] * (w.d[at + c] - centre[c]);
            plain[c] += vd[at + c];
          }
        }
      }
    }
  }

  /**
   * {@code out = a[c] v + b[c] w + c[c]} per channel ({@code w}, {@code b} may be null; {@code out}
   * may be {@code v}).
   */
  private void affine(Heap v, Heap w, double[] a, double[] b, double[] cc, int batch, Heap out) {
    float[] af = v.f != null ? toFloat(a, 0) : null;
    float[] bf = v.f != null ? toFloat(b, 1) : null;
    float[] cf = v.f != null ? toFloat(cc, 2) : null;
    Parallel.range(
        channels,
        (long) batch * channels * plane,
        (from, to) -> affine(v, w, a, b, cc, af, bf, cf, batch, out, from, to));
  }

  private void affine(
      Heap v,
      Heap w,
      double[] a,
      double[] b,
      double[] cc,
      float[] af,
      float[] bf,
      float[] cf,
      int batch,
      Heap out,
      int from,
      int to) {
    if (plane == 1 && v.f != null) {
      int n = channels;
      for (int bi = 0; bi < batch; bi++) {
        int at = bi * n;
        if (w == null) {
          for (int c = from; c < to; c++) {
            out.f[at + c] = v.f[at + c] * af[c] + cf[c];
          }
        } else {
          for (int c = from; c < to; c++) {
            out.f[at + c] = v.f[at + c] * af[c] + w.f[at + c] * bf[c] + cf[c];
          }
        }
      }
      return;
    }
    for (int bi = 0; bi < batch; bi++) {
      for (int c = from; c < to; c++) {
        int at = (bi * channels + c) * plane;
        int end = at + plane;
        if (v.f != null) {
          float ac = af[c];
          float ccf = cf[c];
          if (w == null) {
            for (int q = at; q < end; q++) {
              out.f[q] = v.f[q] * ac + ccf;
            }
          } else {
            float bc = bf[c];
            for (int q = at; q < end; q++) {
              out.f[q] = v.f[q] * ac + w.f[q] * bc + ccf;
            }
          }
        } else {
          double bc = b == null ? 0.0 : b[c];
          for (int q = at; q < end; q++) {
            out.d[q] = v.d[q] * a[c] + (w == null ? 0.0 : w.d[q] * bc) + cc[c];
          }
        }
      }
    }
  }

  private final float[][] floatScratch = new float[3][];

  private float[] toFloat(double[] src, int slot) {
    if (src == null) {
      return null;
    }
    float[] f = floatScratch[slot];
    if (f == null) {
      f = floatScratch[slot] = new float[channels];
    }
    for (int i = 0; i < channels; i++) {
      f[i] = (float) src[i];
    }
    return f;
  }
}
