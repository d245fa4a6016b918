package dev.agon.transport;

/**
 * Why a subscriber dropped a frame or an assembling message instead of delivering it. Checked in
 * this order on a chunk's first fragment, so a frame is never read past the first failing check.
 */
public enum DropReason {
  /** Shorter than the header. */
  SHORT_FRAME,
  /** The run token differs (compared in constant time, before any other field is read). */
  WRONG_TOKEN,
  /** Wrong magic or format version. */
  BAD_FORMAT,
  /** The header's own CRC32C does not match. */
  HEADER_CRC,
  /** Another run's frame. */
  WRONG_RUN,
  /** Unknown kind or dtype, rank out of 0..8, a negative dimension. */
  BAD_FIELD,
  /** Shape times element size differs from the total bytes. */
  BAD_SIZE,
  /** Total bytes above the subscriber's max message bytes. */
  TOO_LARGE,
  /** Chunk index/count impossible, or the chunk's bytes overrun the message or the header. */
  BAD_CHUNK,
  /** A chunk that does not continue the session's message (id, order, fields). */
  INCONSISTENT_CHUNK,
  /** The chunk payload's CRC32C does not match. */
  PAYLOAD_CRC,
  /** A message left incomplete for longer than the assembly timeout. */
  INCOMPLETE,
  /** A message whose session began a new message before finishing it. */
  SUPERSEDED,
  /** A message whose image (publisher) went away before it was complete. */
  IMAGE_LOST
}
