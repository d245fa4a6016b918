package dev.agon.data;

import java.util.Locale;

/**
 * How much of the JVM's heap a data set may take: its pixels live in one Java array for the whole
 * run, beside the networks' and the evaluation's buffers. A loader checks the bytes it is about to
 * allocate here first, so a data set that cannot fit is refused with its size and the heap option
 * instead of ending in an OutOfMemoryError after a long read.
 */
public final class HeapBudget {
  /** Heap kept for everything else when the heap is large; at most half of it otherwise. */
  static final long RESERVE_BYTES = 256L << 20;

  private HeapBudget() {}

  /** Bytes a data set may hold under a maximum heap of {@code maxHeapBytes}. */
  static long forData(long maxHeapBytes) {
    return Math.max(maxHeapBytes / 2, maxHeapBytes - RESERVE_BYTES);
  }

  /**
   * Throws a {@link DatasetException} naming {@code what} if holding {@code bytes} (the peak while
   * loading, e.g. two copies during a layout change) does not fit this JVM's heap budget.
   */
  public static void check(Object what, String holding, long bytes) {
    check(what, holding, bytes, Runtime.getRuntime().maxMemory());
  }

  static void check(Object what, String holding, long bytes, long maxHeapBytes) {
    long budget = forData(maxHeapBytes);
    if (bytes > budget) {
      throw new DatasetException(
          String.format(
              Locale.ROOT,
              "%s: holding %s needs %,d MiB of heap, more than the %,d MiB a data set may take"
                  + " with this JVM's -Xmx of %,d MiB; raise -Xmx (AGON_JAVA_OPTS) or use fewer"
                  + " or smaller images",
              what,
              holding,
              mib(bytes),
              mib(budget),
              mib(maxHeapBytes)));
    }
  }

  private static long mib(long bytes) {
    return (bytes + (1 << 20) - 1) >> 20;
  }
}
