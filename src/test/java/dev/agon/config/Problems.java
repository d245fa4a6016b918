package dev.agon.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Test helpers: load and collect the problem lines. */
final class Problems {
  private Problems() {}

  /** The problem lines of loading {@code file} (may be null) with {@code overrides}. */
  static List<String> of(Path file, String... overrides) {
    try {
      ConfigLoader.load(Optional.ofNullable(file), List.of(overrides));
    } catch (ConfigProblemException e) {
      List<String> lines = e.problems().stream().map(Problem::line).toList();
      assertThat(e.getMessage()).isEqualTo(String.join("\n", lines));
      return lines;
    }
    return fail("expected a ConfigProblemException");
  }

  /** The problem lines of {@link ConfigLoader#parseResolved}. */
  static List<String> ofResolved(String text, String origin) {
    try {
      ConfigLoader.parseResolved(text, origin);
    } catch (ConfigProblemException e) {
      return e.problems().stream().map(Problem::line).toList();
    }
    return fail("expected a ConfigProblemException");
  }

  /** Writes {@code lines} (line 1 first) to {@code dir/name}. */
  static Path write(Path dir, String name, String... lines) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    return file;
  }
}
