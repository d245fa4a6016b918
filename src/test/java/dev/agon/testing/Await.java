package dev.agon.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waits on conditions with deadlines, for tests that watch another thread or process: {@link
 * #until} returns as soon as the condition holds and fails naming what it waited for at the
 * deadline, so a test neither guesses a sleep nor hangs. The condition is polled every {@link
 * #POLL}: cheap conditions only (a list size, a file's existence), or the poll costs CPU.
 */
public final class Await {
  /** Poll interval: short against the tests' step times, long against a condition's cost. */
  public static final Duration POLL = Duration.ofMillis(5);

  private Await() {}

  /**
   * Returns once {@code condition} holds; throws an AssertionError naming {@code what} if it does
   * not hold within {@code timeout}.
   */
  public static void until(Duration timeout, BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("not within " + timeout + ": " + what);
      }
      LockSupport.parkNanos(POLL.toNanos());
      if (Thread.interrupted()) {
        throw new AssertionError("interrupted while waiting for: " + what);
      }
    }
  }

  /** A condition that may fail to be checked (an HTTP request, a file read). */
  @FunctionalInterface
  public interface Check {
    boolean ok() throws Exception;
  }

  /**
   * Returns once {@code condition} holds, checking it every {@code poll} (for conditions that cost
   * a request or a file read); an exception counts as "not yet" and the last one is the cause of
   * the AssertionError that names {@code what} at the deadline.
   */
  public static void until(Duration timeout, Duration poll, Check condition, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (true) {
      try {
        if (condition.ok()) {
          return;
        }
      } catch (Exception e) {
        last = e;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("not within " + timeout + ": " + what, last);
      }
      LockSupport.parkNanos(poll.toNanos());
      if (Thread.interrupted()) {
        throw new AssertionError("interrupted while waiting for: " + what, last);
      }
    }
  }

  /**
   * Asserts that {@code condition} holds throughout {@code window} (checked every {@link #POLL}),
   * failing at the first poll where it does not: the way to show that something does not happen,
   * like a TestProbe's expectNoMessage. The window is the cost; it is a bound on what is observed,
   * not a wait for another thread.
   */
  public static void holds(Duration window, BooleanSupplier condition, String what) {
    long end = System.nanoTime() + window.toNanos();
    do {
      if (!condition.getAsBoolean()) {
        throw new AssertionError("stopped holding within " + window + ": " + what);
      }
      LockSupport.parkNanos(POLL.toNanos());
    } while (System.nanoTime() - end < 0);
    if (!condition.getAsBoolean()) {
      throw new AssertionError("stopped holding within " + window + ": " + what);
    }
  }
}
