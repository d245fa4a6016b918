package dev.agon.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A subscriber that polls one fragment every 200 us while 32 messages of 1 MiB go out on a 1 MiB
 * term: the publisher is back-pressured (counted), every message arrives intact and in order, and
 * the publisher never gets further ahead of the subscriber than Aeron's term window: it queues
 * nothing of its own, so its memory cannot grow with the subscriber's lag.
 */
class BackPressureTest {
  static final int MESSAGES = 32;
  static final int FLOATS = 1 << 18; // 1 MiB
  static final int TERM = 1 << 20;

  @TempDir Path dir;

  @Test
  void aSlowSubscriberBackPressuresThePublisherWithoutLossOrQueueing() throws Exception {
    TransportSettings s =
        Polling.settings(dir).withSizes(TERM, 64 << 10, 4 << 20).withTimeouts(5_000, 30_000, 5_000);
    byte[] token = Polling.token(3);
    List<String> problems = new ArrayList<>();
    long[] received = {0};
    long[] maxLeadBytes = {0};
    try (Transport t = Transport.start(s);
        TensorSubscriber sub =
            t.subscriber(
                Endpoint.ipc(),
                31,
                5,
                token,
                m -> {
                  long k = received[0]++;
                  if (m.step() != k) {
                    problems.add("message " + k + " has step " + m.step());
                  }
                  for (int i = 0; i < FLOATS; i++) {
                    if (m.payload().getFloat(4 * i, ByteOrder.LITTLE_ENDIAN) != k * FLOATS + i) {
                      problems.add("message " + k + " element " + i);
                      break;
                    }
                  }
                });
        TensorPublisher pub = t.publisher(Endpoint.ipc(), 31, 5, token)) {
      CompletableFuture<Void> sending =
          CompletableFuture.runAsync(
              () -> {
                ByteBuffer data =
                    ByteBuffer.allocateDirect(4 * FLOATS).order(ByteOrder.LITTLE_ENDIAN);
                for (int k = 0; k < MESSAGES; k++) {
                  for (int i = 0; i < FLOATS; i++) {
                    data.putFloat(4 * i, k * FLOATS + i);
                  }
                  pub.send(FrameKind.REAL_BATCH, k, k, Dtype.FLOAT32, new long[] {FLOATS}, data);
                }
              });
      long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
      while (received[0] < MESSAGES && System.nanoTime() < deadline) {
        sub.poll(1);
        // Sent before received: the lead read can only be overstated, never hidden.
        long lead = pub.counters().bytesSent() - sub.counters().bytesReceived();
        maxLeadBytes[0] = Math.max(maxLeadBytes[0], lead);
        // The slowness under test (a subscriber busy elsewhere), not a wait for another thread.
        LockSupport.parkNanos(200_000);
      }
      sending.get(10, TimeUnit.SECONDS);

      assertThat(received[0]).as("messages delivered").isEqualTo(MESSAGES);
      assertThat(problems).isEmpty();
      assertThat(sub.counters().dropsTotal()).isZero();
      assertThat(pub.counters().backPressureWaits()).as("back-pressure waits").isPositive();
      // 32 MiB went out; the publisher was never more than one term ahead of the subscriber.
      assertThat(maxLeadBytes[0]).as("largest lead of the publisher").isLessThanOrEqualTo(TERM);
      assertThat(pub.counters().bytesSent()).isGreaterThan(16L * TERM);
    }
  }
}
