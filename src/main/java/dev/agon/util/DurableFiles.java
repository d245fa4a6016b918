package dev.agon.util;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The pieces of a crash-safe file store (checkpoints, the classifier): content hashes, files
 * written and forced to disk, directories forced so that a rename into them is durable.
 */
public final class DurableFiles {
  private DurableFiles() {}

  /** Lower-case hex SHA-256 of {@code bytes}. */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes {@code bytes} to the new file {@code file} and forces it to disk before returning. */
  public static void writeSynced(Path file, byte[] bytes) throws IOException {
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
    } catch (IOException e) {
      // Java's write errors ("No space left on device") do not say which file.
      throw e instanceof java.nio.file.FileSystemException ? e : new WriteFailedException(file, e);
    }
  }

  /** Forces directory {@code dir}'s entries (e.g. a rename into it) to disk. */
  public static void fsyncDir(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  /**
   * Deletes {@code root} and everything under it, deepest first; a missing root is no error.
   *
   * @throws IOException the first failure, when a part of it could not be listed or deleted; the
   *     deletion goes on past it, so what could be deleted is gone
   */
  public static void deleteTree(Path root) throws IOException {
    if (!java.nio.file.Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    IOException first = null;
    try (java.util.stream.Stream<Path> s = java.nio.file.Files.walk(root)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        try {
          java.nio.file.Files.deleteIfExists(p);
        } catch (IOException e) {
          first = first == null ? e : first;
        }
      }
    } catch (java.io.UncheckedIOException e) {
      first = first == null ? e.getCause() : first;
    }
    if (first != null) {
      throw first;
    }
  }
}
