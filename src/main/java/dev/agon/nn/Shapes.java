package dev.agon.nn;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Shape helpers and checks shared by the layers. */
final class Shapes {
  private Shapes() {}

  static long product(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  /** {@code [batch, shape...]}. */
  static long[] batched(int batch, long[] shape) {
    long[] s = new long[shape.length + 1];
    s[0] = batch;
    System.arraycopy(shape, 0, s, 1, shape.length);
    return s;
  }

  /**
   * Checks that {@code a} is {@code [B, shape...]} of {@code dtype} with {@code B > 0} (and {@code
   * B == batch} when {@code batch > 0}); returns B.
   */
  static int check(String what, INDArray a, long[] shape, DataType dtype, int batch) {
    boolean ok = a.rank() == shape.length + 1 && a.size(0) > 0;
    for (int i = 0; ok && i < shape.length; i++) {
      ok = a.size(i + 1) == shape[i];
    }
    if (ok && batch > 0) {
      ok = a.size(0) == batch;
    }
    if (!ok) {
      throw new IllegalArgumentException(
          "expected "
              + what
              + " ["
              + (batch > 0 ? Integer.toString(batch) : "B")
              + (shape.length > 0 ? ", " : "")
              + Arrays.toString(shape).replaceAll("[\\[\\]]", "")
              + "], got "
              + Arrays.toString(a.shape()));
    }
    if (a.dataType() != dtype) {
      throw new IllegalArgumentException(
          "expected " + dtype + " " + what + ", got " + a.dataType());
    }
    if (a.size(0) > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("batch too large: " + a.size(0));
    }
    return (int) a.size(0);
  }

  static void checkDtype(DataType dtype) {
    if (dtype != DataType.FLOAT && dtype != DataType.DOUBLE) {
      throw new IllegalArgumentException("dtype must be FLOAT or DOUBLE, got " + dtype);
    }
  }

  /**
   * The {@code [rows, cols]} c-order view of {@code length = rows * cols} elements of the flat
   * {@code [1, n]} array (itself possibly a view) from element {@code offset} on.
   */
  static INDArray view(INDArray flat, long offset, long rows, long cols) {
    return flat.get(
            org.nd4j.linalg.indexing.NDArrayIndex.all(),
            org.nd4j.linalg.indexing.NDArrayIndex.interval(offset, offset + rows * cols))
        .reshape('c', rows, cols);
  }
}
