package dev.agon.transport;

import static dev.agon.transport.FrameHeader.*;
import static java.nio.ByteOrder.LITTLE_ENDIAN;

import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.logbuffer.Header;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.zip.CRC32C;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.HighResolutionClock;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Receives tensors on one stream: {@link #poll} reads Aeron fragments, checks each chunk's header
 * before anything is decoded (see {@link FrameHeader} for the order), copies each fragment's bytes
 * once, straight into the publisher session's {@link Assembly} buffer, adds them to the chunk's
 * CRC32C while they are in L1 and checks it when the chunk is in, and hands a complete message to
 * the {@link TensorHandler}. Frames that fail a check are dropped and counted by {@link
 * DropReason}, with the message they belonged to; a message that stalls longer than the assembly
 * timeout is dropped too. Poll from one thread; the image handlers (Aeron's conductor thread) only
 * queue the sessions to free.
 */
public final class TensorSubscriber implements AutoCloseable {
  private final Subscription subscription;
  private final TransportSettings settings;
  private final long runId;
  private final byte[] token;
  private final TensorHandler handler;
  private final TransportCounters counters = new TransportCounters();
  private final Int2ObjectHashMap<Assembly> bySession = new Int2ObjectHashMap<>();
  private final List<Assembly> assemblies = new ArrayList<>();
  private final Queue<Integer> goneSessions = new ConcurrentLinkedQueue<>();
  private final UnsafeBuffer header = FrameHeader.allocate();
  private final ByteBuffer headerView = header.byteBuffer().duplicate().order(LITTLE_ENDIAN);
  private final byte[] tokenSeen = new byte[TOKEN_BYTES];
  private final CRC32C crc = new CRC32C();
  private final ReceivedTensor received = new ReceivedTensor();
  private final FragmentHandler onFragment = this::onFragment;
  private final long assemblyTimeoutNs;
  private long nowNs;

  TensorSubscriber(
      Subscription subscription,
      TransportSettings settings,
      long runId,
      byte[] token,
      TensorHandler handler) {
    this.subscription = subscription;
    this.settings = settings;
    this.runId = runId;
    this.token = token.clone();
    this.handler = handler;
    this.assemblyTimeoutNs = settings.assemblyTimeoutMs() * 1_000_000L;
  }

  /** Called by Aeron (conductor thread) when a publisher's image goes away. */
  void onUnavailableImage(Image image) {
    goneSessions.add(image.sessionId());
  }

  public TransportCounters counters() {
    return counters;
  }

  /** True while at least one publisher is connected. */
  public boolean isConnected() {
    return subscription.isConnected();
  }

  /**
   * Reads up to {@code fragmentLimit} fragments, delivering complete messages, then drops stalled
   * messages and frees gone sessions' buffers; returns the fragments read (0: idle).
   */
  public int poll(int fragmentLimit) {
    nowNs = System.nanoTime();
    int read = subscription.poll(onFragment, fragmentLimit);
    for (Integer gone; (gone = goneSessions.poll()) != null; ) {
      Assembly a = bySession.remove(gone.intValue());
      if (a != null) {
        if (a.inMessage) {
          counters.drop(DropReason.IMAGE_LOST);
        }
        a.free();
        assemblies.remove(a);
      }
    }
    for (int i = 0; i < assemblies.size(); i++) {
      Assembly a = assemblies.get(i);
      if (a.inMessage && nowNs - a.lastProgressNs > assemblyTimeoutNs) {
        counters.drop(DropReason.INCOMPLETE);
        a.abandon();
      }
    }
    return read;
  }

  private void onFragment(DirectBuffer buffer, int offset, int length, Header aeronHeader) {
    int sessionId = aeronHeader.sessionId();
    Assembly a = bySession.get(sessionId);
    if (a == null) {
      a = new Assembly(sessionId);
      bySession.put(sessionId, a);
      assemblies.add(a);
    }
    byte flags = aeronHeader.flags();
    if ((flags & FrameDescriptor.BEGIN_FRAG_FLAG) != 0) {
      if (!beginChunk(a, buffer, offset, length)) {
        return; // dropped: its later fragments find !inChunk and are skipped
      }
      offset += BYTES;
      length -= BYTES;
    } else if (!a.inChunk) {
      return; // the rest of a dropped chunk
    }
    if (a.chunkReceived + (long) length > a.chunkBytes) {
      drop(a, DropReason.BAD_CHUNK);
      return;
    }
    int at = (int) (a.chunkStart + a.chunkReceived);
    a.buffer.putBytes(at, buffer, offset, length);
    // The CRC of the bytes just copied, while they are in L1: the payload is read from memory
    // once (by the copy) instead of twice (copy, then a CRC pass over the chunk at its end).
    a.crcView.limit(at + length).position(at);
    a.crcSoFar.update(a.crcView);
    a.chunkReceived += length;
    a.lastProgressNs = nowNs;
    if ((flags & FrameDescriptor.END_FRAG_FLAG) != 0) {
      endChunk(a);
    }
  }

  /** Checks a chunk's header; on success the chunk is open for its payload. */
  private boolean beginChunk(Assembly a, DirectBuffer buffer, int offset, int length) {
    if (length < BYTES) {
      return drop(a, DropReason.SHORT_FRAME);
    }
    buffer.getBytes(offset + TOKEN_OFFSET, tokenSeen);
    if (!MessageDigest.isEqual(token, tokenSeen)) {
      return drop(a, DropReason.WRONG_TOKEN);
    }
    header.putBytes(0, buffer, offset, BYTES);
    if (header.getInt(MAGIC_OFFSET, LITTLE_ENDIAN) != MAGIC
        || header.getShort(FORMAT_VERSION_OFFSET, LITTLE_ENDIAN) != FORMAT_VERSION) {
      return drop(a, DropReason.BAD_FORMAT);
    }
    if (FrameHeader.headerCrc(headerView, crc) != header.getInt(HEADER_CRC_OFFSET, LITTLE_ENDIAN)) {
      return drop(a, DropReason.HEADER_CRC);
    }
    if (header.getLong(RUN_ID_OFFSET, LITTLE_ENDIAN) != runId) {
      return drop(a, DropReason.WRONG_RUN);
    }
    FrameKind kind = FrameKind.of(header.getByte(KIND_OFFSET));
    Dtype dtype = Dtype.ofCode(header.getByte(DTYPE_OFFSET));
    int rank = header.getInt(RANK_OFFSET, LITTLE_ENDIAN);
    if (kind == null || dtype == null || rank < 0 || rank > MAX_RANK) {
      return drop(a, DropReason.BAD_FIELD);
    }
    long total = header.getLong(TOTAL_BYTES_OFFSET, LITTLE_ENDIAN);
    if (total < 0 || total > settings.maxMessageBytes()) {
      return drop(a, DropReason.TOO_LARGE);
    }
    long product = dtype.bytes();
    for (int d = 0; d < MAX_RANK; d++) {
      long dim = header.getLong(SHAPE_OFFSET + 8 * d, LITTLE_ENDIAN);
      if (dim < 0 || (d >= rank && dim != 0)) {
        return drop(a, DropReason.BAD_FIELD);
      }
      if (d < rank) {
        // Stop before overflow: any product above max message bytes is already wrong.
        product = dim == 0 ? 0 : product > settings.maxMessageBytes() / dim ? -1 : product * dim;
        if (product < 0) {
          return drop(a, DropReason.BAD_SIZE);
        }
      }
    }
    if (product != total) {
      return drop(a, DropReason.BAD_SIZE);
    }
    int index = header.getInt(CHUNK_INDEX_OFFSET, LITTLE_ENDIAN);
    int count = header.getInt(CHUNK_COUNT_OFFSET, LITTLE_ENDIAN);
    int chunkBytes = header.getInt(CHUNK_BYTES_OFFSET, LITTLE_ENDIAN);
    if (count < 1 || index < 0 || index >= count || chunkBytes < 0 || chunkBytes > total) {
      return drop(a, DropReason.BAD_CHUNK);
    }
    long messageId = header.getLong(MESSAGE_ID_OFFSET, LITTLE_ENDIAN);
    long step = header.getLong(STEP_OFFSET, LITTLE_ENDIAN);
    long version = header.getLong(VERSION_OFFSET, LITTLE_ENDIAN);
    long sendMicros = header.getLong(SEND_TIME_OFFSET, LITTLE_ENDIAN);
    if (index == 0) {
      if (a.inMessage) {
        counters.drop(DropReason.SUPERSEDED);
      }
      a.ensureCapacity(total);
      a.inMessage = true;
      a.kind = kind;
      a.dtype = dtype;
      a.step = step;
      a.version = version;
      a.messageId = messageId;
      a.sendMicros = sendMicros;
      a.chunkCount = count;
      a.totalBytes = total;
      a.rank = rank;
      for (int d = 0; d < MAX_RANK; d++) {
        a.dims[d] = header.getLong(SHAPE_OFFSET + 8 * d, LITTLE_ENDIAN);
      }
      a.nextChunk = 0;
      a.receivedBytes = 0;
    } else if (!continues(a, kind, dtype, step, version, messageId, index, count, total, rank)
        || a.sendMicros != sendMicros) {
      return drop(a, DropReason.INCONSISTENT_CHUNK);
    }
    boolean last = index == count - 1;
    long left = total - a.receivedBytes;
    if (last ? chunkBytes != left : chunkBytes > left) {
      return drop(a, DropReason.BAD_CHUNK);
    }
    a.inChunk = true;
    a.chunkStart = a.receivedBytes;
    a.chunkBytes = chunkBytes;
    a.chunkReceived = 0;
    a.chunkCrc = header.getInt(PAYLOAD_CRC_OFFSET, LITTLE_ENDIAN);
    a.crcSoFar.reset();
    return true;
  }

  private boolean continues(
      Assembly a,
      FrameKind kind,
      Dtype dtype,
      long step,
      long version,
      long messageId,
      int index,
      int count,
      long total,
      int rank) {
    if (!a.inMessage
        || a.messageId != messageId
        || a.nextChunk != index
        || a.chunkCount != count
        || a.totalBytes != total
        || a.kind != kind
        || a.dtype != dtype
        || a.step != step
        || a.version != version
        || a.rank != rank) {
      return false;
    }
    for (int d = 0; d < rank; d++) {
      if (a.dims[d] != header.getLong(SHAPE_OFFSET + 8 * d, LITTLE_ENDIAN)) {
        return false;
      }
    }
    return true;
  }

  private void endChunk(Assembly a) {
    a.inChunk = false;
    if (a.chunkReceived != a.chunkBytes) {
      drop(a, DropReason.BAD_CHUNK);
      return;
    }
    if ((int) a.crcSoFar.getValue() != a.chunkCrc) {
      drop(a, DropReason.PAYLOAD_CRC);
      return;
    }
    counters.received(BYTES + a.chunkBytes);
    a.receivedBytes += a.chunkBytes;
    a.nextChunk++;
    if (a.nextChunk == a.chunkCount) {
      a.inMessage = false;
      counters.messageReceived();
      if (a.kind.snapshot()) {
        counters.snapshotLatency(a.kind, HighResolutionClock.epochMicros() - a.sendMicros);
      }
      received.wrap(a);
      handler.onTensor(received);
    }
  }

  /** Counts the drop and abandons the session's message; false, for beginChunk's returns. */
  private boolean drop(Assembly a, DropReason reason) {
    counters.drop(reason);
    a.abandon();
    return false;
  }

  @Override
  public void close() {
    subscription.close();
    for (Assembly a : assemblies) {
      a.free();
    }
    assemblies.clear();
    bySession.clear();
  }
}
