package dev.agon.util;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;

/**
 * A file of a run could not be written (a full disk, no permission): the message names the file and
 * the OS's reason, e.g. {@code cannot write runs/ring/config.conf: No space left on device}. The
 * CLI reports it as one line with exit status 2: the user can fix it, and nothing partial is left.
 */
public final class WriteFailedException extends IOException {
  private static final long serialVersionUID = 1L;

  public WriteFailedException(Path file, IOException cause) {
    super("cannot write " + file + ": " + reason(cause), cause);
  }

  public WriteFailedException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The OS's reason without the path Java may prefix: "No space left on device". */
  public static String reason(IOException e) {
    if (e instanceof WriteFailedException w) {
      return w.getMessage();
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof java.nio.file.FileAlreadyExistsException) {
      return "a file is in the way";
    }
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file or directory";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
