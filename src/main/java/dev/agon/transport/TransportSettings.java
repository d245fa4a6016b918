package dev.agon.transport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How a process reaches its media driver and sizes its streams; validated on construction, so a
 * publisher or subscriber built from it cannot meet an impossible size later.
 *
 * @param driver EMBEDDED: this process runs a media driver (SHARED threading, backoff idle) in a
 *     fresh directory under {@code aeronDir}, deleted on close; EXTERNAL: a driver already runs
 *     with {@code aeronDir} as its aeron.dir (another JVM's embedded one, or a standalone one)
 * @param aeronDir see {@code driver}
 * @param termLengthBytes publication term length, a power of two in 64 KiB .. 1 GiB; each
 *     publication maps 3 terms (of /dev/shm, for IPC and on the sending host), and Aeron's largest
 *     message is term/8
 * @param chunkBytes payload bytes per frame; header plus chunk must fit term/8. Over IPC a chunk is
 *     also capped at one claim (the IPC MTU, min(64 KiB, term/8), less Aeron's 32-byte and the
 *     176-byte frame header: 65,296 bytes from 512 KiB terms up), as the publisher writes it with
 *     one {@code tryClaim}
 * @param maxMessageBytes largest total payload a subscriber assembles; larger messages are dropped
 *     (TOO_LARGE) before any buffer is sized for them
 * @param connectTimeoutMs how long a send waits for a subscriber to be connected
 * @param sendTimeoutMs deadline of one whole message's offers, back-pressure waits included: a
 *     stalled or dead subscriber turns into SEND_TIMEOUT, never a hang
 * @param assemblyTimeoutMs an incomplete message with no new chunk for this long is dropped
 *     (INCOMPLETE)
 * @param socketBufferBytes UDP SO_SNDBUF/SO_RCVBUF and receiver window; 0 keeps Aeron's defaults
 *     (the OS caps it at net.core.[rw]mem_max)
 */
public record TransportSettings(
    DriverMode driver,
    Path aeronDir,
    int termLengthBytes,
    int chunkBytes,
    long maxMessageBytes,
    long connectTimeoutMs,
    long sendTimeoutMs,
    long assemblyTimeoutMs,
    int socketBufferBytes) {

  /** Where the media driver runs. */
  public enum DriverMode {
    EMBEDDED,
    EXTERNAL
  }

  public static final int MIN_TERM_BYTES = 64 * 1024;
  public static final int MAX_TERM_BYTES = 1 << 30;

  public TransportSettings {
    Objects.requireNonNull(driver, "driver");
    Objects.requireNonNull(aeronDir, "aeronDir");
    if (termLengthBytes < MIN_TERM_BYTES
        || termLengthBytes > MAX_TERM_BYTES
        || Integer.bitCount(termLengthBytes) != 1) {
      throw new IllegalArgumentException(
          "termLengthBytes must be a power of two in 64 KiB .. 1 GiB, got " + termLengthBytes);
    }
    if (chunkBytes < 1 || chunkBytes + FrameHeader.BYTES > termLengthBytes / 8) {
      throw new IllegalArgumentException(
          "chunkBytes must be in 1 .. termLengthBytes/8 - "
              + FrameHeader.BYTES
              + " = "
              + (termLengthBytes / 8 - FrameHeader.BYTES)
              + ", got "
              + chunkBytes);
    }
    if (maxMessageBytes < 1 || maxMessageBytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "maxMessageBytes must be in 1 .. 2^31-1 (one direct buffer), got " + maxMessageBytes);
    }
    positive("connectTimeoutMs", connectTimeoutMs);
    positive("sendTimeoutMs", sendTimeoutMs);
    positive("assemblyTimeoutMs", assemblyTimeoutMs);
    if (socketBufferBytes < 0) {
      throw new IllegalArgumentException(
          "socketBufferBytes must be >= 0, got " + socketBufferBytes);
    }
  }

  /**
   * An embedded driver under /dev/shm (else the temp dir), 16 MiB terms (48 MiB of shared memory
   * per publication), 1 MiB chunks, messages up to 256 MiB, 5 s to connect, 30 s per message, 10 s
   * to assemble, Aeron's socket buffers.
   */
  public static TransportSettings defaults() {
    Path shm = Path.of("/dev/shm");
    Path dir = Files.isDirectory(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    return new TransportSettings(
        DriverMode.EMBEDDED, dir, 16 << 20, 1 << 20, 256L << 20, 5_000, 30_000, 10_000, 0);
  }

  public TransportSettings withDriver(DriverMode mode, Path dir) {
    return new TransportSettings(
        mode,
        dir,
        termLengthBytes,
        chunkBytes,
        maxMessageBytes,
        connectTimeoutMs,
        sendTimeoutMs,
        assemblyTimeoutMs,
        socketBufferBytes);
  }

  public TransportSettings withSizes(int termLength, int chunk, long maxMessage) {
    return new TransportSettings(
        driver,
        aeronDir,
        termLength,
        chunk,
        maxMessage,
        connectTimeoutMs,
        sendTimeoutMs,
        assemblyTimeoutMs,
        socketBufferBytes);
  }

  public TransportSettings withTimeouts(long connectMs, long sendMs, long assemblyMs) {
    return new TransportSettings(
        driver,
        aeronDir,
        termLengthBytes,
        chunkBytes,
        maxMessageBytes,
        connectMs,
        sendMs,
        assemblyMs,
        socketBufferBytes);
  }

  public TransportSettings withSocketBufferBytes(int bytes) {
    return new TransportSettings(
        driver,
        aeronDir,
        termLengthBytes,
        chunkBytes,
        maxMessageBytes,
        connectTimeoutMs,
        sendTimeoutMs,
        assemblyTimeoutMs,
        bytes);
  }

  private static void positive(String name, long v) {
    if (v < 1) {
      throw new IllegalArgumentException(name + " must be >= 1, got " + v);
    }
  }
}
