package dev.agon.transport;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One session's (publisher's) message being put together from its chunks, in a direct buffer that
 * is reused for the session's following messages and grows only up to the subscriber's max message
 * bytes; freed when the session's image goes away. Mutable, used by the polling thread only.
 */
final class Assembly {
  final int sessionId;
  UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
  ByteBuffer crcView;

  // The message in progress (valid while inMessage).
  boolean inMessage;
  FrameKind kind;
  Dtype dtype;
  long step;
  long version;
  long messageId;
  long sendMicros;
  int chunkCount;
  long totalBytes;
  int rank;
  final long[] dims = new long[FrameHeader.MAX_RANK];
  int nextChunk;
  long receivedBytes;
  long lastProgressNs;

  // The chunk in progress (valid while inChunk): its fragments are copied at chunkStart.
  boolean inChunk;
  long chunkStart;
  int chunkBytes;
  int chunkReceived;
  int chunkCrc;
  // The chunk's CRC32C so far, updated per fragment right after its copy (still in L1).
  final CRC32C crcSoFar = new CRC32C();

  Assembly(int sessionId) {
    this.sessionId = sessionId;
  }

  /** Makes room for {@code bytes}; allocates (once per larger size) a direct buffer. */
  void ensureCapacity(long bytes) {
    if (crcView == null || buffer.capacity() < bytes) {
      ByteBuffer b = ByteBuffer.allocateDirect((int) bytes).order(LITTLE_ENDIAN);
      buffer = new UnsafeBuffer(b);
      crcView = b.duplicate();
    }
  }

  void abandon() {
    inMessage = false;
    inChunk = false;
  }

  /** Drops the buffer (reclaimed by the GC's cleaner of direct buffers). */
  void free() {
    abandon();
    buffer = new UnsafeBuffer(0, 0);
    crcView = null;
  }
}
