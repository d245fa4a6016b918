package dev.agon.util;

import java.util.Locale;

/**
 * A minimal JSON object writer for the run's machine-readable records ({@code metrics.jsonl},
 * checkpoint manifests). Reading goes through Typesafe Config, which parses JSON.
 */
public final class Json {
  private final StringBuilder sb = new StringBuilder(256);
  private boolean first = true;

  private Json() {
    sb.append('{');
  }

  public static Json object() {
    return new Json();
  }

  private Json key(String k) {
    if (!first) {
      sb.append(',');
    }
    first = false;
    quote(sb, k);
    sb.append(':');
    return this;
  }

  public Json put(String k, String v) {
    key(k);
    if (v == null) {
      sb.append("null");
    } else {
      quote(sb, v);
    }
    return this;
  }

  public Json put(String k, long v) {
    key(k).sb.append(v);
    return this;
  }

  /** Non-finite doubles have no JSON form: they are written as the strings "NaN", "Infinity". */
  public Json put(String k, double v) {
    key(k);
    if (Double.isFinite(v)) {
      sb.append(v);
    } else {
      quote(sb, Double.toString(v));
    }
    return this;
  }

  public Json put(String k, boolean v) {
    key(k).sb.append(v);
    return this;
  }

  /** Inserts an already-serialised JSON value (object or array). */
  public Json putRaw(String k, String json) {
    key(k).sb.append(json);
    return this;
  }

  public String end() {
    return sb.append('}').toString();
  }

  public static String quote(String s) {
    StringBuilder out = new StringBuilder(s.length() + 2);
    quote(out, s);
    return out.toString();
  }

  private static void quote(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
