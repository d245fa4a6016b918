package dev.agon.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * 2-D convolution {@code [B, C, H, W] -> [B, O, OH, OW]} with a square kernel, stride and zero
 * padding, {@code OH = (H + 2 pad - k) / stride + 1} (PyTorch's {@code nn.Conv2d}, a
 * cross-correlation). Parameters: the weight in PyTorch's layout {@code [O, C, k, k]}, then the
 * bias {@code [O]} when the layer has one.
 *
 * <p>Computed as im2col (plain Java, {@link Kernels}) and one {@code Nd4j.gemm} over the whole
 * batch ({@code [O, C k k] x [C k k, B OH OW]}) into preallocated buffers; the input gradient is
 * the transposed GEMM followed by col2im.
 *
 * <p>Or (see {@link ConvKernels}: chosen per layer from the loaded ND4J build, on oneDNN builds for
 * layers with at least 16 input and output channels) by libnd4j's {@code conv2d} / {@code
 * conv2d_bp} ops, oneDNN kernels there, straight from the bound parameter views into preallocated
 * outputs: no host copies. Costs of that path: {@code conv2d_bp} always computes the weight and
 * input gradients, so an unneeded one goes to scratch and an accumulated one is added from scratch;
 * the layer keeps a reference to the last input (not a copy) for the backward pass.
 */
public final class Conv2d implements Layer {
  private final int inChannels;
  private final int outChannels;
  private final boolean hasBias;
  private final Init init;
  private final DataType dtype;
  private final ConvKernels kernels;
  private final boolean nativeOps; // kernels == NATIVE
  private final int[] opArgs;
  private final ConvGeometry geom;
  private final PerBatch<Buffers> buffers;

  private INDArray weight; // [O, C k k]
  private INDArray bias; // [1, O]
  private INDArray weightGrad;
  private INDArray biasGrad;
  // The native ops' views of the same parameters and gradients: [O, C, k, k] and [O].
  private INDArray weight4;
  private INDArray bias1;
  private INDArray weightGrad4;
  private INDArray biasGrad1;
  private INDArray dwScratch; // [O, C, k, k], native gradients to be added
  private INDArray dbScratch; // [O]

  private Buffers last;
  private Buffers lastJvp;
  private INDArray lastInput; // native path: the input of the last forward (not copied)
  private INDArray lastTangent; // native path: the tangent of the last jvp

  private final class Buffers {
    final int batch;
    final int n; // columns: batch * OH * OW
    // Java path only (null on the native path): host scratch and the column matrices.
    final Heap image; // [B, C, H, W] scratch
    final Heap colsHeap; // [C k k, n] scratch
    final Heap outMajor; // [O, n] scratch
    final Heap out; // [B, O, OH, OW] scratch
    final Heap small; // [O] scratch
    final double[] sums;
    final INDArray cols; // of the last forward input
    final INDArray outMatrix; // [O, n]
    final INDArray y;
    INDArray dcols;
    INDArray dx;
    INDArray vcols; // of the last jvp tangent
    INDArray t;
    INDArray dv;
    INDArray dxScratch; // native path: the input gradient nobody asked for

    Buffers(int batch) {
      this.batch = batch;
      this.n = batch * geom.gridSize();
      y = Nd4j.create(dtype, batch, outChannels, geom.outHeight(), geom.outWidth());
      if (nativeOps) {
        image = colsHeap = outMajor = out = small = null;
        sums = null;
        cols = outMatrix = null;
        return;
      }
      image = new Heap(dtype, (long) batch * inChannels * geom.imageSize());
      colsHeap = new Heap(dtype, (long) geom.patchSize() * n);
      outMajor = new Heap(dtype, (long) outChannels * n);
      out = new Heap(dtype, (long) outChannels * n);
      small = new Heap(dtype, outChannels);
      sums = new double[outChannels];
      cols = Nd4j.create(dtype, geom.patchSize(), n);
      outMatrix = Nd4j.create(dtype, outChannels, n);
    }

    INDArray dcols() {
      if (dcols == null) {
        dcols = Nd4j.create(dtype, geom.patchSize(), n);
      }
      return dcols;
    }
  }

  /**
   * @param inputShape {@code [C, H, W]}
   */
  public Conv2d(
      long[] inputShape,
      int outChannels,
      int kernel,
      int stride,
      int padding,
      boolean bias,
      Init init,
      DataType dtype) {
    this(
        inputShape,
        outChannels,
        kernel,
        stride,
        padding,
        bias,
        init,
        dtype,
        ConvKernels.forLayer(inputShape.length > 0 ? inputShape[0] : 0, outChannels));
  }

  /**
   * @param inputShape {@code [C, H, W]}
   * @param kernels which kernels compute it (the other constructor: {@link ConvKernels#forLayer})
   */
  public Conv2d(
      long[] inputShape,
      int outChannels,
      int kernel,
      int stride,
      int padding,
      boolean bias,
      Init init,
      DataType dtype,
      ConvKernels kernels) {
    this.kernels = java.util.Objects.requireNonNull(kernels, "kernels");
    Shapes.checkDtype(dtype);
    if (inputShape.length != 3) {
      throw new IllegalArgumentException(
          "Conv2d needs a [C, H, W] input, got " + java.util.Arrays.toString(inputShape));
    }
    if (outChannels <= 0) {
      throw new IllegalArgumentException("outChannels must be positive: " + outChannels);
    }
    this.inChannels = Math.toIntExact(inputShape[0]);
    this.outChannels = outChannels;
    this.geom =
        ConvGeometry.of(
            inChannels,
            Math.toIntExact(inputShape[1]),
            Math.toIntExact(inputShape[2]),
            kernel,
            stride,
            padding);
    this.hasBias = bias;
    this.init = init;
    this.dtype = dtype;
    this.nativeOps = kernels == ConvKernels.NATIVE;
    this.opArgs = NativeConv.args(geom);
    this.buffers = new PerBatch<>(Buffers::new);
  }

  /** Which kernels compute this layer. */
  public ConvKernels kernels() {
    return kernels;
  }

  @Override
  public long[] inputShape() {
    return new long[] {inChannels, geom.height(), geom.width()};
  }

  @Override
  public long[] outputShape() {
    return new long[] {outChannels, geom.outHeight(), geom.outWidth()};
  }

  @Override
  public long numParams() {
    return (long) outChannels * geom.patchSize() + (hasBias ? outChannels : 0);
  }

  @Override
  public void bind(INDArray params, INDArray grads, INDArray state) {
    Vectors.checkPair(params, grads, numParams(), dtype);
    long w = (long) outChannels * geom.patchSize();
    weight = Shapes.view(params, 0, outChannels, geom.patchSize());
    weightGrad = Shapes.view(grads, 0, outChannels, geom.patchSize());
    if (hasBias) {
      bias = Shapes.view(params, w, 1, outChannels);
      biasGrad = Shapes.view(grads, w, 1, outChannels);
      bias1 = bias.reshape(outChannels);
      biasGrad1 = biasGrad.reshape(outChannels);
    }
    int k = geom.kernel();
    weight4 = weight.reshape('c', outChannels, inChannels, k, k);
    weightGrad4 = weightGrad.reshape('c', outChannels, inChannels, k, k);
  }

  /** The weight view {@code [O, C k k]} (PyTorch's {@code [O, C, k, k]} flattened). */
  public INDArray weight() {
    return weight;
  }

  /** The bias view {@code [1, O]}, or null without bias. */
  public INDArray bias() {
    return bias;
  }

  @Override
  public void initialize(long seed, long stream) {
    init.weightAndBias(weight, bias, geom.patchSize(), seed, stream);
  }

  @Override
  public INDArray forward(INDArray x, Context ctx) {
    int batch = Shapes.check("input", x, inputShape(), dtype, 0);
    Buffers buf = buffers.get(batch);
    if (nativeOps) {
      NativeConv.forward("conv2d", opArgs, x, weight4, bias1, buf.y);
      lastInput = x;
    } else {
      convolve(buf, x, buf.cols, buf.y, true);
    }
    last = buf;
    return buf.y;
  }

  /** {@code out = W * x (+ b)}; leaves the column matrix of x in {@code cols}. */
  private void convolve(Buffers buf, INDArray x, INDArray cols, INDArray out, boolean withBias) {
    buf.image.read(x);
    Kernels.im2col(buf.image, buf.batch, geom, buf.colsHeap);
    buf.colsHeap.write(cols);
    Gemm.gemm(weight, cols, buf.outMatrix, false, false, 1.0, 0.0);
    buf.outMajor.read(buf.outMatrix);
    Heap b = null;
    if (withBias && hasBias) {
      b = buf.small.read(bias);
    }
    Kernels.fromChannelMajor(buf.outMajor, buf.batch, outChannels, geom.gridSize(), b, buf.out);
    buf.out.write(out);
  }

  @Override
  public INDArray backward(
      INDArray dOut, boolean paramGrads, boolean inputGrad, boolean accumulate) {
    Buffers buf = last;
    if (buf == null) {
      throw new IllegalStateException("backward without forward");
    }
    Shapes.check("dOut", dOut, outputShape(), dtype, buf.batch);
    if (!paramGrads && !inputGrad) {
      return null;
    }
    if (buf.dx == null && inputGrad) {
      buf.dx = Nd4j.create(dtype, buf.batch, inChannels, geom.height(), geom.width());
    }
    if (nativeOps) {
      return nativeBackprop(
          buf, lastInput, dOut, paramGrads, hasBias && paramGrads, accumulate, buf.dx, inputGrad);
    }
    return backprop(
        buf,
        dOut,
        buf.cols,
        paramGrads,
        hasBias && paramGrads,
        accumulate,
        inputGrad ? buf.dx : null);
  }

  /**
   * Weight gradient {@code dOut x cols^T} (and the bias gradient) into the bound gradients, and the
   * input gradient into {@code dx} when non-null.
   */
  private INDArray backprop(
      Buffers buf,
      INDArray dOut,
      INDArray cols,
      boolean weightGrads,
      boolean biasGrads,
      boolean accumulate,
      INDArray dx) {
    int plane = geom.gridSize();
    buf.out.read(dOut);
    if (biasGrads) {
      Kernels.channelSums(buf.out, buf.batch, outChannels, plane, buf.sums);
      buf.small.store(buf.sums, biasGrad, accumulate);
    }
    Kernels.toChannelMajor(buf.out, buf.batch, outChannels, plane, buf.outMajor);
    buf.outMajor.write(buf.outMatrix);
    if (weightGrads) {
      Gemm.gemm(buf.outMatrix, cols, weightGrad, false, true, 1.0, accumulate ? 1.0 : 0.0);
    }
    if (dx == null) {
      return null;
    }
    INDArray dcols = buf.dcols();
    Gemm.gemm(weight, buf.outMatrix, dcols, true, false, 1.0, 0.0);
    buf.colsHeap.read(dcols);
    buf.image.zero(buf.image.length);
    Kernels.col2im(buf.colsHeap, buf.batch, geom, buf.image);
    buf.image.write(dx);
    return dx;
  }

  /**
   * {@link #backprop} by {@code conv2d_bp} at input {@code x}: it always computes all gradients, so
   * the unneeded ones go to scratch, and accumulated ones are added from scratch.
   */
  private INDArray nativeBackprop(
      Buffers buf,
      INDArray x,
      INDArray dOut,
      boolean weightGrads,
      boolean biasGrads,
      boolean accumulate,
      INDArray dx,
      boolean inputGrad) {
    if (!inputGrad && buf.dxScratch == null) {
      buf.dxScratch = Nd4j.create(dtype, buf.batch, inChannels, geom.height(), geom.width());
    }
    if (dwScratch == null && (accumulate || !weightGrads)) {
      dwScratch = Nd4j.create(dtype, weight4.shape());
    }
    if (dbScratch == null && biasGrads && accumulate) {
      dbScratch = Nd4j.create(dtype, outChannels);
    }
    INDArray dw = weightGrads && !accumulate ? weightGrad4 : dwScratch;
    INDArray db = biasGrads ? (accumulate ? dbScratch : biasGrad1) : null;
    NativeConv.backward(
        "conv2d",
        opArgs,
        x,
        weight4,
        biasGrads ? bias1 : null,
        dOut,
        inputGrad ? dx : buf.dxScratch,
        dw,
        db);
    if (weightGrads && accumulate) {
      weightGrad4.addi(dwScratch);
    }
    if (biasGrads && accumulate) {
      biasGrad1.addi(dbScratch);
    }
    return inputGrad ? dx : null;
  }

  @Override
  public boolean piecewiseLinear() {
    return true;
  }

  /** The convolution of {@code v} without bias. */
  @Override
  public INDArray jvp(INDArray v) {
    int batch = Shapes.check("tangent", v, inputShape(), dtype, 0);
    Buffers buf = buffers.get(batch);
    if (buf.t == null) {
      buf.vcols = nativeOps ? null : Nd4j.create(dtype, geom.patchSize(), buf.n);
      buf.t = Nd4j.create(dtype, buf.batch, outChannels, geom.outHeight(), geom.outWidth());
    }
    if (nativeOps) {
      NativeConv.forward("conv2d", opArgs, v, weight4, null, buf.t);
      lastTangent = v;
    } else {
      convolve(buf, v, buf.vcols, buf.t, false);
    }
    lastJvp = buf;
    return buf.t;
  }

  /** Adds the weight gradient of the tangent ({@code dT x vcols^T}); returns the adjoint of dT. */
  @Override
  public INDArray jvpBackward(INDArray dT, boolean inputGrad) {
    Buffers buf = lastJvp;
    if (buf == null) {
      throw new IllegalStateException("jvpBackward without jvp");
    }
    Shapes.check("dT", dT, outputShape(), dtype, buf.batch);
    if (inputGrad && buf.dv == null) {
      buf.dv = Nd4j.create(dtype, buf.batch, inChannels, geom.height(), geom.width());
    }
    if (nativeOps) {
      return nativeBackprop(buf, lastTangent, dT, true, false, true, buf.dv, inputGrad);
    }
    return backprop(buf, dT, buf.vcols, true, false, true, inputGrad ? buf.dv : null);
  }
}
