package dev.agon.tensor;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Small conversions between INDArrays and Java arrays. */
public final class Tensors {
  private Tensors() {}

  /** The values of {@code a} in row-major order as a new float[] (any shape, views included). */
  public static float[] toFloats(INDArray a) {
    return a.dup('c').data().asFloat();
  }

  /** The values of {@code a} in row-major order as a new double[] (any shape, views included). */
  public static double[] toDoubles(INDArray a) {
    return a.dup('c').data().asDouble();
  }
}
