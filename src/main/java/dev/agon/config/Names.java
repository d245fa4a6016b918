package dev.agon.config;

import java.math.BigDecimal;
import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** Spelling rules shared by the binder, the renderer and the reference: kebab-case, numbers. */
final class Names {
  private Names() {}

  /** The HOCON key of a record component: {@code batchSize} becomes {@code batch-size}. */
  static String kebab(String camel) {
    StringBuilder sb = new StringBuilder(camel.length() + 4);
    for (int i = 0; i < camel.length(); i++) {
      char c = camel.charAt(i);
      if (Character.isUpperCase(c)) {
        if (i > 0) {
          sb.append('-');
        }
        sb.append(Character.toLowerCase(c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  /** The HOCON spelling of an enum constant: {@code LEAKY_RELU} becomes {@code leaky-relu}. */
  static String enumName(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Joins a parent path and a key; the root path is empty. */
  static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /**
   * The candidate that {@code given} was most likely meant to be: a case, underscore or camelCase
   * variant of it ({@code batchSize}, {@code batch_size}, {@code BATCH_SIZE} for {@code
   * batch-size}), else the nearest candidate within edit distance 2.
   */
  static Optional<String> suggest(String given, Collection<String> candidates) {
    String normal = normalise(given);
    for (String candidate : candidates) {
      if (candidate.equals(normal)) {
        return Optional.of(candidate);
      }
    }
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      int d = Math.min(distance(given, candidate), distance(normal, candidate));
      boolean plausible = d <= 2 && d < Math.max(given.length(), candidate.length());
      if (plausible && d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    return Optional.ofNullable(best);
  }

  /** camelCase, snake_case and upper case to kebab-case. */
  static String normalise(String key) {
    StringBuilder sb = new StringBuilder(key.length() + 4);
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      boolean boundary =
          i > 0
              && Character.isUpperCase(c)
              && (Character.isLowerCase(key.charAt(i - 1)) || Character.isDigit(key.charAt(i - 1)));
      if (boundary) {
        sb.append('-');
      }
      sb.append(c == '_' || c == ' ' ? '-' : Character.toLowerCase(c));
    }
    return sb.toString();
  }

  /** Levenshtein distance. */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] =
            Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] t = previous;
      previous = current;
      current = t;
    }
    return previous[b.length()];
  }

  /**
   * A double as short, exact HOCON number text: {@code 2.0}, {@code 0.05}, {@code 1e-8}. {@link
   * Double#parseDouble} of the result gives back exactly {@code d}.
   */
  static String number(double d) {
    if (d == 0.0) {
      return 1.0 / d < 0 ? "-0.0" : "0.0";
    }
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return (long) d + ".0";
    }
    return BigDecimal.valueOf(d).stripTrailingZeros().toString().toLowerCase(Locale.ROOT);
  }

  /** A bound of a range annotation: {@code 1} rather than {@code 1.0} when it is whole. */
  static String bound(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : number(d);
  }

  /** A string as a JSON/HOCON quoted string. */
  static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }
}
