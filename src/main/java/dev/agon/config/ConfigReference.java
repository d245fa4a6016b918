package dev.agon.config;

import java.io.IOException;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.AnnotatedParameterizedType;
import java.lang.reflect.AnnotatedType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The reference of every configuration key, generated from the record tree, its annotations and the
 * embedded defaults, so that it cannot drift from the code.
 *
 * <p>The README holds a copy between the markers {@link #BEGIN} and {@link #END}; a test fails when
 * the copy is stale. To rewrite it, run {@link #main} with the README path:
 *
 * <pre>
 * mvn -B -o -q compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp target/classes:$(cat target/cp.txt) dev.agon.config.ConfigReference README.md
 * </pre>
 *
 * or run the README test with {@code -Dagon.updateReadme=true}.
 */
public final class ConfigReference {
  /** Marker line before the generated block in the README. */
  public static final String BEGIN = "<!-- config-reference:begin -->";

  /** Marker line after the generated block in the README. */
  public static final String END = "<!-- config-reference:end -->";

  private ConfigReference() {}

  /**
   * A Markdown table of every key: key path, type, default, constraint and description. Ends with a
   * newline.
   */
  public static String markdown() {
    AgonConfig defaults = ConfigLoader.load(Optional.empty(), List.of()).config();
    List<String> rows = new ArrayList<>();
    rows.add("| Key | Type | Default | Constraint | Description |");
    rows.add("|---|---|---|---|---|");
    addRows(rows, "", defaults);
    return String.join("\n", rows) + "\n";
  }

  private static void addRows(List<String> rows, String path, Record record) {
    for (RecordComponent c : record.getClass().getRecordComponents()) {
      String key = Names.join(path, Names.kebab(c.getName()));
      Object value = HoconWriter.value(record, c);
      if (value instanceof Record child) {
        addRows(rows, key, child);
        continue;
      }
      Doc doc = c.getAnnotation(Doc.class);
      rows.add(
          "| `"
              + key
              + "` | "
              + cell(typeName(c.getGenericType()))
              + " | `"
              + HoconWriter.scalar(value)
              + "` | "
              + cell(constraint(c.getGenericType(), c.getAnnotatedType(), c))
              + " | "
              + cell(doc == null ? "" : doc.value())
              + " |");
    }
  }

  private static String cell(String text) {
    return text.replace("|", "\\|");
  }

  private static String typeName(Type type) {
    Class<?> raw = RecordBinder.rawClass(type);
    if (raw == List.class) {
      return "list of " + typeName(((ParameterizedType) type).getActualTypeArguments()[0]);
    }
    if (raw == Integer.class || raw == int.class) {
      return "int";
    }
    if (raw == Long.class || raw == long.class) {
      return "long";
    }
    if (raw == Double.class || raw == double.class) {
      return "double";
    }
    if (raw == Boolean.class || raw == boolean.class) {
      return "boolean";
    }
    if (raw == String.class) {
      return "string";
    }
    if (raw.isEnum()) {
      return "enum";
    }
    return raw.getSimpleName();
  }

  private static String constraint(Type type, AnnotatedType annotated, AnnotatedElement decl) {
    List<String> parts = new ArrayList<>();
    Class<?> raw = RecordBinder.rawClass(type);
    if (raw.isEnum()) {
      parts.add(
          "one of "
              + Arrays.stream(raw.getEnumConstants())
                  .map(e -> "`" + Names.enumName((Enum<?>) e) + "`")
                  .collect(Collectors.joining(", ")));
    }
    if (RecordBinder.find(NonEmpty.class, decl, annotated) != null) {
      parts.add("non-empty");
    }
    Pattern pattern = RecordBinder.find(Pattern.class, decl, annotated);
    if (pattern != null) {
      parts.add("matches `" + pattern.value() + "`");
    }
    String range = range(decl, annotated);
    if (!range.isEmpty()) {
      parts.add(range);
    }
    if (raw == List.class) {
      AnnotatedType element =
          ((AnnotatedParameterizedType) annotated).getAnnotatedActualTypeArguments()[0];
      String each = range(element, element);
      if (!each.isEmpty()) {
        parts.add("each " + each);
      }
    }
    return String.join("; ", parts);
  }

  /** {@code >= 1}, {@code > 0}, or an interval such as {@code [1, 64]} or {@code [0, 1)}. */
  private static String range(AnnotatedElement decl, AnnotatedType annotated) {
    Min min = RecordBinder.find(Min.class, decl, annotated);
    Max max = RecordBinder.find(Max.class, decl, annotated);
    if (min != null && max != null) {
      return "in "
          + (min.exclusive() ? "(" : "[")
          + Names.bound(min.value())
          + ", "
          + Names.bound(max.value())
          + (max.exclusive() ? ")" : "]");
    }
    if (min != null) {
      return RecordBinder.describe(min);
    }
    if (max != null) {
      return RecordBinder.describe(max);
    }
    return "";
  }

  /** {@code readme} with the text between the marker lines replaced by {@code block}. */
  static String replaceBlock(String readme, String block) {
    int begin = readme.indexOf(BEGIN);
    int end = readme.indexOf(END);
    if (begin < 0 || end < begin) {
      throw new IllegalArgumentException("no " + BEGIN + " ... " + END + " block");
    }
    int from = begin + BEGIN.length();
    return readme.substring(0, from) + "\n" + block + readme.substring(end);
  }

  /** The text between the marker lines of {@code readme}, without the marker lines. */
  static String block(String readme) {
    int begin = readme.indexOf(BEGIN);
    int end = readme.indexOf(END);
    if (begin < 0 || end < begin) {
      throw new IllegalArgumentException("no " + BEGIN + " ... " + END + " block");
    }
    String inner = readme.substring(begin + BEGIN.length(), end);
    return inner.startsWith("\n") ? inner.substring(1) : inner;
  }

  /**
   * Rewrites the reference block of a README in place. Argument: the README path (default {@code
   * README.md}).
   */
  public static void main(String[] args) throws IOException {
    Path readme = Path.of(args.length > 0 ? args[0] : "README.md");
    String text = Files.readString(readme, StandardCharsets.UTF_8);
    String updated = replaceBlock(text, markdown());
    if (!updated.equals(text)) {
      Files.writeString(readme, updated, StandardCharsets.UTF_8);
    }
    System.out.println((updated.equals(text) ? "up to date: " : "updated: ") + readme);
  }
}
