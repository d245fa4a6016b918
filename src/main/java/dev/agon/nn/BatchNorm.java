package dev.agon.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
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
 * {@code [C]} (initially 0 and 1). Computed in plain Java, sums in double.
 */
public final class BatchNorm implements Layer {
  /** PyTorch's defaults. */
  public static final double DEFAULT_MOMENTUM = 0.1;

  public static final double DEFAULT_EPS = 1e-5;

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

  private Buffers last;

  private final class Buffers {
    final int batch;
    final Heap x; // the input of the last forward
    final Heap work; // y, then dy
    final double[] mean = new double[channels];
    final double[] invStd = new double[channels];
    final double[] sums = new double[2 * channels];
    final INDArray y;
    INDArray dx;
    boolean training;

    Buffers(int batch) {
      this.batch = batch;
      long n = (long) batch * channels * plane;
      x = new Heap(dtype, n);
      work = new Heap(dtype, n);
      y = Nd4j.create(dtype, Shapes.batched(batch, shape));
    }
  }

  /**
   * @param shape per-sample shape, {@code [C, H, W]} or {@code [F]}
   */
  public BatchNorm(long[] shape, double momentum, double eps, Init init, DataType dtype) {
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
    this.buffers = new PerBatch<>(Buffers::new);
    this.paramHeap = new Heap(dtype, 2L * channels);
    this.stateHeap = new Heap(dtype, 2L * channels);
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
    Heap x = buf.x.read(input);
    paramHeap.read(params);
    stateHeap.read(state);
    long count = (long) batch * plane;
    if (buf.training) {
      if (count < 2) {
        throw new IllegalArgumentException(
            "batch norm in training mode needs more than 1 value per channel, got " + count);
      }
      moments(x, batch, buf.mean, buf.invStd);
      for (int c = 0; c < channels; c++) {
        double var = buf.invStd[c]; // moments() leaves the biased variance here
        buf.invStd[c] = 1.0 / Math.sqrt(var + eps);
        double unbiased = var * count / (count - 1);
        stateHeap.set(c, (1 - momentum) * stateHeap.get(c) + momentum * buf.mean[c]);
        stateHeap.set(
            channels + c, (1 - momentum) * stateHeap.get(channels + c) + momentum * unbiased);
      }
      stateHeap.write(state);
    } else {
      for (int c = 0; c < channels; c++) {
        buf.mean[c] = stateHeap.get(c);
        buf.invStd[c] = 1.0 / Math.sqrt(stateHeap.get(channels + c) + eps);
      }
    }
    Heap y = buf.work;
    for (int b = 0; b < batch; b++) {
      for (int c = 0; c < channels; c++) {
        int at = (b * channels + c) * plane;
        double scale = paramHeap.get(c) * buf.invStd[c];
        double shift = paramHeap.get(channels + c) - buf.mean[c] * scale;
        if (x.f != null) {
          float s = (float) scale;
          float t = (float) shift;
          for (int q = at; q < at + plane; q++) {
            y.f[q] = x.f[q] * s + t;
          }
        } else {
          for (int q = at; q < at + plane; q++) {
            y.d[q] = x.d[q] * scale + shift;
          }
        }
      }
    }
    y.write(buf.y);
    last = buf;
    return buf.y;
  }

  /**
   * Per-channel mean and biased variance (two passes, in double) into {@code mean}, {@code var}.
   */
  private void moments(Heap x, int batch, double[] mean, double[] var) {
    java.util.Arrays.fill(mean, 0.0);
    java.util.Arrays.fill(var, 0.0);
    for (int b = 0; b < batch; b++) {
      for (int c = 0; c < channels; c++) {
        int at = (b * channels + c) * plane;
        double s = 0;
        if (x.f != null) {
          for (int q = at; q < at + plane; q++) {
            s += x.f[q];
          }
        } else {
          for (int q = at; q < at + plane; q++) {
            s += x.d[q];
          }
        }
        mean[c] += s;
      }
    }
    double count = (double) batch * plane;
    for (int c = 0; c < channels; c++) {
      mean[c] /= count;
    }
    for (int b = 0; b < batch; b++) {
      for (int c = 0; c < channels; c++) {
        int at = (b * channels + c) * plane;
        double m = mean[c];
        double s = 0;
        if (x.f != null) {
          for (int q = at; q < at + plane; q++) {
            double u = x.f[q] - m;
            s += u * u;
          }
        } else {
          for (int q = at; q < at + plane; q++) {
            double u = x.d[q] - m;
            s += u * u;
          }
        }
        var[c] += s;
      }
    }
    for (int c = 0; c < channels; c++) {
      var[c] /= count;
    }
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
    Heap x = buf.x;
    Heap dy = buf.work.read(dOut);
    // sums[c] = sum dy, sums[C + c] = sum dy * xhat
    double[] sums = buf.sums;
    java.util.Arrays.fill(sums, 0.0);
    for (int b = 0; b < batch; b++) {
      for (int c = 0; c < channels; c++) {
        int at = (b * channels + c) * plane;
        double m = buf.mean[c];
        double s = 0;
        double sx = 0;
        if (x.f != null) {
          for (int q = at; q < at + plane; q++) {
            s += dy.f[q];
            sx += dy.f[q] * (x.f[q] - m);
          }
        } else {
          for (int q = at; q < at + plane; q++) {
            s += dy.d[q];
            sx += dy.d[q] * (x.d[q] - m);
          }
        }
        sums[c] += s;
        sums[channels + c] += sx;
      }
    }
    for (int c = 0; c < channels; c++) {
      sums[channels + c] *= buf.invStd[c];
    }
    if (paramGrads) {
      // d gamma = sum dy * xhat, d beta = sum dy
      double[] g = new double[2 * channels];
      System.arraycopy(sums, channels, g, 0, channels);
      System.arraycopy(sums, 0, g, channels, channels);
      paramHeap.store(g, grads, accumulate);
    }
    if (!inputGrad) {
      return null;
    }
    paramHeap.read(params);
    double count = (double) batch * plane;
    for (int b = 0; b < batch; b++) {
      for (int c = 0; c < channels; c++) {
        int at = (b * channels + c) * plane;
        double k = paramHeap.get(c) * buf.invStd[c];
        if (buf.training) {
          // dx = gamma invStd (dy - mean(dy) - xhat mean(dy xhat))
          double m = buf.mean[c];
          double is = buf.invStd[c];
          double a = sums[c] / count;
          double bx = sums[channels + c] / count * is;
          if (x.f != null) {
            for (int q = at; q < at + plane; q++) {
              dy.f[q] = (float) (k * (dy.f[q] - a - (x.f[q] - m) * bx));
            }
          } else {
            for (int q = at; q < at + plane; q++) {
              dy.d[q] = k * (dy.d[q] - a - (x.d[q] - m) * bx);
            }
          }
        } else {
          if (x.f != null) {
            float kf = (float) k;
            for (int q = at; q < at + plane; q++) {
              dy.f[q] *= kf;
            }
          } else {
            for (int q = at; q < at + plane; q++) {
              dy.d[q] *= k;
            }
          }
        }
      }
    }
    if (buf.dx == null) {
      buf.dx = Nd4j.create(dtype, Shapes.batched(batch, shape));
    }
    dy.write(buf.dx);
    return buf.dx;
  }
}
