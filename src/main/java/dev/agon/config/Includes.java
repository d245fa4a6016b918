package dev.agon.config;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigIncludeContext;
import com.typesafe.config.ConfigIncluder;
import com.typesafe.config.ConfigObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * HOCON's includer with Agon's rules for a plain {@code include "x.conf"}: it resolves relative to
 * the directory of the file that includes it, and one that names no file is a problem (file and
 * line) instead of HOCON's silent empty object, so a misspelled include cannot go unnoticed. URLs
 * and {@code required(...)}, {@code file(...)}, {@code classpath(...)} keep HOCON's behaviour.
 */
final class Includes implements ConfigIncluder {
  private final ConfigIncluder fallback;

  /** The files being parsed, the including one last; shared by every copy of this includer. */
  private final Deque<Path> parsing;

  private final List<Problem> problems;

  /**
   * An includer for parsing {@code file}, whose parent must be known (pass {@code ./name} for a
   * bare name), reporting missing includes to {@code problems}.
   */
  Includes(Path file, List<Problem> problems) {
    this(null, new ArrayDeque<>(List.of(file)), problems);
  }

  private Includes(ConfigIncluder fallback, Deque<Path> parsing, List<Problem> problems) {
    this.fallback = fallback;
    this.parsing = parsing;
    this.problems = problems;
  }

  @Override
  public ConfigIncluder withFallback(ConfigIncluder fallback) {
    return new Includes(fallback, parsing, problems);
  }

  @Override
  public ConfigObject include(ConfigIncludeContext context, String what) {
    if (what.matches("[A-Za-z][A-Za-z0-9+.-]*:.*") || fallback == null) {
      return fallback == null ? ConfigFactory.empty().root() : fallback.include(context, what);
    }
    Path including = parsing.peekLast();
    Path target = including.resolveSibling(what);
    String name = target.getFileName() == null ? "" : target.getFileName().toString();
    // HOCON reads x.conf, x.json and x.properties for an include without an extension.
    List<Path> candidates =
        name.contains(".")
            ? List.of(target)
            : List.of(
                target.resolveSibling(name + ".conf"),
                target.resolveSibling(name + ".json"),
                target.resolveSibling(name + ".properties"));
    if (candidates.stream().noneMatch(Files::isRegularFile)) {
      problems.add(
          new Problem(
              "",
              including + lineOf(including, what),
              "include \"" + what + "\": no such file (looked for " + target + ")"));
      return ConfigFactory.empty().root();
    }
    parsing.addLast(target);
    try {
      return fallback.include(context, what);
    } finally {
      parsing.removeLast();
    }
  }

  /** {@code :N}, the first line of {@code file} that includes {@code what}; empty if not found. */
  private static String lineOf(Path file, String what) {
    try {
      List<String> lines = Files.readAllLines(file);
      for (int i = 0; i < lines.size(); i++) {
        String l = lines.get(i);
        if (l.contains("include") && l.contains("\"" + what + "\"")) {
          return ":" + (i + 1);
        }
      }
    } catch (IOException | RuntimeException e) {
      // Unreadable or not UTF-8: the file alone is named.
    }
    return "";
  }
}
