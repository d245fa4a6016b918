package dev.agon.nn;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Splits the plain-Java loops of the layers over as many threads as ND4J's native ops use ({@code
 * Nd4j.getEnvironment().maxThreads()}, from {@code OMP_NUM_THREADS}): with 1 (the engine's setting,
 * one core per actor) everything runs on the calling thread. Each part writes disjoint outputs with
 * the same arithmetic in the same order as one thread would, so results do not depend on the thread
 * count.
 *
 * <p>The helper threads (threads - 1 daemons, shared by the JVM) only run parts; the caller runs
 * one part itself and waits for the others, so callers on several threads cannot deadlock.
 */
final class Parallel {
  private Parallel() {}

  /** A part {@code [from, to)} of an index range. */
  @FunctionalInterface
  interface Range {
    void run(int from, int to);
  }

  /** Below this many elements of work per part, one thread does it all. */
  private static final long MIN_WORK_PER_PART = 1 << 15;

  private static volatile int threads = Math.max(1, threads());
  private static ExecutorService pool;
  private static int poolSize;

  private static int threads() {
    String env = System.getenv("OMP_NUM_THREADS");
    try {
      return env != null ? Integer.parseInt(env.trim()) : Nd4j.getEnvironment().maxThreads();
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  /**
   * Sets the thread count (tests compare thread counts; normally it comes from the environment).
   */
  static synchronized void threads(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("threads must be >= 1: " + n);
    }
    threads = n;
  }

  static int threadCount() {
    return threads;
  }

  private static synchronized ExecutorService pool(int size) {
    if (pool == null || poolSize < size) {
      if (pool != null) {
        pool.shutdown();
      }
      AtomicInteger id = new AtomicInteger();
      ThreadFactory f =
          r -> {
            Thread t = new Thread(r, "agon-nn-" + id.incrementAndGet());
            t.setDaemon(true);
            return t;
          };
      pool = Executors.newFixedThreadPool(size, f);
      poolSize = size;
    }
    return pool;
  }

  /**
   * Runs {@code body} over {@code [0, n)} in contiguous parts; {@code work} (elements touched in
   * all) decides whether splitting pays.
   */
  static void range(int n, long work, Range body) {
    int parts = (int) Math.min(Math.min(threads, n), Math.max(1, work / MIN_WORK_PER_PART));
    if (parts <= 1) {
      body.run(0, n);
      return;
    }
    ExecutorService p = pool(parts - 1);
    @SuppressWarnings("unchecked")
    Future<?>[] futures = new Future<?>[parts - 1];
    for (int i = 1; i < parts; i++) {
      int from = (int) ((long) n * i / parts);
      int to = (int) ((long) n * (i + 1) / parts);
      futures[i - 1] = p.submit(() -> body.run(from, to));
    }
    body.run(0, n / parts);
    for (Future<?> f : futures) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for a kernel part", e);
      } catch (java.util.concurrent.ExecutionException e) {
        Throwable c = e.getCause();
        if (c instanceof RuntimeException r) {
          throw r;
        }
        if (c instanceof Error err) {
          throw err;
        }
        throw new IllegalStateException(c);
      }
    }
  }
}
