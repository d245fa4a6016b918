package dev.agon.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agon.tensor.Tensors;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A 50 MB snapshot (12.5 M floats) arrives byte-exact with its header fields over IPC and over UDP
 * loopback, and a taken UDP port is a typed PORT_IN_USE. One embedded driver for the class.
 */
class TensorTransferTest {
  @TempDir static Path dir;
  static Transport transport;
  static final byte[] TOKEN = Polling.token(1);
  static float[] values;
  static INDArray snapshot;

  @BeforeAll
  static void start() {
    transport = Transport.start(Polling.settings(dir));
    // Random bits, NaN payloads and denormals included: byte-exact means every bit pattern.
    Random r = new Random(14);
    values = new float[12_500_000];
    for (int i = 0; i < values.length; i++) {
      values[i] = Float.intBitsToFloat(r.nextInt());
    }
    snapshot = Nd4j.create(values, new long[] {2500, 5000}, 'c');
  }

  @AfterAll
  static void stop() {
    transport.close();
  }

  /**
   * Over IPC each chunk is one claim of the 64 KiB MTU (65,504 bytes, less Aeron's 32-byte frame
   * header and the 176-byte frame header): 766 chunks, not 48 of 1 MiB.
   */
  @Test
  void fiftyMegabytesArriveByteExactOverIpc() throws Exception {
    roundTrip(Endpoint.ipc(), 11, 65_504 - 32 - FrameHeader.BYTES);
  }

  /** Over UDP a chunk is the settings' 1 MiB, offered and fragmented by Aeron to its MTU. */
  @Test
  void fiftyMegabytesArriveByteExactOverUdpLoopback() throws Exception {
    roundTrip(Endpoint.loopback(freePort()), 12, 1 << 20);
  }

  private void roundTrip(Endpoint at, int stream, int chunkBytes) throws Exception {
    AtomicReference<INDArray> got = new AtomicReference<>();
    long[] fields = new long[3];
    try (TensorSubscriber sub =
            transport.subscriber(
                at,
                stream,
                7,
                TOKEN,
                t -> {
                  fields[0] = t.step();
                  fields[1] = t.version();
                  fields[2] = t.kind().ordinal();
                  got.set(t.toArray());
                });
        TensorPublisher pub = transport.publisher(at, stream, 7, TOKEN)) {
      CompletableFuture<Long> sent =
          CompletableFuture.supplyAsync(() -> pub.send(FrameKind.G_SNAPSHOT, 41, 40, snapshot));
      Polling.until(sub, Duration.ofSeconds(40), () -> got.get() != null, "the snapshot");
      assertThat(sent.get(10, TimeUnit.SECONDS)).isEqualTo(1L);

      INDArray out = got.get();
      assertThat(out.shape()).containsExactly(2500, 5000);
      float[] back = Tensors.toFloats(out);
      int differing = 0;
      for (int i = 0; i < values.length; i++) {
        differing += Float.floatToRawIntBits(back[i]) != Float.floatToRawIntBits(values[i]) ? 1 : 0;
      }
      assertThat(differing).as("elements whose bits differ").isZero();
      assertThat(fields).containsExactly(41, 40, FrameKind.G_SNAPSHOT.ordinal());
      int chunks = (50_000_000 + chunkBytes - 1) / chunkBytes;
      assertThat(pub.counters().framesSent()).isEqualTo(chunks);
      assertThat(sub.counters().framesReceived()).isEqualTo(chunks);
      assertThat(sub.counters().bytesReceived())
          .isEqualTo(50_000_000L + (long) chunks * FrameHeader.BYTES);
      assertThat(sub.counters().dropsTotal()).isZero();
    }
  }

  /**
   * Sizes around one IPC claim's chunk (65,296 bytes) and its multiples arrive byte-exact, each
   * with the chunk count that follows from the chunk size: the last chunk's claim is short, an
   * empty tensor is one header-only chunk.
   */
  @Test
  void sizesAroundAClaimArriveByteExactOverIpc() throws Exception {
    int chunk = 65_504 - 32 - FrameHeader.BYTES;
    int[] sizes = {0, 4, chunk - 4, chunk, chunk + 4, 2 * chunk, 2 * chunk + 4, 3 * chunk - 4};
    AtomicReference<byte[]> got = new AtomicReference<>();
    try (TensorSubscriber sub =
            transport.subscriber(
                Endpoint.ipc(),
                14,
                7,
                TOKEN,
                t -> {
                  byte[] b = new byte[(int) t.payloadBytes()];
                  t.payload().getBytes(0, b);
                  got.set(b);
                });
        TensorPublisher pub = transport.publisher(Endpoint.ipc(), 14, 7, TOKEN)) {
      long frames = 0;
      for (int size : sizes) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        java.nio.ByteBuffer data = java.nio.ByteBuffer.allocateDirect(size);
        data.put(bytes).flip();
        got.set(null);
        pub.send(FrameKind.G_SNAPSHOT, 1, 1, Dtype.FLOAT32, new long[] {size / 4}, data);
        Polling.until(sub, Duration.ofSeconds(20), () -> got.get() != null, size + " bytes");
        assertThat(got.get()).as("%d bytes", size).isEqualTo(bytes);
        frames += Math.max(1, (size + chunk - 1) / chunk);
        assertThat(pub.counters().framesSent()).as("frames after %d bytes", size).isEqualTo(frames);
      }
      assertThat(sub.counters().dropsTotal()).isZero();
    }
  }

  @Test
  void aTakenUdpPortIsATypedPortInUse() throws Exception {
    try (DatagramSocket taken = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      assertThatThrownBy(
              () -> transport.subscriber(Endpoint.loopback(port), 13, 7, TOKEN, t -> {}).close())
          .isInstanceOfSatisfying(
              TransportException.class, e -> assertThat(e.reason()).isEqualTo(Failure.PORT_IN_USE))
          .hasMessageContaining("127.0.0.1:" + port);
    }
  }

  static int freePort() throws Exception {
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
