package dev.agon.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Thrown when a configuration cannot be loaded; carries every problem found, not just the first.
 * {@link #getMessage()} is the problems' {@link Problem#line() lines} joined by {@code '\n'}.
 */
public final class ConfigProblemException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Not serialised: a {@code List} is not guaranteed to be serialisable. */
  private final transient List<Problem> problems;

  /** Creates the exception; {@code problems} must not be empty. */
  public ConfigProblemException(List<Problem> problems) {
    super(problems.stream().map(Problem::line).collect(Collectors.joining("\n")));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("no problems");
    }
    this.problems = List.copyOf(problems);
  }

  /** Every problem found, in the order found. */
  public List<Problem> problems() {
    return problems;
  }
}
