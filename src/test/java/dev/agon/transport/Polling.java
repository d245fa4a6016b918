package dev.agon.transport;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/** Polls a subscriber on the test thread until a condition holds, failing at a deadline. */
final class Polling {
  private Polling() {}

  static void until(TensorSubscriber sub, Duration timeout, BooleanSupplier done, String what) {
    IdleStrategy idle = new BackoffIdleStrategy(10, 10, 1_000, 1_000_000);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("not within " + timeout + ": " + what);
      }
      idle.idle(sub.poll(16));
    }
  }

  /** A temp-dir embedded driver, small terms unless the test sizes them. */
  static TransportSettings settings(java.nio.file.Path dir) {
    return TransportSettings.defaults().withDriver(TransportSettings.DriverMode.EMBEDDED, dir);
  }

  static byte[] token(int seed) {
    byte[] t = new byte[FrameHeader.TOKEN_BYTES];
    new java.util.Random(seed).nextBytes(t);
    return t;
  }
}
