package dev.agon.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Transposed 2-D convolution {@code [B, C, H, W] -> [B, O, OH, OW]} with a square kernel, {@code OH
 * = (H - 1) stride - 2 pad + k} (PyTorch's {@code nn.ConvTranspose2d} without output padding): the
 * adjoint of the convolution {@code [O, OH, OW] -> [C, H, W]} with the same kernel, stride and
 * padding. Parameters: the weight in PyTorch's layout {@code [C, O, k, k]}, then the bias {@code
 * [O]} when the layer has one.
 *
 * <p>Forward is that convolution's input gradient (one {@code Nd4j.gemm} {@code [C, O k k]^T x [C,
 * B H W]}, then col2im); backward is the convolution's forward (im2col, then GEMMs), all over the
 * whole batch into preallocated buffers.
 *
 * <p>Or (see {@link ConvKernels}: chosen per layer from the loaded ND4J build, on oneDNN builds for
 * layers with at least 16 input and output channels) by libnd4j's {@code deconv2d} / {@code
 * deconv2d_bp} ops, oneDNN kernels there, straight from the bound parameter views into preallocated
 * outputs: no host copies. Costs of that path: {@code deconv2d_bp} always computes the weight and
 * input gradients, so an unneeded one goes to scratch and an accumulated one is added from scratch;
 * the layer keeps a reference to the last input (not a copy) for the backward pass.
 */
public final class ConvTranspose2d implements Layer {
  private final int inChannels;
  private final int outChannels;
  private final boolean hasBias;
  private final Init init;
  private final DataType dtype;
  private final ConvKernels kernels;
  private final boolean nativeOps; // kernels == NATIVE
  private final int[] opArgs;
  private final ConvGeometry geom; // image: this layer's output; grid: its input
  private final PerBatch<Buffers> buffers;

  private INDArray weight; // [C, O k k]
  private INDArray bias; // [1, O]
  private INDArray weightGrad;
  private INDArray biasGrad;
  // The native ops' views of the same parameters and gradients: [C, O, k, k] and [O].
  private INDArray weight4;
  private INDArray bias1;
  private INDArray weightGrad4;
  private INDArray biasGrad1;
  private INDArray dwScratch; // [C, O, k, k], native gradients to be added
  private INDArray dbScratch; // [O]

  private Buffers last;
  private Buffers lastJvp;
  private INDArray lastInput; // native path: the input of the last forward (not copied)
  private INDArray lastTangent; // native path: the tangent of the last jvp

  private final class Buffers {
    final int batch;
    final int n; // columns: batch * H * W
    // Java path only (null on the native path): host scratch and the matrices.
    final Heap in; // [B, C, H, W] scratch
    final Heap inMajor; // [C, n] scratch
    final Heap colsHeap; // [O k k, n] scratch
    final Heap image; // [B, O, OH, OW] scratch
    final Heap small; // [O] scratch
    final double[] sums;
    final INDArray inMatrix; // [C, n] of the last forward input
    final INDArray cols; // [O k k, n]
    final INDArray y;
    INDArray dxMatrix; // [C, n]
    INDArray dx;
    INDArray vMatrix; // [C, n] of the last jvp tangent
    INDArray t;
    INDArray dv;
    INDArray dxScratch; // native path: the input gradient nobody asked for

    Buffers(int batch) {
      this.batch = batch;
      this.n = batch * geom.gridSize();
      y = Nd4j.create(dtype, batch, outChannels, geom.height(), geom.width());
      if (nativeOps) {
        in = inMajor = colsHeap = image = small = null;
        sums = null;
        inMatrix = cols = null;
        return;
      }
      in = new Heap(dtype, (long) inChannels * n);
      inMajor = new Heap(dtype, (long) inChannels * n);
      colsHeap = new Heap(dtype, (long) geom.patchSize() * n);
      image = new Heap(dtype, (long) batch * outChannels * geom.imageSize());
      small = new Heap(dtype, outChannels);
      sums = new double[outChannels];
      inMatrix = Nd4j.create(dtype, inChannels, n);
      cols = Nd4j.create(dtype, geom.patchSize(), n);
    }
  }

  /**
   * @param inputShape {@code [C, H, W]}
   */
  public ConvTranspose2d(
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
  public ConvTranspose2d(
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
          "ConvTranspose2d needs a [C, H, W] input, got " + java.util.Arrays.toString(inputShape));
    }
    if (outChannels <= 0 || kernel <= 0 || stride <= 0 || padding < 0) {
      throw new IllegalArgumentException(
          "need outChannels, kernel, stride > 0 and padding >= 0: "
              + outChannels
              + ", "
              + kernel
              + ", "
              + stride
              + ", "
              + padding);
    }
    this.inChannels = Math.toIntExact(inputShape[0]);
    this.outChannels = outChannels;
    int h = Math.toIntExact(inputShape[1]);
    int w = Math.toIntExact(inputShape[2]);
    int oh = (h - 1) * stride - 2 * padding + kernel;
    int ow = (w - 1) * stride - 2 * padding + kernel;
    if (oh <= 0 || ow <= 0) {
      throw new IllegalArgumentException(
          "no output: " + h + "x" + w + " with kernel " + kernel + ", padding " + padding);
    }
    this.geom = new ConvGeometry(outChannels, oh, ow, kernel, stride, padding, h, w);
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
    return new long[] {inChannels, geom.outHeight(), geom.outWidth()};
  }

  @Override
  public long[] outputShape() {
    return new long[] {outChannels, geom.height(), geom.width()};
  }

  @Override
  public long numParams() {
    return (long) inChannels * geom.patchSize() + (hasBias ? outChannels : 0);
  }

  @Override
  public void bind(INDArray params, INDArray grads, INDArray state) {
    Vectors.checkPair(params, grads, numParams(), dtype);
    long w = (long) inChannels * geom.patchSize();
    weight = Shapes.view(params, 0, inChannels, geom.patchSize());
    weightGrad = Shapes.view(grads, 0, inChannels, geom.patchSize());
    if (hasBias) {
      bias = Shapes.view(params, w, 1, outChannels);
      biasGrad = Shapes.view(grads, w, 1, outChannels);
      bias1 = bias.reshape(outChannels);
      biasGrad1 = biasGrad.reshape(outChannels);
    }
    int k = geom.kernel();
    weight4 = weight.reshape('c', inChannels, outChannels, k, k);
    weightGrad4 = weightGrad.reshape('c', inChannels, outChannels, k, k);
  }

  /** The weight view {@code [C, O k k]} (PyTorch's {@code [C, O, k, k]} flattened). */
  public INDArray weight() {
    return weight;
  }

  /** The bias view {@code [1, O]}, or null without bias. */
  public INDArray bias() {
    return bias;
  }

  /** PyTorch's fan-in of a transposed convolution: {@code O k k}. */
  @Override
  public void initialize(long seed, long stream) {
    init.weightAndBias(weight, bias, geom.patchSize(), seed, stream);
  }

  @Override
  public INDArray forward(INDArray x, Context ctx) {
    int batch = Shapes.check("input", x, inputShape(), dtype, 0);
    Buffers buf = buffers.get(batch);
    if (nativeOps) {
      NativeConv.forward("deconv2d", opArgs, x, weight4, bias1, buf.y);
      lastInput = x;
    } else {
      transpose(buf, x, buf.inMatrix, buf.y, true);
    }
    last = buf;
    return buf.y;
  }

  /** {@code out = W^T x (+ b)} with col2im; leaves x as {@code [C, B H W]} in {@code matrix}. */
  private void transpose(Buffers buf, INDArray x, INDArray matrix, INDArray out, boolean withBias) {
    buf.in.read(x);
    Kernels.toChannelMajor(buf.in, buf.batch, inChannels, geom.gridSize(), buf.inMajor);
    buf.inMajor.write(matrix);
    Gemm.gemm(weight, matrix, buf.cols, true, false, 1.0, 0.0);
    buf.colsHeap.read(buf.cols);
    buf.image.zero(buf.image.length);
    Kernels.col2im(buf.colsHeap, buf.batch, geom, buf.image);
    if (withBias && hasBias) {
      Kernels.addChannelBias(
          buf.image, buf.batch, outChannels, geom.imageSize(), buf.small.read(bias));
    }
    buf.image.write(out);
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
    if (inputGrad && buf.dx == null) {
      buf.dx = Nd4j.create(dtype, buf.batch, inChannels, geom.outHeight(), geom.outWidth());
    }
    if (nativeOps) {
      return nativeBackprop(
          buf, lastInput, dOut, paramGrads, hasBias && paramGrads, accumulate, buf.dx, inputGrad);
    }
    return backprop(
        buf,
        dOut,
        buf.inMatrix,
        paramGrads,
        hasBias && paramGrads,
        accumulate,
        inputGrad ? buf.dx : null);
  }

  /**
   * Weight gradient {@code x cols(dOut)^T} (and the bias gradient) into the bound gradients; the
   * input gradient {@code W cols(dOut)} into {@code dx} when non-null.
   */
  private INDArray backprop(
      Buffers buf,
      INDArray dOut,
      INDArray matrix,
      boolean weightGrads,
      boolean biasGrads,
      boolean accumulate,
      INDArray dx) {
    buf.image.read(dOut);
    if (biasGrads) {
      Kernels.channelSums(buf.image, buf.batch, outChannels, geom.imageSize(), buf.sums);
      buf.small.store(buf.sums, biasGrad, accumulate);
    }
    Kernels.im2col(buf.image, buf.batch, geom, buf.colsHeap);
    buf.colsHeap.write(buf.cols);
    if (weightGrads) {
      Gemm.gemm(matrix, buf.cols, weightGrad, false, true, 1.0, accumulate ? 1.0 : 0.0);
    }
    if (dx == null) {
      return null;
    }
    if (buf.dxMatrix == null) {
      buf.dxMatrix = Nd4j.create(dtype, inChannels, buf.n);
    }
    Gemm.gemm(weight, buf.cols, buf.dxMatrix, false, false, 1.0, 0.0);
    buf.inMajor.read(buf.dxMatrix);
    Kernels.fromChannelMajor(buf.inMajor, buf.batch, inChannels, geom.gridSize(), null, buf.in);
    buf.in.write(dx);
    return dx;
  }

  /**
   * {@link #backprop} by {@code deconv2d_bp} at input {@code x}: it always computes all gradients,
   * so the unneeded ones go to scratch, and accumulated ones are added from scratch.
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
      buf.dxScratch = Nd4j.create(dtype, buf.batch, inChannels, geom.outHeight(), geom.outWidth());
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
        "deconv2d",
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

  /** The transposed convolution of {@code v} without bias. */
  @Override
  public INDArray jvp(INDArray v) {
    int batch = Shapes.check("tangent", v, inputShape(), dtype, 0);
    Buffers buf = buffers.get(batch);
    if (buf.t == null) {
      buf.vMatrix = nativeOps ? null : Nd4j.create(dtype, inChannels, buf.n);
      buf.t = Nd4j.create(dtype, batch, outChannels, geom.height(), geom.width());
    }
    if (nativeOps) {
      NativeConv.forward("deconv2d", opArgs, v, weight4, null, buf.t);
      lastTangent = v;
    } else {
      transpose(buf, v, buf.vMatrix, buf.t, false);
    }
    lastJvp = buf;
    return buf.t;
  }

  /** Adds the weight gradient of the tangent ({@code v cols(dT)^T}); returns the adjoint of dT. */
  @Override
  public INDArray jvpBackward(INDArray dT, boolean inputGrad) {
    Buffers buf = lastJvp;
    if (buf == null) {
      throw new IllegalStateException("jvpBackward without jvp");
    }
    Shapes.check("dT", dT, outputShape(), dtype, buf.batch);
    if (inputGrad && buf.dv == null) {
      buf.dv = Nd4j.create(dtype, buf.batch, inChannels, geom.outHeight(), geom.outWidth());
    }
    if (nativeOps) {
      return nativeBackprop(buf, lastTangent, dT, true, false, true, buf.dv, inputGrad);
    }
    return backprop(buf, dT, buf.vMatrix, true, false, true, inputGrad ? buf.dv : null);
  }
}
