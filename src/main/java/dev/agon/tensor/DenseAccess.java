package dev.agon.tensor;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.concurrent.atomic.LongAdder;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Bulk copies between Java arrays and FLOAT/DOUBLE {@link INDArray}s in logical c-order.
 *
 * <p>Dense arrays (c-order with default strides, including contiguous views such as row ranges of a
 * c-order matrix) are read and written directly through the native pointer, without per-element JNI
 * calls. Other arrays go through a temporary dense copy. Every call works on its own pointer
 * object, so different threads may use different arrays concurrently.
 *
 * <p>Every entry point counts one host copy (calls and bytes): a buffer view is a copy in waiting
 * (on a device backend it synchronises and moves the array to the host), so the numerics' hot path
 * must not call this class at all, and {@link #copies()} proves it. The counters are global {@link
 * LongAdder}s, not per thread: layers split work over pool threads ({@code Parallel}) and the
 * engine runs steps on actor threads, so a per-thread count would miss copies; an increment costs a
 * few ns uncontended, nothing against a copy.
 */
public final class DenseAccess {
  private DenseAccess() {}

  private static final LongAdder COPY_CALLS = new LongAdder();
  private static final LongAdder COPY_BYTES = new LongAdder();

  /** Host copies counted since the last {@link #resetCopies()}: calls and bytes moved. */
  public record HostCopies(long calls, long bytes) {
    /** The copies between {@code before} and this later snapshot. */
    public HostCopies since(HostCopies before) {
      return new HostCopies(calls - before.calls, bytes - before.bytes);
    }
  }

  /** A snapshot of the global host-copy counters (all threads). */
  public static HostCopies copies() {
    return new HostCopies(COPY_CALLS.sum(), COPY_BYTES.sum());
  }

  /** Sets the host-copy counters to zero and returns what they held (racy against copies). */
  public static HostCopies resetCopies() {
    return new HostCopies(COPY_CALLS.sumThenReset(), COPY_BYTES.sumThenReset());
  }

  private static final LongAdder SCALAR_READS = new LongAdder();

  /**
   * Reads the single value of {@code scalar} (a reduction's result: a loss or metric for the logs)
   * to the host. Counted apart from {@link #copies()}, in {@link #scalarReads()}: the ND4J paths of
   * the objectives return their losses as doubles, one such read per scalar (on a device a sync of
   * 8 bytes, not a copy of an array), and the zero-host-copy check allows them.
   */
  public static double scalar(INDArray scalar) {
    if (scalar.length() != 1) {
      throw new IllegalArgumentException("expected one value, got " + scalar.shapeInfoToString());
    }
    SCALAR_READS.increment();
    return scalar.getDouble(0);
  }

  /** Scalar reads through {@link #scalar} so far (all threads; never reset). */
  public static long scalarReads() {
    return SCALAR_READS.sum();
  }

  private static void count(long bytes) {
    COPY_CALLS.increment();
    COPY_BYTES.add(bytes);
  }

  /** True when element {@code k} of {@code a} in c-order sits at position {@code k} of its data. */
  public static boolean isDense(INDArray a) {
    long[] shape = a.shape();
    long[] stride = a.stride();
    long expected = 1;
    for (int d = shape.length - 1; d >= 0; d--) {
      if (shape[d] != 1 && stride[d] != expected) {
        return false;
      }
      expected *= shape[d];
    }
    return true;
  }

  /**
   * A direct {@link FloatBuffer} over the elements of the dense FLOAT array {@code a} (index 0 is
   * element 0 in c-order). Reads and writes go straight to the array's memory.
   */
  public static FloatBuffer floatBuffer(INDArray a) {
    requireDense(a, DataType.FLOAT);
    long n = a.length();
    count(4 * n);
    return new FloatPointer(a.data().addressPointer()).position(0).limit(n).capacity(n).asBuffer();
  }

  /** Like {@link #floatBuffer} for a dense DOUBLE array. */
  public static DoubleBuffer doubleBuffer(INDArray a) {
    requireDense(a, DataType.DOUBLE);
    long n = a.length();
    count(8 * n);
    return new DoublePointer(a.data().addressPointer()).position(0).limit(n).capacity(n).asBuffer();
  }

  private static void requireDense(INDArray a, DataType t) {
    if (a.dataType() != t || !isDense(a) || a.length() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "expected a dense " + t + " array, got " + a.dataType() + " " + a.shapeInfoToString());
    }
  }

  static void checkType(INDArray a) {
    DataType t = a.dataType();
    if (t != DataType.FLOAT && t != DataType.DOUBLE) {
      throw new IllegalArgumentException("only FLOAT or DOUBLE arrays are supported, got " + t);
    }
  }

  /**
   * Writes {@code n} values of {@code src} (from index 0) into the dense array {@code a} at c-order
   * positions {@code at .. at+n-1}; values are rounded to float for FLOAT arrays.
   */
  static void writeDense(INDArray a, long at, double[] src, float[] floatScratch, int n) {
    count((long) n * a.dataType().width());
    if (a.dataType() == DataType.DOUBLE) {
      new DoublePointer(a.data().addressPointer()).position(at).put(src, 0, n);
    } else {
      for (int i = 0; i < n; i++) {
        floatScratch[i] = (float) src[i];
      }
      new FloatPointer(a.data().addressPointer()).position(at).put(floatScratch, 0, n);
    }
  }

  /** Copies all values of {@code a} (c-order, any shape) into {@code dst[0 .. a.length()-1]}. */
  public static void read(INDArray a, double[] dst) {
    checkType(a);
    int n = checkedLength(a, dst.length);
    count((long) n * a.dataType().width());
    INDArray d = isDense(a) ? a : a.dup('c');
    if (d.dataType() == DataType.DOUBLE) {
      new DoublePointer(d.data().addressPointer()).get(dst, 0, n);
    } else {
      float[] tmp = new float[n];
      new FloatPointer(d.data().addressPointer()).get(tmp, 0, n);
      for (int i = 0; i < n; i++) {
        dst[i] = tmp[i];
      }
    }
  }

  /** Copies {@code src[0 .. a.length()-1]} into {@code a} (c-order, any shape). */
  public static void write(INDArray a, double[] src) {
    checkType(a);
    int n = checkedLength(a, src.length);
    if (isDense(a)) {
      writeDense(a, 0, src, a.dataType() == DataType.FLOAT ? new float[n] : null, n);
    } else {
      INDArray tmp = Nd4j.create(a.dataType(), a.shape(), 'c');
      writeDense(tmp, 0, src, a.dataType() == DataType.FLOAT ? new float[n] : null, n);
      a.assign(tmp);
    }
  }

  private static int checkedLength(INDArray a, int capacity) {
    long len = a.length();
    if (len > capacity) {
      throw new IllegalArgumentException(
          "array of length " + len + " does not fit a Java array of " + capacity);
    }
    return (int) len;
  }
}
