package dev.agon.config;

import java.util.Objects;

/**
 * One configuration problem.
 *
 * @param path dotted key path, e.g. {@code schedule.k} or {@code model.generator.hidden[1]}; empty
 *     when the problem concerns a whole file or override (a missing file, a syntax error)
 * @param origin where the offending text is: {@code file:line}, {@code defaults.conf:NN}, or the
 *     override itself, e.g. {@code --set schedule.k=0}
 * @param message short explanation, e.g. {@code must be >= 1 (got 0)}
 */
public record Problem(String path, String origin, String message) {

  /** Rejects null components. */
  public Problem {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(message, "message");
  }

  /**
   * The problem as one line: {@code origin: path: message} ({@code origin: message} if no path).
   */
  public String line() {
    return path.isEmpty() ? origin + ": " + message : origin + ": " + path + ": " + message;
  }
}
