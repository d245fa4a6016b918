package dev.agon.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Files a command writes at paths the user chose, all or none: {@link #add} checks a path before
 * anything is written (a directory, a missing or read-only parent, a read-only file, the same file
 * twice are {@link Main.UserException}s naming the option and path), {@link #write} writes each one
 * to a temporary file beside it, and {@link #commit} renames them into place only once every one is
 * written, so a failure midway leaves no output and no temporary file.
 */
final class OutputFiles {
  /** Writes one output to {@code file} (a temporary path). */
  @FunctionalInterface
  interface Writer {
    void write(Path file) throws IOException;
  }

  /** Option -> target path, in order of {@link #add}. */
  private final Map<String, Path> targets = new LinkedHashMap<>();

  /** Target -> its written temporary file. */
  private final Map<Path, Path> written = new LinkedHashMap<>();

  /**
   * Checks that {@code path} (given as {@code option}) can be written; null is skipped. Nothing is
   * created.
   */
  OutputFiles add(String option, Path path) {
    if (path == null) {
      return this;
    }
    Path target = path.toAbsolutePath().normalize();
    String where = option + " " + path;
    for (var e : targets.entrySet()) {
      if (e.getValue().equals(target)) {
        throw new Main.UserException(where + ": the same file as " + e.getKey());
      }
    }
    if (Files.isDirectory(target)) {
      throw new Main.UserException(where + ": is a directory; give a file name");
    }
    Path parent = target.getParent();
    if (!Files.isDirectory(parent)) {
      throw new Main.UserException(
          where
              + ": "
              + parent
              + (Files.exists(parent) ? " is not a directory" : " does not exist"));
    }
    if (!writable(parent)) {
      throw new Main.UserException(where + ": directory " + parent + " is not writable");
    }
    if (Files.exists(target) && !writable(target)) {
      throw new Main.UserException(where + ": the file is read-only");
    }
    targets.put(option, target);
    return this;
  }

  /**
   * Writable by this process, and not marked read-only: root may write anything, but a file or
   * directory without any write permission was protected on purpose and is left alone.
   */
  private static boolean writable(Path p) {
    if (!Files.isWritable(p)) {
      return false;
    }
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
      return perms.contains(PosixFilePermission.OWNER_WRITE)
          || perms.contains(PosixFilePermission.GROUP_WRITE)
          || perms.contains(PosixFilePermission.OTHERS_WRITE);
    } catch (UnsupportedOperationException | IOException e) {
      return true;
    }
  }

  /**
   * Writes the output of {@code option} (added before) with {@code writer} to a temporary file
   * beside its target (created by the writer, so it gets the usual permissions); a failure is a
   * {@link Main.UserException} naming the option and path.
   */
  void write(String option, Writer writer) {
    Path target = targets.get(option);
    if (target == null) {
      throw new IllegalStateException("not added: " + option);
    }
    Path tmp =
        target.resolveSibling(
            "."
                + target.getFileName()
                + ".tmp-"
                + ProcessHandle.current().pid()
                + "-"
                + written.size());
    written.put(target, tmp);
    try {
      writer.write(tmp);
    } catch (IOException e) {
      throw new Main.UserException(option + " " + target + ": cannot write: " + e.getMessage());
    }
  }

  /**
   * Renames every written output into place. A rename within a directory that passed {@link #add}
   * does not fail in practice; if one did, the outputs renamed before it stay.
   */
  void commit() {
    for (var e : written.entrySet()) {
      try {
        Files.move(
            e.getValue(),
            e.getKey(),
            StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException ex) {
        throw new Main.UserException(
            "cannot rename " + e.getValue() + " to " + e.getKey() + ": " + ex);
      }
    }
    written.clear();
  }

  /** Deletes the temporary files of outputs not committed; for a finally block. */
  void discard() {
    for (Path tmp : written.values()) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // Best effort: a leftover is a hidden .tmp- file beside the target.
      }
    }
    written.clear();
  }
}
