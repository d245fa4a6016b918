package dev.agon.transport;

import dev.agon.util.DurableFiles;
import io.aeron.Aeron;
import io.aeron.CommonContext;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.exceptions.AeronException;
import io.aeron.exceptions.RegistrationException;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.slf4j.LoggerFactory;

/**
 * One process's access to Aeron: an embedded media driver (SHARED threading: one agent thread for
 * conductor, sender and receiver, with a backoff idle strategy, ≈ 0.05 cores idle) in a fresh
 * directory deleted on close, or an external driver's directory; and the Aeron client that opens
 * {@link TensorPublisher}s and {@link TensorSubscriber}s on it. IPC needs every process of a host
 * on the same driver: one process embeds it, the others use EXTERNAL with its {@link #aeronDir}.
 */
public final class Transport implements AutoCloseable {
  // An embedded driver's directory: agon-aeron-<pid>-<random>, so that a later driver on the host
  // can tell a dead process's leftovers from a live one's (sweepStale).
  private static final String DIR_PREFIX = "agon-aeron-";
  private static final Pattern OWNED = Pattern.compile("agon-aeron-(\\d+)-.+");
  private static final long STALE_AFTER_MS = 60_000;

  private final TransportSettings settings;
  private final MediaDriver driver;
  private final Path ownDir;
  private final Aeron aeron;

  /** Where every Transport of this process reports the streams it opens. */
  private static volatile StreamObserver observer = StreamObserver.NONE;

  /**
   * Reports every publisher and subscriber opened from now on, by any Transport of this process, to
   * {@code o} ({@link StreamObserver#NONE} to stop).
   */
  public static void observe(StreamObserver o) {
    observer = o;
  }

  private Transport(TransportSettings settings, MediaDriver driver, Path ownDir, Aeron aeron) {
    this.settings = settings;
    this.driver = driver;
    this.ownDir = ownDir;
    this.aeron = aeron;
  }

  /** Starts (EMBEDDED) or reaches (EXTERNAL) the media driver and connects a client to it. */
  public static Transport start(TransportSettings settings) {
    AtomicReference<Throwable> errors = new AtomicReference<>();
    MediaDriver driver = null;
    Path own = null;
    String dir;
    try {
      if (settings.driver() == TransportSettings.DriverMode.EMBEDDED) {
        sweepStale(settings.aeronDir());
        own =
            Files.createTempDirectory(
                settings.aeronDir(), DIR_PREFIX + ProcessHandle.current().pid() + "-");
        dir = own.resolve("driver").toString();
        driver =
            MediaDriver.launch(
                new MediaDriver.Context()
                    .aeronDirectoryName(dir)
                    .threadingMode(ThreadingMode.SHARED)
                    .sharedIdleStrategy(new BackoffIdleStrategy(10, 10, 1_000, 1_000_000))
                    .dirDeleteOnStart(true)
                    .dirDeleteOnShutdown(true)
                    // Bind failures and the like reach the caller as a RegistrationException;
                    // keep them off stderr.
                    .errorHandler(errors::set));
      } else {
        dir = settings.aeronDir().toString();
      }
      Aeron aeron =
          Aeron.connect(
              new Aeron.Context()
                  .aeronDirectoryName(dir)
                  .idleStrategy(new BackoffIdleStrategy(10, 10, 1_000, 1_000_000))
                  .errorHandler(errors::set));
      return new Transport(settings, driver, own, aeron);
    } catch (IOException e) {
      throw new TransportException(
          Failure.DRIVER_UNAVAILABLE,
          "cannot create a driver directory under " + settings.aeronDir(),
          e);
    } catch (AeronException | IllegalStateException e) {
      if (driver != null) {
        driver.close();
      }
      deleteTree(own);
      throw new TransportException(
          Failure.DRIVER_UNAVAILABLE,
          "no media driver at " + settings.aeronDir() + ": " + e.getMessage(),
          e);
    }
  }

  /** The driver's directory, for EXTERNAL clients in other processes of this host. */
  public String aeronDir() {
    return aeron.context().aeronDirectoryName();
  }

  /** The client, for tests that forge frames on a raw publication. */
  Aeron aeron() {
    return aeron;
  }

  public TransportSettings settings() {
    return settings;
  }

  /** A publisher of run {@code runId}, stamping {@code token} (32 bytes) on every frame. */
  public TensorPublisher publisher(Endpoint to, int streamId, long runId, byte[] token) {
    checkToken(token);
    String channel = to.publicationChannel(settings);
    try {
      ExclusivePublication p = aeron.addExclusivePublication(channel, streamId);
      TensorPublisher pub = new TensorPublisher(p, settings, runId, token, to.isIpc());
      observer.publisherOpened(streamId, pub.counters());
      return pub;
    } catch (RegistrationException e) {
      throw registrationFailure(channel, e);
    }
  }

  /**
   * A subscriber of run {@code runId} that accepts only frames with {@code token}; for UDP it binds
   * {@code at}'s port (PORT_IN_USE if another socket has it).
   */
  public TensorSubscriber subscriber(
      Endpoint at, int streamId, long runId, byte[] token, TensorHandler handler) {
    checkToken(token);
    String channel = at.subscriptionChannel(settings);
    TensorSubscriber[] self = new TensorSubscriber[1];
    try {
      Subscription s =
          aeron.addSubscription(
              channel,
              streamId,
              image -> {},
              image -> {
                if (self[0] != null) {
                  self[0].onUnavailableImage(image);
                }
              });
      self[0] = new TensorSubscriber(s, settings, runId, token, handler);
      observer.subscriberOpened(streamId, self[0].counters());
      return self[0];
    } catch (RegistrationException e) {
      throw registrationFailure(channel, e);
    }
  }

  private static TransportException registrationFailure(String channel, RegistrationException e) {
    String m = String.valueOf(e.getMessage());
    boolean inUse = m.contains("Address already in use") || m.contains("BindException");
    return new TransportException(
        inUse ? Failure.PORT_IN_USE : Failure.REGISTRATION_FAILED,
        (inUse ? "port already in use: " : "the media driver refused ") + channel + " (" + m + ")",
        e);
  }

  private static void checkToken(byte[] token) {
    if (token.length != FrameHeader.TOKEN_BYTES) {
      throw new IllegalArgumentException(
          "the run token must be " + FrameHeader.TOKEN_BYTES + " bytes, got " + token.length);
    }
  }

  /** Closes the client, then the embedded driver, and deletes the driver's directory. */
  @Override
  public void close() {
    aeron.close();
    if (driver != null) {
      driver.close();
    }
    deleteTree(ownDir);
  }

  /**
   * Deletes what embedded drivers of dead processes left under {@code parent} (a kill -9 runs no
   * shutdown hook, and each directory holds its terms: hundreds of MB of /dev/shm): a directory
   * named for a process that no longer exists, older than {@link #STALE_AFTER_MS} (a younger one
   * may be a driver starting) and whose driver, if it has a CnC file, has not beaten its heartbeat
   * within {@link #STALE_AFTER_MS} (a process of another PID namespace sharing the directory keeps
   * its own). Best effort: what cannot be read or deleted stays. Costs one directory listing per
   * embedded driver start.
   */
  static void sweepStale(Path parent) {
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent, DIR_PREFIX + "*")) {
      for (Path d : dirs) {
        if (stale(d)) {
          try {
            DurableFiles.deleteTree(d);
            LoggerFactory.getLogger(Transport.class)
                .info("deleted {}, the driver directory of a process that is gone", d);
          } catch (IOException e) {
            // another process sweeping at once, or not ours to delete: leave it
          }
        }
      }
    } catch (IOException e) {
      // nothing to sweep
    }
  }

  private static boolean stale(Path d) throws IOException {
    Matcher m = OWNED.matcher(d.getFileName().toString());
    if (!m.matches() || !Files.isDirectory(d)) {
      return false;
    }
    long pid;
    try {
      pid = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      return false;
    }
    if (ProcessHandle.of(pid).isPresent()
        || Files.getLastModifiedTime(d).toMillis() > System.currentTimeMillis() - STALE_AFTER_MS) {
      return false;
    }
    File driverDir = d.resolve("driver").toFile();
    try {
      return !CommonContext.isDriverActive(driverDir, STALE_AFTER_MS, msg -> {});
    } catch (RuntimeException e) {
      return true; // no readable CnC file: no driver has ever run there
    }
  }

  private static void deleteTree(Path dir) {
    if (dir == null) {
      return;
    }
    try {
      DurableFiles.deleteTree(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the driver directory " + dir, e);
    }
  }
}
