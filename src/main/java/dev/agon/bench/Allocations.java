package dev.agon.bench;

import java.lang.management.ManagementFactory;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What a stretch of training allocates, read from two process-wide counters before and after it:
 *
 * <ul>
 *   <li>Java heap bytes: the sum of every live thread's allocated bytes (HotSpot's per-thread
 *       counter). Threads that end in between are missed; the loops measured here keep theirs.
 *   <li>ND4J objects: ND4J numbers every CPU data buffer and op context it creates from one counter
 *       (its deallocator service's ids). A new array takes one or two (data and shape buffers; a
 *       view's data buffer too), a native op call one for its context, so the count is how many
 *       native objects the garbage collector will have to find and free, not bytes.
 * </ul>
 *
 * <p>Reading costs one pass over the threads and one id: call it outside timed sections.
 */
public record Allocations(long heapBytes, long nd4jObjects) {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  /** The counters now; the read itself takes one ND4J id, which {@link #perUnitSince} subtracts. */
  public static Allocations now() {
    long heap = 0;
    for (long b : THREADS.getThreadAllocatedBytes(THREADS.getAllThreadIds())) {
      heap += Math.max(0, b); // -1 for a thread that ended meanwhile
    }
    return new Allocations(heap, Nd4j.getDeallocatorService().nextValue());
  }

  /** Per unit of work ({@code units} iterations) from {@code start} to this reading. */
  public double[] perUnitSince(Allocations start, long units) {
    return new double[] {
      (double) (heapBytes - start.heapBytes) / units,
      (double) (nd4jObjects - start.nd4jObjects - 1) / units
    };
  }
}
