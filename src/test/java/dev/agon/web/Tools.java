package dev.agon.web;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * External tools the observability tests drive (promtool, prometheus, chromium, node). CI sets
 * {@code AGON_REQUIRE_TOOLS=1} after installing them (.ci/run), so there a missing tool fails the
 * test; elsewhere the test is skipped with a message saying what to install.
 */
final class Tools {
  private Tools() {}

  static boolean required() {
    String v = System.getenv("AGON_REQUIRE_TOOLS");
    return v != null && !v.isEmpty() && !v.equals("0");
  }

  static Optional<Path> find(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** The tool on PATH, or a failure (CI) / skip (elsewhere) naming how to get it. */
  static Path require(String name, String install) {
    Optional<Path> p = find(name);
    if (p.isPresent()) {
      return p.get();
    }
    String msg = name + " not found on PATH; install it: " + install;
    if (required()) {
      fail(msg + " (AGON_REQUIRE_TOOLS is set)");
    }
    Assumptions.abort(msg);
    return null;
  }

  /** A file or directory a test needs (e.g. installed npm packages), with the same policy. */
  static void requireFile(Path p, String install) {
    if (Files.exists(p)) {
      return;
    }
    String msg = p + " is missing; " + install;
    if (required()) {
      fail(msg + " (AGON_REQUIRE_TOOLS is set)");
    }
    Assumptions.abort(msg);
  }

  /** Runs a command in the working directory; returns exit status and merged output. */
  static Result run(long timeoutSeconds, String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(timeoutSeconds, java.util.concurrent.TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail(String.join(" ", command) + " timed out");
    }
    return new Result(p.exitValue(), new String(out, java.nio.charset.StandardCharsets.UTF_8));
  }

  record Result(int status, String output) {}
}
