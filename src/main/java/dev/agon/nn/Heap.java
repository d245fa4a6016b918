package dev.agon.nn;

import dev.agon.tensor.DenseAccess;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A Java heap array of one ND4J dtype (exactly one of {@link #f} and {@link #d} is non-null), the
 * operand of the plain-Java kernels in {@link Kernels}, with bulk copies from and to dense arrays
 * (one native memcpy each, no per-element JNI).
 */
final class Heap {
  final float[] f;
  final double[] d;
  final int length;

  Heap(DataType dtype, long length) {
    if (length > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("buffer too large for a Java array: " + length);
    }
    this.length = (int) length;
    if (dtype == DataType.FLOAT) {
      f = new float[this.length];
      d = null;
    } else if (dtype == DataType.DOUBLE) {
      f = null;
      d = new double[this.length];
    } else {
      throw new IllegalArgumentException("dtype must be FLOAT or DOUBLE, got " + dtype);
    }
  }

  /** Copies all of {@code a} (c-order; same dtype; length at most {@link #length}) in. */
  Heap read(INDArray a) {
    INDArray src = DenseAccess.isDense(a) ? a : a.dup('c');
    int n = checkedLength(src);
    if (f != null) {
      DenseAccess.floatBuffer(src).get(0, f, 0, n);
    } else {
      DenseAccess.doubleBuffer(src).get(0, d, 0, n);
    }
    return this;
  }

  /** Copies the first {@code a.length()} values into the dense array {@code a}. */
  void write(INDArray a) {
    int n = checkedLength(a);
    if (f != null) {
      DenseAccess.floatBuffer(a).put(0, f, 0, n);
    } else {
      DenseAccess.doubleBuffer(a).put(0, d, 0, n);
    }
  }

  double get(int i) {
    return f != null ? f[i] : d[i];
  }

  void set(int i, double v) {
    if (f != null) {
      f[i] = (float) v;
    } else {
      d[i] = v;
    }
  }

  void zero(int n) {
    if (f != null) {
      java.util.Arrays.fill(f, 0, n, 0f);
    } else {
      java.util.Arrays.fill(d, 0, n, 0.0);
    }
  }

  private int checkedLength(INDArray a) {
    long n = a.length();
    if (n > length) {
      throw new IllegalArgumentException("array of " + n + " values exceeds buffer of " + length);
    }
    return (int) n;
  }

  /**
   * Writes {@code values[0 .. n-1]} into the dense array {@code target} of length n, or adds them
   * when {@code accumulate}; this heap array (length at least n) is the scratch.
   */
  void store(double[] values, INDArray target, boolean accumulate) {
    int n = (int) target.length();
    if (accumulate) {
      read(target);
      for (int i = 0; i < n; i++) {
        set(i, get(i) + values[i]);
      }
    } else {
      for (int i = 0; i < n; i++) {
        set(i, values[i]);
      }
    }
    write(target);
  }
}
