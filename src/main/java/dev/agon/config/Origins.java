package dev.agon.config;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigOrigin;
import java.util.Locale;

/** Turns HOCON origins and exceptions into the short {@code file:line} form of a problem. */
final class Origins {
  /** Origin description prefix of a command-line override; such origins show no line number. */
  static final String OVERRIDE_PREFIX = "--set ";

  private static final int MAX_MESSAGE = 160;

  private Origins() {}

  /** {@code file:line}, {@code defaults.conf:NN}, or {@code --set key=value}. */
  static String format(ConfigOrigin origin) {
    if (origin == null) {
      return "(unknown)";
    }
    String base;
    if (origin.resource() != null) {
      String resource = origin.resource();
      base = resource.substring(resource.lastIndexOf('/') + 1);
    } else if (origin.filename() != null) {
      base = origin.filename();
    } else {
      base = origin.withLineNumber(-1).description();
    }
    if (base.startsWith(OVERRIDE_PREFIX) || origin.lineNumber() < 0) {
      return base;
    }
    return base + ":" + origin.lineNumber();
  }

  /**
   * A problem from a HOCON exception, with a short message: the origin prefix and the parser's long
   * hints are cut off.
   */
  static Problem problem(ConfigException e, String fallbackOrigin) {
    String origin = e.origin() == null ? fallbackOrigin : format(e.origin());
    String text = e.getMessage() == null ? "" : e.getMessage();
    if (e.origin() != null) {
      String prefix = e.origin().description() + ": ";
      if (text.startsWith(prefix)) {
        text = text.substring(prefix.length());
      }
    }
    int hint = text.indexOf(" (if you ");
    if (hint >= 0) {
      text = text.substring(0, hint);
    }
    text = text.replaceAll("\\s+", " ").trim();
    if (e instanceof ConfigException.Parse && text.contains("end of file")) {
      text = "unexpected end of file (a '}' or ']' missing?)";
    }
    String unresolved = "could not resolve substitution to a value: ";
    if (text.toLowerCase(Locale.ROOT).startsWith(unresolved)) {
      text = text.substring(unresolved.length()) + " is not defined";
    }
    if (text.length() > MAX_MESSAGE) {
      text = text.substring(0, MAX_MESSAGE - 3) + "...";
    }
    if (text.length() > 1
        && Character.isUpperCase(text.charAt(0))
        && Character.isLowerCase(text.charAt(1))) {
      text = Character.toLowerCase(text.charAt(0)) + text.substring(1);
    }
    String kind;
    if (e instanceof ConfigException.UnresolvedSubstitution) {
      kind = "substitution error";
    } else if (e instanceof ConfigException.Parse) {
      kind = "syntax error";
    } else if (e instanceof ConfigException.IO) {
      kind = "not readable";
    } else {
      kind = "invalid";
    }
    return new Problem("", origin, text.isEmpty() ? kind : kind + ": " + text);
  }
}
