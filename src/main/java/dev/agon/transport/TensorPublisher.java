package dev.agon.transport;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import dev.agon.tensor.DenseAccess;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.logbuffer.BufferClaim;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.HighResolutionClock;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.bytedeco.javacpp.BytePointer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Sends tensors on one stream, one thread at a time (an exclusive publication: no claim
 * contention). A tensor goes out as chunks of {@link TransportSettings#chunkBytes}, each with its
 * header and straight from the tensor's memory (no copy but the one into the term), so the
 * publisher holds nothing beyond Aeron's term buffers. Over UDP each chunk is offered (Aeron
 * fragments it to the MTU). Over IPC a chunk is capped at one claim (the IPC MTU's payload less the
 * header: 65,296 bytes with the 64 KiB MTU of {@link Endpoint#ipcMtu}), its CRC taken from the
 * tensor just before {@code tryClaim}'s region is filled from it: the tensor is read from memory
 * once (by the CRC; the copy reads it from L2), against twice for an offered 4 MiB chunk. When the
 * subscriber lags by the term window the offer or claim is refused (BACK_PRESSURED) and {@code
 * send} waits with a backoff idle strategy (never a busy spin: 2 cores are shared with the
 * trainers) until it may go on or the send timeout passes. Every offer and claim result is handled
 * alike: BACK_PRESSURED and ADMIN_ACTION wait and are counted; NOT_CONNECTED, CLOSED,
 * MAX_POSITION_EXCEEDED and the timeout throw {@link TransportException}, counted by {@link
 * Failure}. Not thread-safe.
 */
public final class TensorPublisher implements AutoCloseable {
  private final ExclusivePublication publication;
  private final TransportSettings settings;
  private final long runId;
  private final byte[] token;
  private final TransportCounters counters = new TransportCounters();
  private final UnsafeBuffer header = FrameHeader.allocate();
  private final ByteBuffer headerView = header.byteBuffer().duplicate().order(LITTLE_ENDIAN);
  private final UnsafeBuffer payload = new UnsafeBuffer(0, 0);
  private final BufferClaim claim = new BufferClaim();
  // Claims (IPC) or offers (UDP); the chunk size that follows from it.
  private final boolean claims;
  private final int chunkBytes;
  private final CRC32C crc = new CRC32C();
  // Backoff: a few spins and yields, then parks from 1 us growing to 1 ms (about 0.05 cores idle).
  private final IdleStrategy idle = new BackoffIdleStrategy(10, 10, 1_000, 1_000_000);
  private long nextMessageId = 1;

  TensorPublisher(
      ExclusivePublication publication,
      TransportSettings settings,
      long runId,
      byte[] token,
      boolean claims) {
    this.publication = publication;
    this.settings = settings;
    this.runId = runId;
    this.token = token.clone();
    this.claims = claims;
    this.chunkBytes =
        claims
            ? Math.min(settings.chunkBytes(), publication.maxPayloadLength() - FrameHeader.BYTES)
            : settings.chunkBytes();
  }

  /** Payload bytes per chunk: the settings' chunk, capped at one claim over IPC. */
  int chunkBytes() {
    return chunkBytes;
  }

  public TransportCounters counters() {
    return counters;
  }

  /** True once a subscriber's image is connected. */
  public boolean isConnected() {
    return publication.isConnected();
  }

  /**
   * Sends dense FLOAT or DOUBLE {@code tensor} (read in place, not copied; do not change it during
   * the call); returns its message id. Throws TransportException on failure, never hangs past the
   * send timeout.
   */
  public long send(FrameKind kind, long step, long version, INDArray tensor) {
    Dtype dtype = Dtype.of(tensor.dataType());
    if (!DenseAccess.isDense(tensor)) {
      throw new IllegalArgumentException("send needs a dense c-order tensor, got a view");
    }
    long bytes = tensor.length() * dtype.bytes();
    // A view of the tensor's native memory: one small object per message, not per chunk.
    ByteBuffer data =
        new BytePointer(tensor.data().addressPointer())
            .capacity(bytes)
            .limit(bytes)
            .asByteBuffer()
            .order(LITTLE_ENDIAN);
    return send(kind, step, version, dtype, tensor.shape(), data);
  }

  /**
   * Sends {@code data}'s remaining bytes (the c-order elements of a {@code dtype} tensor of {@code
   * shape}, little endian) as one message; returns its message id.
   */
  public long send(
      FrameKind kind, long step, long version, Dtype dtype, long[] shape, ByteBuffer data) {
    if (shape.length > FrameHeader.MAX_RANK) {
      throw new IllegalArgumentException("rank above " + FrameHeader.MAX_RANK);
    }
    long total = data.remaining();
    long elements = 1;
    for (long d : shape) {
      elements = Math.multiplyExact(elements, d);
    }
    if (elements * dtype.bytes() != total) {
      throw new IllegalArgumentException(
          "shape needs " + elements * dtype.bytes() + " bytes, data has " + total);
    }
    long deadlineNs = System.nanoTime() + settings.sendTimeoutMs() * 1_000_000L;
    awaitConnected(deadlineNs);
    int chunk = chunkBytes;
    int count = (int) Math.max(1, (total + chunk - 1) / chunk);
    long messageId = nextMessageId++;
    // Taken once, at the first chunk's offer: the receiver's latency covers the whole message.
    long sendMicros = HighResolutionClock.epochMicros();
    int base = data.position();
    payload.wrap(data);
    ByteBuffer crcView = data.duplicate();
    for (int i = 0; i < count; i++) {
      int offset = base + i * chunk;
      int length = (int) Math.min(chunk, total - (long) i * chunk);
      crc.reset();
      crcView.limit(offset + length).position(offset);
      crc.update(crcView);
      FrameHeader.write(
          header,
          headerView,
          crc,
          kind,
          dtype,
          token,
          runId,
          step,
          version,
          messageId,
          i,
          count,
          total,
          length,
          shape,
          sendMicros,
          (int) crc.getValue());
      publish(offset, length, i, deadlineNs);
    }
    counters.messageSent();
    return messageId;
  }

  private void awaitConnected(long sendDeadlineNs) {
    long deadlineNs =
        Math.min(sendDeadlineNs, System.nanoTime() + settings.connectTimeoutMs() * 1_000_000L);
    idle.reset();
    while (!publication.isConnected()) {
      if (publication.isClosed()) {
        throw fail(Failure.CLOSED, "the publication is closed");
      }
      if (System.nanoTime() - deadlineNs > 0) {
        throw fail(
            Failure.NOT_CONNECTED,
            "no subscriber connected within " + settings.connectTimeoutMs() + " ms");
      }
      idle.idle();
    }
  }

  /**
   * Claims (IPC) or offers (UDP) one chunk until it is in the term, waiting out back pressure up to
   * the deadline; both results are handled alike.
   */
  private void publish(int offset, int length, int chunkIndex, long deadlineNs) {
    idle.reset();
    while (true) {
      long result =
          claims
              ? publication.tryClaim(FrameHeader.BYTES + length, claim)
              : publication.offer(header, 0, FrameHeader.BYTES, payload, offset, length, null);
      if (result > 0) {
        if (claims) {
          fillClaim(offset, length);
        }
        counters.sent(FrameHeader.BYTES + length);
        return;
      }
      if (result == Publication.BACK_PRESSURED || result == Publication.ADMIN_ACTION) {
        counters.backPressureWait();
      } else if (result == Publication.NOT_CONNECTED) {
        // The subscriber went away (or its image timed out) mid-message: what was sent is lost.
        throw fail(
            Failure.NOT_CONNECTED,
            "the subscriber went away at chunk " + chunkIndex + " of a send");
      } else if (result == Publication.CLOSED) {
        throw fail(Failure.CLOSED, "the publication is closed");
      } else if (result == Publication.MAX_POSITION_EXCEEDED) {
        throw fail(Failure.MAX_POSITION_EXCEEDED, "the publication reached its max position");
      } else {
        throw new IllegalStateException("unknown offer result " + result);
      }
      if (System.nanoTime() - deadlineNs > 0) {
        throw fail(
            Failure.SEND_TIMEOUT,
            "the message was not offered within "
                + settings.sendTimeoutMs()
                + " ms (stalled at chunk "
                + chunkIndex
                + ")");
      }
      idle.idle();
    }
  }

  /** Writes the header and the chunk into the claimed region and commits it (aborts on error). */
  private void fillClaim(int offset, int length) {
    try {
      MutableDirectBuffer term = claim.buffer();
      int at = claim.offset();
      term.putBytes(at, header, 0, FrameHeader.BYTES);
      term.putBytes(at + FrameHeader.BYTES, payload, offset, length);
      claim.commit();
    } catch (RuntimeException e) {
      claim.abort(); // the subscriber skips an aborted claim (a padding frame)
      throw e;
    }
  }

  private TransportException fail(Failure reason, String what) {
    counters.failure(reason);
    return new TransportException(reason, publication.channel() + ": " + what);
  }

  @Override
  public void close() {
    publication.close();
  }
}
