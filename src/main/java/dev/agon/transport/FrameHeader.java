package dev.agon.transport;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The frame format: every Aeron message of a tensor stream is one chunk of one tensor, a fixed
 * 176-byte little-endian header followed by the chunk's payload (the tensor's c-order elements,
 * little endian, bytes {@code [offset, offset + chunkBytes)} where offset is the sum of the earlier
 * chunks' bytes).
 *
 * <pre>
 * offset size field
 *      0    4 magic 0x4E4F4741 ("AGON" in byte order)
 *      4    2 format version (2: 1 had no send time)
 *      6    1 kind ({@link FrameKind} code)
 *      7    1 dtype ({@link Dtype} code)
 *      8   32 run token (the run's secret, compared in constant time before anything else)
 *     40    8 run id
 *     48    8 step
 *     56    8 version (the tensor's version, as the Coordinator checks it)
 *     64    8 message id (per publisher, increasing)
 *     72    4 chunk index (0 .. count-1, in order)
 *     76    4 chunk count (&gt;= 1)
 *     80    8 total payload bytes of the message (= product(shape) * dtype bytes)
 *     88    4 chunk payload bytes
 *     92    4 rank (0 .. 8)
 *     96   64 shape: 8 dimensions (int64), unused ones 0
 *    160    8 send time: epoch microseconds of the message's first chunk's offer (the same in
 *               every chunk of the message; the sender's wall clock)
 *    168    4 CRC32C of the chunk payload
 *    172    4 CRC32C of header bytes 0 .. 171
 * </pre>
 *
 * A subscriber checks, in this order and before decoding anything: length, token, magic and
 * version, header CRC, run id, fields, sizes against its max message bytes, chunk consistency, then
 * the payload CRC once the chunk is in; a failing frame is dropped and counted by {@link
 * DropReason}. The header costs 176 bytes per chunk (0.02% of a 1 MiB chunk).
 */
public final class FrameHeader {
  public static final int MAGIC = 0x4E4F4741;
  public static final int FORMAT_VERSION = 2;
  public static final int TOKEN_BYTES = 32;
  public static final int MAX_RANK = 8;

  static final int MAGIC_OFFSET = 0;
  static final int FORMAT_VERSION_OFFSET = 4;
  static final int KIND_OFFSET = 6;
  static final int DTYPE_OFFSET = 7;
  static final int TOKEN_OFFSET = 8;
  static final int RUN_ID_OFFSET = 40;
  static final int STEP_OFFSET = 48;
  static final int VERSION_OFFSET = 56;
  static final int MESSAGE_ID_OFFSET = 64;
  static final int CHUNK_INDEX_OFFSET = 72;
  static final int CHUNK_COUNT_OFFSET = 76;
  static final int TOTAL_BYTES_OFFSET = 80;
  static final int CHUNK_BYTES_OFFSET = 88;
  static final int RANK_OFFSET = 92;
  static final int SHAPE_OFFSET = 96;
  static final int SEND_TIME_OFFSET = 160;
  static final int PAYLOAD_CRC_OFFSET = 168;
  static final int HEADER_CRC_OFFSET = 172;

  /** Header length in bytes. */
  public static final int BYTES = 176;

  private FrameHeader() {}

  /**
   * Writes the header of one chunk into {@code buf} at 0, CRCs included; {@code payloadCrc} is the
   * chunk payload's CRC32C, {@code sendMicros} the message's send time (epoch microseconds). {@code
   * headerView} is a ByteBuffer over the same memory as {@code buf} and {@code crc} a reusable
   * CRC32C (the caller's, so nothing is allocated per chunk).
   */
  static void write(
      MutableDirectBuffer buf,
      ByteBuffer headerView,
      CRC32C crc,
      FrameKind kind,
      Dtype dtype,
      byte[] token,
      long runId,
      long step,
      long version,
      long messageId,
      int chunkIndex,
      int chunkCount,
      long totalBytes,
      int chunkBytes,
      long[] shape,
      long sendMicros,
      int payloadCrc) {
    buf.putInt(MAGIC_OFFSET, MAGIC, LITTLE_ENDIAN);
    buf.putShort(FORMAT_VERSION_OFFSET, (short) FORMAT_VERSION, LITTLE_ENDIAN);
    buf.putByte(KIND_OFFSET, (byte) kind.code);
    buf.putByte(DTYPE_OFFSET, (byte) dtype.code);
    buf.putBytes(TOKEN_OFFSET, token, 0, TOKEN_BYTES);
    buf.putLong(RUN_ID_OFFSET, runId, LITTLE_ENDIAN);
    buf.putLong(STEP_OFFSET, step, LITTLE_ENDIAN);
    buf.putLong(VERSION_OFFSET, version, LITTLE_ENDIAN);
    buf.putLong(MESSAGE_ID_OFFSET, messageId, LITTLE_ENDIAN);
    buf.putInt(CHUNK_INDEX_OFFSET, chunkIndex, LITTLE_ENDIAN);
    buf.putInt(CHUNK_COUNT_OFFSET, chunkCount, LITTLE_ENDIAN);
    buf.putLong(TOTAL_BYTES_OFFSET, totalBytes, LITTLE_ENDIAN);
    buf.putInt(CHUNK_BYTES_OFFSET, chunkBytes, LITTLE_ENDIAN);
    buf.putInt(RANK_OFFSET, shape.length, LITTLE_ENDIAN);
    for (int d = 0; d < MAX_RANK; d++) {
      buf.putLong(SHAPE_OFFSET + 8 * d, d < shape.length ? shape[d] : 0, LITTLE_ENDIAN);
    }
    buf.putLong(SEND_TIME_OFFSET, sendMicros, LITTLE_ENDIAN);
    buf.putInt(PAYLOAD_CRC_OFFSET, payloadCrc, LITTLE_ENDIAN);
    buf.putInt(HEADER_CRC_OFFSET, headerCrc(headerView, crc), LITTLE_ENDIAN);
  }

  /** CRC32C of the header bytes before the header CRC, read through {@code headerView}. */
  static int headerCrc(ByteBuffer headerView, CRC32C crc) {
    crc.reset();
    headerView.limit(HEADER_CRC_OFFSET).position(0);
    crc.update(headerView);
    return (int) crc.getValue();
  }

  /** A direct little-endian buffer of one header and the UnsafeBuffer over it. */
  static UnsafeBuffer allocate() {
    return new UnsafeBuffer(ByteBuffer.allocateDirect(BYTES).order(LITTLE_ENDIAN));
  }
}
