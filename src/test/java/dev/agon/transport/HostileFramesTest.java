package dev.agon.transport;

import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.assertj.core.api.Assertions.assertThat;

import io.aeron.ExclusivePublication;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Forged frames on a raw publication: a good one is delivered (so the forgery is right), and each
 * hostile one is dropped under its reason and never reaches the handler; an incomplete message is
 * dropped after the assembly timeout. A good frame sent after all of them still arrives.
 */
class HostileFramesTest {
  static final byte[] TOKEN = Polling.token(2);
  static final long RUN = 99;
  static final int STREAM = 21;
  static final int N = 1000; // floats per forged tensor
  static final long SENT = 1_796_000_000_000_000L; // epoch micros, 2026-11-30

  @TempDir Path dir;
  Transport transport;
  TensorSubscriber sub;
  ExclusivePublication raw;
  final List<Long> delivered = new ArrayList<>();
  final UnsafeBuffer frame =
      new UnsafeBuffer(ByteBuffer.allocateDirect(FrameHeader.BYTES + 4 * N).order(LITTLE_ENDIAN));

  @BeforeEach
  void start() {
    transport =
        Transport.start(
            Polling.settings(dir)
                .withSizes(1 << 20, 64 << 10, 1 << 20)
                .withTimeouts(2_000, 5_000, 300));
    sub = transport.subscriber(Endpoint.ipc(), STREAM, RUN, TOKEN, t -> delivered.add(t.step()));
    raw = transport.aeron().addExclusivePublication("aeron:ipc", STREAM);
    Polling.until(sub, Duration.ofSeconds(10), raw::isConnected, "the forged publication");
  }

  @AfterEach
  void stop() {
    raw.close();
    sub.close();
    transport.close();
  }

  /**
   * The send time is part of the message: a chunk whose send time differs from its message's is
   * dropped; a snapshot sent "in the future" (the sender's clock ahead) is delivered, its latency
   * recorded as 0 and counted as negative; batches record no latency.
   */
  @Test
  void sendTimesAreConsistentAndANegativeLatencyCountsAsZero() {
    List<Long> latencies = new ArrayList<>();
    sub.counters().onSnapshotLatency((kind, micros) -> latencies.add(micros));
    forge(1, 0, 2, h -> {});
    offer();
    forge(1, 1, 2, resealed(h -> h.putLong(FrameHeader.SEND_TIME_OFFSET, SENT + 1, LITTLE_ENDIAN)));
    offer();
    expectDrop(DropReason.INCONSISTENT_CHUNK);

    long future = org.agrona.concurrent.HighResolutionClock.epochMicros() + 3_600_000_000L;
    forge(
        2,
        0,
        1,
        resealed(
            h -> {
              h.putByte(FrameHeader.KIND_OFFSET, (byte) FrameKind.D_SNAPSHOT.code);
              h.putLong(FrameHeader.SEND_TIME_OFFSET, future, LITTLE_ENDIAN);
            }));
    offer();
    forge(3, 0, 1, h -> {}); // a fake batch: delivered, no latency
    offer();
    Polling.until(sub, Duration.ofSeconds(10), () -> delivered.size() == 2, "both frames");
    assertThat(delivered).containsExactly(2L, 3L);
    assertThat(latencies).containsExactly(0L);
    assertThat(sub.counters().negativeLatencies()).isEqualTo(1);
  }

  /** Writes a valid one-chunk frame of step {@code step} (N floats) into {@link #frame}. */
  void forge(long step, int index, int count, Consumer<UnsafeBuffer> tamperHeader) {
    ByteBuffer payload = frame.byteBuffer().duplicate().order(LITTLE_ENDIAN);
    for (int i = 0; i < N; i++) {
      frame.putFloat(FrameHeader.BYTES + 4 * i, step + i * 0.5f, LITTLE_ENDIAN);
    }
    CRC32C crc = new CRC32C();
    payload.limit(FrameHeader.BYTES + 4 * N).position(FrameHeader.BYTES);
    crc.update(payload);
    int payloadCrc = (int) crc.getValue();
    UnsafeBuffer header = FrameHeader.allocate();
    ByteBuffer view = header.byteBuffer().duplicate().order(LITTLE_ENDIAN);
    FrameHeader.write(
        header,
        view,
        crc,
        FrameKind.FAKE_BATCH,
        Dtype.FLOAT32,
        TOKEN,
        RUN,
        step,
        step,
        step,
        index,
        count,
        4L * N * count,
        4 * N,
        new long[] {N * count},
        SENT,
        payloadCrc);
    tamperHeader.accept(header);
    frame.putBytes(0, header, 0, FrameHeader.BYTES);
  }

  /** Tamper that keeps the header CRC right, so a later check has to catch it. */
  static Consumer<UnsafeBuffer> resealed(Consumer<UnsafeBuffer> change) {
    return h -> {
      change.accept(h);
      ByteBuffer view = h.byteBuffer().duplicate().order(LITTLE_ENDIAN);
      h.putInt(
          FrameHeader.HEADER_CRC_OFFSET, FrameHeader.headerCrc(view, new CRC32C()), LITTLE_ENDIAN);
    };
  }

  void offer() {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (raw.offer(frame, 0, frame.capacity()) < 0) {
      assertThat(System.nanoTime()).as("forged offer accepted in time").isLessThan(deadline);
      sub.poll(16);
    }
  }

  /** Waits for the next drop and asserts that it, and only it, is of {@code reason}. */
  void expectDrop(DropReason reason) {
    long total = dropsBefore + 1;
    Polling.until(
        sub,
        Duration.ofSeconds(10),
        () -> sub.counters().dropsTotal() >= total,
        "a " + reason + " drop");
    assertThat(sub.counters().dropsTotal()).as("drops").isEqualTo(total);
    assertThat(sub.counters().drops(reason))
        .as(reason + " drops")
        .isEqualTo(expected.merge(reason, 1L, Long::sum));
    dropsBefore = total;
  }

  final java.util.Map<DropReason, Long> expected = new java.util.EnumMap<>(DropReason.class);
  long dropsBefore;

  @Test
  void hostileFramesAreDroppedByReasonAndNeverDelivered() {
    forge(1, 0, 1, h -> {});
    offer();
    Polling.until(sub, Duration.ofSeconds(10), () -> delivered.size() == 1, "the good frame");

    forge(2, 0, 1, h -> {});
    frame.putByte(FrameHeader.BYTES + 17, (byte) (frame.getByte(FrameHeader.BYTES + 17) ^ 1));
    offer();
    expectDrop(DropReason.PAYLOAD_CRC);

    forge(3, 0, 1, h -> h.putByte(FrameHeader.TOKEN_OFFSET + 31, (byte) 0x5a));
    offer();
    expectDrop(DropReason.WRONG_TOKEN);

    forge(4, 0, 1, h -> h.putLong(FrameHeader.STEP_OFFSET, 5, LITTLE_ENDIAN)); // not resealed
    offer();
    expectDrop(DropReason.HEADER_CRC);

    forge(5, 0, 1, resealed(h -> h.putInt(FrameHeader.MAGIC_OFFSET, 0x12345678, LITTLE_ENDIAN)));
    offer();
    expectDrop(DropReason.BAD_FORMAT);

    for (short version : new short[] {1, 3}) { // the format before send times, and a later one
      forge(
          5,
          0,
          1,
          resealed(h -> h.putShort(FrameHeader.FORMAT_VERSION_OFFSET, version, LITTLE_ENDIAN)));
      offer();
      expectDrop(DropReason.BAD_FORMAT);
    }

    forge(6, 0, 1, resealed(h -> h.putLong(FrameHeader.RUN_ID_OFFSET, RUN + 1, LITTLE_ENDIAN)));
    offer();
    expectDrop(DropReason.WRONG_RUN);

    forge(7, 0, 1, resealed(h -> h.putLong(FrameHeader.SHAPE_OFFSET, -N, LITTLE_ENDIAN)));
    offer();
    expectDrop(DropReason.BAD_FIELD);

    forge(8, 0, 1, resealed(h -> h.putLong(FrameHeader.SHAPE_OFFSET, N + 1, LITTLE_ENDIAN)));
    offer();
    expectDrop(DropReason.BAD_SIZE);

    // Dimensions whose product overflows a long must not wrap around to the total.
    forge(
        9,
        0,
        1,
        resealed(
            h -> {
              h.putInt(FrameHeader.RANK_OFFSET, 3, LITTLE_ENDIAN);
              h.putLong(FrameHeader.SHAPE_OFFSET, 1L << 40, LITTLE_ENDIAN);
              h.putLong(FrameHeader.SHAPE_OFFSET + 8, 1L << 40, LITTLE_ENDIAN);
              h.putLong(FrameHeader.SHAPE_OFFSET + 16, 1L << 40, LITTLE_ENDIAN);
            }));
    offer();
    expectDrop(DropReason.BAD_SIZE);

    forge(
        10,
        0,
        1,
        resealed(
            h -> {
              h.putLong(FrameHeader.TOTAL_BYTES_OFFSET, 1L << 40, LITTLE_ENDIAN);
              h.putLong(FrameHeader.SHAPE_OFFSET, 1L << 38, LITTLE_ENDIAN);
            }));
    offer();
    expectDrop(DropReason.TOO_LARGE);

    forge(11, 2, 2, h -> {}); // chunk index >= count
    offer();
    expectDrop(DropReason.BAD_CHUNK);

    forge(12, 1, 2, h -> {}); // chunk 1 of a message whose chunk 0 never came
    offer();
    expectDrop(DropReason.INCONSISTENT_CHUNK);

    forge(
        13,
        0,
        1,
        resealed(h -> h.putInt(FrameHeader.CHUNK_BYTES_OFFSET, 4 * N - 4, LITTLE_ENDIAN)));
    offer();
    expectDrop(DropReason.BAD_CHUNK);

    forge(14, 0, 2, h -> {}); // chunk 0 of 2, then silence: dropped after the 300 ms timeout
    offer();
    expectDrop(DropReason.INCOMPLETE);

    forge(15, 0, 1, h -> {});
    offer();
    Polling.until(sub, Duration.ofSeconds(10), () -> delivered.size() == 2, "the last good frame");
    assertThat(delivered).containsExactly(1L, 15L);
    assertThat(sub.counters().messagesReceived()).isEqualTo(2);
  }

  /**
   * Between hosts (cluster.transport = udp) the token is what keeps a stranger's frames out: a
   * sender with its own media driver (so the frames really cross UDP, loopback here) forges a frame
   * with a wrong token, which is dropped and counted as WRONG_TOKEN and never delivered, while the
   * same frame with the run's token arrives.
   */
  @Test
  void overUdpAFrameWithAWrongTokenIsDroppedAndCounted() throws Exception {
    int port;
    try (java.net.DatagramSocket s =
        new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Endpoint at = Endpoint.loopback(port);
    List<Long> got = new ArrayList<>();
    try (Transport sender =
            Transport.start(
                Polling.settings(java.nio.file.Files.createTempDirectory(dir, "sender"))
                    .withSizes(1 << 20, 64 << 10, 1 << 20));
        TensorSubscriber udp =
            transport.subscriber(at, STREAM, RUN, TOKEN, t -> got.add(t.step()));
        ExclusivePublication forged =
            sender
                .aeron()
                .addExclusivePublication("aeron:udp?endpoint=127.0.0.1:" + port, STREAM)) {
      Polling.until(udp, Duration.ofSeconds(10), forged::isConnected, "the forged UDP publication");

      forge(1, 0, 1, h -> h.putByte(FrameHeader.TOKEN_OFFSET + 31, (byte) 0x5a));
      offer(forged, udp);
      Polling.until(
          udp,
          Duration.ofSeconds(10),
          () -> udp.counters().drops(DropReason.WRONG_TOKEN) == 1,
          "a WRONG_TOKEN drop over UDP");

      forge(2, 0, 1, h -> {});
      offer(forged, udp);
      Polling.until(udp, Duration.ofSeconds(10), () -> got.size() == 1, "the good UDP frame");
      assertThat(got).containsExactly(2L);
      assertThat(udp.counters().dropsTotal()).isEqualTo(1);
      assertThat(udp.counters().messagesReceived()).isEqualTo(1);
    }
  }

  private void offer(ExclusivePublication pub, TensorSubscriber polled) {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (pub.offer(frame, 0, frame.capacity()) < 0) {
      assertThat(System.nanoTime()).as("forged offer accepted in time").isLessThan(deadline);
      polled.poll(16);
    }
  }
}
