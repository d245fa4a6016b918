package dev.agon.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Calls of libnd4j's convolution custom ops on NCHW images with weights in PyTorch's layouts
 * ({@code wFormat} 1: {@code [O, C, k, k]} for {@code conv2d}, {@code [C, O, k, k]} for {@code
 * deconv2d}, as ND4J 1.0.0-M2.1 reads them; NativeConvProbe checks both against the Java layers).
 * Every output is given, so an op allocates no array of its own; each call builds one small op
 * object.
 */
final class NativeConv {
  private NativeConv() {}

  /** The integer arguments: kernel, stride, padding (explicit), dilation 1, NCHW, wFormat 1. */
  static int[] args(ConvGeometry g) {
    int k = g.kernel();
    int s = g.stride();
    int p = g.padding();
    return new int[] {k, k, s, s, p, p, 1, 1, 0, 0, 1};
  }

  /**
   * {@code y = op(x, w) (+ b)}: {@code op} is {@code conv2d} or {@code deconv2d}; {@code b} is the
   * bias {@code [O]} or null.
   */
  static void forward(String op, int[] args, INDArray x, INDArray w, INDArray b, INDArray y) {
    INDArray[] in = b == null ? new INDArray[] {x, w} : new INDArray[] {x, w, b};
    exec(DynamicCustomOp.builder(op).addInputs(in).addOutputs(y).addIntegerArguments(args));
  }

  /**
   * The {@code _bp} op of {@code op} for output gradient {@code dy} at input {@code x}: writes (not
   * adds) {@code dx}, {@code dw} and, with a bias {@code b}, {@code db}. All three are computed
   * whatever the caller needs; pass scratch arrays for the unneeded ones.
   */
  static void backward(
      String op,
      int[] args,
      INDArray x,
      INDArray w,
      INDArray b,
      INDArray dy,
      INDArray dx,
      INDArray dw,
      INDArray db) {
    INDArray[] in = b == null ? new INDArray[] {x, w, dy} : new INDArray[] {x, w, b, dy};
    INDArray[] out = b == null ? new INDArray[] {dx, dw} : new INDArray[] {dx, dw, db};
    exec(
        DynamicCustomOp.builder(op + "_bp")
            .addInputs(in)
            .addOutputs(out)
            .addIntegerArguments(args));
  }

  private static void exec(DynamicCustomOp.DynamicCustomOpsBuilder op) {
    Nd4j.getExecutioner().exec(op.build());
  }
}
