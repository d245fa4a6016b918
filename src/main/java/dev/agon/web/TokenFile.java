package dev.agon.web;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A bearer token file (the control API's {@code metrics.token-file}): the token is its first line,
 * stripped. A file that gives no token is an error, so the control API never runs without the
 * protection its user asked for.
 *
 * <p>A file that its group or others may read is used with a warning, not refused (ssh refuses such
 * private keys): the token guards a network API, and container secrets are commonly mounted 0444 or
 * 0644 for a single-user container (Docker and Kubernetes defaults), where refusing would break the
 * documented deployment for no gain. The warning names the file, its mode and the fix.
 */
public final class TokenFile {
  private TokenFile() {}

  /**
   * The token in {@code file}; {@code warn} gets a warning when the file's group or others may read
   * it. Throws with a message {@code FILE: what is wrong} when it gives no token.
   */
  public static String read(Path file, Consumer<String> warn) throws IOException {
    String text;
    try {
      if (Files.isDirectory(file)) {
        throw new IOException(file + ": is a directory, not a file");
      }
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new IOException(file + ": no such file", e);
    } catch (AccessDeniedException e) {
      throw new IOException(file + ": permission denied", e);
    } catch (CharacterCodingException e) {
      throw new IOException(file + ": not UTF-8 text", e);
    }
    if (text.isBlank()) {
      throw new IOException(
          file
              + ": "
              + (text.isEmpty() ? "is empty" : "is blank")
              + "; the"
              + " token is its first line");
    }
    String token = text.lines().findFirst().orElse("").strip();
    if (token.isEmpty()) {
      throw new IOException(file + ": the first line is blank; the token is its first line");
    }
    String mode = readableByOthers(file);
    if (mode != null) {
      warn.accept(
          file
              + " is readable by group or others (mode "
              + mode
              + "): they can control the run; chmod 600 "
              + file);
    }
    return token;
  }

  /** The file's mode in octal when its group or others may read it, else null (or not POSIX). */
  private static String readableByOthers(Path file) throws IOException {
    Set<PosixFilePermission> p;
    try {
      p = Files.getPosixFilePermissions(file);
    } catch (UnsupportedOperationException e) {
      return null;
    }
    if (!p.contains(PosixFilePermission.GROUP_READ)
        && !p.contains(PosixFilePermission.OTHERS_READ)) {
      return null;
    }
    int mode = 0;
    for (PosixFilePermission bit : p) {
      // OWNER_READ is ordinal 0 and means 0400; each later one is the next lower bit.
      mode |= 0400 >> bit.ordinal();
    }
    return String.format("%04o", mode);
  }
}
