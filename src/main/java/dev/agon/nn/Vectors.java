package dev.agon.nn;

import dev.agon.tensor.DenseAccess;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Helpers for flat parameter vectors. */
final class Vectors {
  private Vectors() {}

  /** A {@code [1, length]} view of {@code flat} starting at element {@code offset}. */
  static INDArray slice(INDArray flat, long offset, long length) {
    return Nd4j.create(
        flat.data(), new long[] {1, length}, new long[] {length, 1}, offset, 'c', flat.dataType());
  }

  /** {@code a} as a {@code [1, n]} view; it must be contiguous. */
  static INDArray flat(INDArray a) {
    if (a.rank() == 2 && a.rows() == 1) {
      return a;
    }
    return a.reshape('c', 1, a.length());
  }

  static void checkPair(INDArray params, INDArray grads, long n, DataType dtype) {
    if (params.length() != n || grads.length() != n) {
      throw new IllegalArgumentException(
          "expected " + n + " parameters, got " + params.length() + " and " + grads.length());
    }
    if (params.dataType() != dtype || grads.dataType() != dtype) {
      throw new IllegalArgumentException(
          "expected " + dtype + ", got " + params.dataType() + " and " + grads.dataType());
    }
    if (!contiguous(params) || !contiguous(grads)) {
      throw new IllegalArgumentException("params and grads must be contiguous c-order arrays");
    }
  }

  private static boolean contiguous(INDArray a) {
    return DenseAccess.isDense(a);
  }

  /** {@code y += alpha x} for {@code [1, n]} vectors. */
  static void axpy(double alpha, INDArray x, INDArray y) {
    Nd4j.getBlasWrapper().level1().axpy(x.length(), alpha, x, y);
  }

  static void restore(INDArray target, INDArray source, long steps) {
    if (source.length() != target.length()) {
      throw new IllegalArgumentException(
          "expected state of length " + target.length() + ", got " + source.length());
    }
    if (steps < 0) {
      throw new IllegalArgumentException("steps must be >= 0: " + steps);
    }
    target.assign(source.reshape('c', 1, target.length()));
  }
}
