package dev.agon.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Element-wise transforms whose fastest ND4J form depends on the loaded build. On oneDNN builds
 * libnd4j's {@code tanh} custom op runs oneDNN's vectorised eltwise kernel, about twice as fast as
 * the legacy transform's scalar loop (measured: 270 against 550 µs for 512 × 128 floats on one AVX2
 * core; PyTorch 170); its results differ from the legacy loop's in the last bit. The plain build
 * keeps the legacy transform, so its runs stay bit-identical to earlier ones.
 */
final class Eltwise {
  private Eltwise() {}

  /** {@code y = tanh(x)}; {@code y} may be {@code x}. */
  static void tanh(INDArray x, INDArray y) {
    if (ConvKernels.oneDnnLoaded()) {
      Nd4j.exec(DynamicCustomOp.builder("tanh").addInputs(x).addOutputs(y).build());
    } else {
      Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh(x, y));
    }
  }
}
