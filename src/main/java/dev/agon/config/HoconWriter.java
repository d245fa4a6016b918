package dev.agon.config;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Writes a configuration record tree as HOCON: keys sorted, two-space indentation, no comments. The
 * output depends only on the record values, so it is byte-for-byte stable, and reading it back with
 * {@link RecordBinder} gives an equal tree.
 */
final class HoconWriter {
  private HoconWriter() {}

  static String write(Record root) {
    StringBuilder sb = new StringBuilder();
    writeFields(sb, root, "");
    return sb.toString();
  }

  private static void writeFields(StringBuilder sb, Record record, String indent) {
    for (Map.Entry<String, Object> e : fields(record).entrySet()) {
      sb.append(indent).append(e.getKey());
      if (e.getValue() instanceof Record child) {
        sb.append(" {\n");
        writeFields(sb, child, indent + "  ");
        sb.append(indent).append("}\n");
      } else {
        sb.append(" = ").append(scalar(e.getValue())).append('\n');
      }
    }
  }

  /** The components of a record by HOCON key, sorted. */
  static Map<String, Object> fields(Record record) {
    Map<String, Object> out = new TreeMap<>();
    for (RecordComponent c : record.getClass().getRecordComponents()) {
      out.put(Names.kebab(c.getName()), value(record, c));
    }
    return out;
  }

  static Object value(Record record, RecordComponent component) {
    try {
      return component.getAccessor().invoke(record);
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException("cannot read " + component, e);
    }
  }

  /** A leaf value as HOCON text: {@code 512}, {@code 0.001}, {@code "runs"}, {@code tanh}. */
  static String scalar(Object value) {
    if (value instanceof Double d) {
      return Names.number(d);
    }
    if (value instanceof String s) {
      return Names.quote(s);
    }
    if (value instanceof Enum<?> e) {
      return Names.enumName(e);
    }
    if (value instanceof List<?> list) {
      return list.stream().map(HoconWriter::scalar).collect(Collectors.joining(", ", "[", "]"));
    }
    return String.valueOf(value);
  }
}
