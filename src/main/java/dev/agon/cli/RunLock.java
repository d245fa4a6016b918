package dev.agon.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The exclusive lock of a run directory, {@code DIR/agon.lock}: an OS file lock that {@code agon
 * train} holds for its whole life, so a second trainer is refused before it writes anything. The OS
 * drops the lock when the process ends however it ends, so a crash never leaves a stale lock. The
 * file itself stays (deleting it would let two processes lock two different files); its text names
 * the last holder, {@code pid@host start-time}, for the refusal message only.
 *
 * <p>Locks are POSIX record locks on Linux, which belong to the process: closing any channel on the
 * file drops every lock this JVM holds on it. So a directory this JVM already locked is found in a
 * registry before a second channel is ever opened.
 */
final class RunLock implements AutoCloseable {
  static final String FILE = "agon.lock";

  /** Lock files this JVM holds (real paths), with their holder text. */
  private static final Map<Path, String> HELD = new ConcurrentHashMap<>();

  private final Path file;
  private final Path key;
  private final FileChannel channel;
  private final FileLock lock;
  private final boolean created;
  private final byte[] previous;

  private RunLock(
      Path file, Path key, FileChannel channel, FileLock lock, boolean created, byte[] previous) {
    this.file = file;
    this.key = key;
    this.channel = channel;
    this.lock = lock;
    this.created = created;
    this.previous = previous;
  }

  /**
   * Locks run directory {@code dir}, which must exist, and records this process as the holder.
   *
   * @throws Main.UserException when another process (or another run in this JVM) holds it, or when
   *     the lock file cannot be written (a full disk, no permission): then nothing is left changed
   */
  static RunLock acquire(Path dir) {
    Path file = dir.resolve(FILE);
    Path key;
    try {
      key = dir.toRealPath().resolve(FILE);
    } catch (IOException e) {
      throw new Main.UserException("cannot use run directory " + dir + ": " + reason(e));
    }
    String mine = HELD.get(key);
    if (mine != null) {
      throw inUse(dir, mine);
    }
    boolean created = !Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS);
    FileChannel ch;
    try {
      ch =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new Main.UserException("cannot write " + file + ": " + reason(e));
    }
    FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      // Held in this JVM outside the registry (a test holding it): refused all the same.
      lock = null;
    } catch (IOException e) {
      closeQuietly(ch);
      throw new Main.UserException("cannot lock " + file + ": " + reason(e));
    }
    if (lock == null) {
      String holder = read(ch);
      closeQuietly(ch);
      throw inUse(dir, holder);
    }
    String me = ProcessHandle.current().pid() + "@" + host() + " " + now();
    byte[] previous = readAll(ch);
    try {
      ByteBuffer b = ByteBuffer.wrap((me + "\n").getBytes(StandardCharsets.UTF_8));
      while (b.hasRemaining()) {
        ch.write(b, b.position());
      }
      ch.truncate(b.limit());
    } catch (IOException e) {
      // A full disk: leave the directory as it was (the file goes only if this call made it).
      if (created) {
        deleteQuietly(file);
      }
      closeQuietly(ch);
      throw new Main.UserException("cannot write " + file + ": " + reason(e));
    }
    HELD.put(key, me);
    return new RunLock(file, key, ch, lock, created, previous);
  }

  /**
   * For a start that failed: puts the lock file back as it was (removed if this lock created it,
   * else its previous text), so the directory is left unchanged. Still locked until {@link #close}.
   */
  void restore() {
    try {
      if (created) {
        Files.deleteIfExists(file);
      } else {
        ByteBuffer b = ByteBuffer.wrap(previous);
        while (b.hasRemaining()) {
          channel.write(b, b.position());
        }
        channel.truncate(previous.length);
      }
    } catch (IOException e) {
      // The text names a holder only; the lock is what counts.
    }
  }

  Path file() {
    return file;
  }

  /** Releases the lock; the file stays. */
  @Override
  public void close() {
    HELD.remove(key);
    try {
      lock.release();
    } catch (IOException e) {
      // The channel's close below releases it as well.
    }
    closeQuietly(channel);
  }

  private static Main.UserException inUse(Path dir, String holder) {
    String who = holder.isBlank() ? "another process" : "pid " + holder.strip();
    return new Main.UserException(
        "run directory "
            + dir
            + " is in use by another agon train ("
            + who
            + "); wait for it to end or choose another --run directory");
  }

  private static byte[] readAll(FileChannel ch) {
    try {
      ByteBuffer b = ByteBuffer.allocate((int) Math.min(ch.size(), 4096));
      while (b.hasRemaining() && ch.read(b, b.position()) > 0) {
        // reads until full or at the end
      }
      return java.util.Arrays.copyOf(b.array(), b.position());
    } catch (IOException e) {
      return new byte[0];
    }
  }

  /** The holder text of a locked file, read through the channel already open (see the class). */
  private static String read(FileChannel ch) {
    try {
      ByteBuffer b = ByteBuffer.allocate(256);
      ch.read(b, 0);
      String text = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
      int nl = text.indexOf('\n');
      return (nl >= 0 ? text.substring(0, nl) : text).replaceAll("\\p{Cntrl}", "?");
    } catch (IOException e) {
      return "";
    }
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown-host";
    }
  }

  private static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static String reason(IOException e) {
    return dev.agon.util.WriteFailedException.reason(e);
  }

  private static void closeQuietly(FileChannel ch) {
    try {
      ch.close();
    } catch (IOException e) {
      // Nothing to do: the process's exit releases it.
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // Left behind: an empty lock file, harmless.
    }
  }
}
