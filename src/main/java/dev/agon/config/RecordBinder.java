package dev.agon.config;

import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.AnnotatedParameterizedType;
import java.lang.reflect.AnnotatedType;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Binds a HOCON object to a record class by reflection over its components, collecting every
 * problem instead of stopping at the first.
 *
 * <p>Each component {@code fooBar} is read from key {@code foo-bar}. Supported component types:
 * {@code int}, {@code long}, {@code double}, {@code boolean}, {@code String}, enums (kebab-case
 * constant names), {@code List} of {@code Integer}, {@code Double} or {@code String}, and nested
 * records. After reading, {@link Min}, {@link Max}, {@link NonEmpty} and {@link Pattern} are
 * checked (also on list element types), then {@link CrossFieldCheck#crossCheck}.
 */
final class RecordBinder {
  /** Marks a value that could not be bound; its problems were already reported. */
  private static final Object INVALID = new Object();

  private final List<Problem> problems = new ArrayList<>();

  /** The problems found so far, in the order found. */
  List<Problem> problems() {
    return List.copyOf(problems);
  }

  /** Binds {@code root} to {@code type}; empty if there were problems. */
  <T extends Record> Optional<T> bind(Class<T> type, ConfigObject root) {
    Object bound = bindRecord(type, "", root);
    return bound == INVALID || !problems.isEmpty()
        ? Optional.empty()
        : Optional.of(type.cast(bound));
  }

  private void report(String path, ConfigOrigin origin, String message) {
    problems.add(new Problem(path, Origins.format(origin), message));
  }

  private Object bindRecord(Class<?> type, String path, ConfigObject object) {
    RecordComponent[] components = type.getRecordComponents();
    Map<String, RecordComponent> byKey = new LinkedHashMap<>();
    for (RecordComponent c : components) {
      byKey.put(Names.kebab(c.getName()), c);
    }
    for (String key : new TreeSet<>(object.keySet())) {
      if (!byKey.containsKey(key)) {
        String hint =
            Names.suggest(key, byKey.keySet())
                .map(s -> "did you mean " + Names.join(path, s) + "?")
                .orElseGet(() -> "known keys: " + String.join(", ", byKey.keySet()));
        report(Names.join(path, key), object.get(key).origin(), "unknown key (" + hint + ")");
      }
    }
    Object[] args = new Object[components.length];
    boolean ok = true;
    for (int i = 0; i < components.length; i++) {
      RecordComponent c = components[i];
      String key = Names.kebab(c.getName());
      String childPath = Names.join(path, key);
      ConfigValue value = object.get(key);
      if (value == null) {
        report(childPath, object.origin(), "missing key");
        ok = false;
        continue;
      }
      args[i] = bindValue(c.getGenericType(), c.getAnnotatedType(), c, childPath, value);
      ok &= args[i] != INVALID;
    }
    if (!ok) {
      return INVALID;
    }
    Object record = construct(type, components, args, path, object.origin());
    if (record instanceof CrossFieldCheck check) {
      int before = problems.size();
      check.crossCheck(
          (component, message) -> {
            // "a" names a component; "a.b.c" a key inside it (reported at that key's line)
            String[] parts = component.split("\\.");
            String key = Names.kebab(parts[0]);
            if (!byKey.containsKey(key)) {
              throw new IllegalArgumentException(
                  type.getSimpleName() + " has no component " + component);
            }
            String at = Names.join(path, key);
            ConfigValue value = object.get(key);
            for (int i = 1; i < parts.length && value instanceof ConfigObject o; i++) {
              String sub = Names.kebab(parts[i]);
              if (o.get(sub) == null) {
                break;
              }
              at = Names.join(at, sub);
              value = o.get(sub);
            }
            report(at, value.origin(), message);
          });
      if (problems.size() > before) {
        return INVALID;
      }
    }
    return record;
  }

  private Object construct(
      Class<?> type, RecordComponent[] components, Object[] args, String path, ConfigOrigin at) {
    Class<?>[] types =
        Arrays.stream(components).map(RecordComponent::getType).toArray(Class[]::new);
    try {
      Constructor<?> constructor = type.getDeclaredConstructor(types);
      return constructor.newInstance(args);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IllegalArgumentException) {
        report(path, at, cause.getMessage() == null ? "invalid" : cause.getMessage());
        return INVALID;
      }
      throw new IllegalStateException("cannot construct " + type.getName(), cause);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot construct " + type.getName(), e);
    }
  }

  /**
   * Reads one value of Java type {@code type}; {@code declaration} and {@code annotated} carry the
   * constraint annotations (the record component and its annotated type, or twice the annotated
   * element type of a list).
   */
  private Object bindValue(
      Type type,
      AnnotatedType annotated,
      AnnotatedElement declaration,
      String path,
      ConfigValue v) {
    Class<?> raw = rawClass(type);
    if (raw.isRecord()) {
      if (v.valueType() != ConfigValueType.OBJECT) {
        return mismatch(path, v, "an object");
      }
      return bindRecord(raw, path, (ConfigObject) v);
    }
    if (raw == List.class) {
      return bindList(type, annotated, declaration, path, v);
    }
    Object value;
    if (raw == int.class || raw == Integer.class) {
      value = readInteger(path, v, Integer.MIN_VALUE, Integer.MAX_VALUE);
      if (value != INVALID) {
        value = ((Long) value).intValue();
      }
    } else if (raw == long.class || raw == Long.class) {
      value = readInteger(path, v, Long.MIN_VALUE, Long.MAX_VALUE);
    } else if (raw == double.class || raw == Double.class) {
      value = readDouble(path, v);
    } else if (raw == boolean.class || raw == Boolean.class) {
      value = readBoolean(path, v);
    } else if (raw == String.class) {
      value = readString(path, v);
    } else if (raw.isEnum()) {
      value = readEnum(raw, path, v);
    } else {
      throw new IllegalStateException("unsupported configuration type " + type + " at " + path);
    }
    if (value == INVALID) {
      return INVALID;
    }
    return checkConstraints(annotated, declaration, path, v, value) ? value : INVALID;
  }

  private Object bindList(
      Type type,
      AnnotatedType annotated,
      AnnotatedElement declaration,
      String path,
      ConfigValue v) {
    if (!(type instanceof ParameterizedType parameterized)) {
      throw new IllegalStateException("raw List at " + path);
    }
    Type elementType = parameterized.getActualTypeArguments()[0];
    AnnotatedType elementAnnotated =
        ((AnnotatedParameterizedType) annotated).getAnnotatedActualTypeArguments()[0];
    if (v.valueType() != ConfigValueType.LIST) {
      return mismatch(path, v, "a list of " + plural(rawClass(elementType)));
    }
    List<Object> out = new ArrayList<>();
    boolean ok = true;
    ConfigList list = (ConfigList) v;
    for (int i = 0; i < list.size(); i++) {
      Object element =
          bindValue(
              elementType, elementAnnotated, elementAnnotated, path + "[" + i + "]", list.get(i));
      ok &= element != INVALID;
      out.add(element);
    }
    if (!ok) {
      return INVALID;
    }
    return checkConstraints(annotated, declaration, path, v, out) ? List.copyOf(out) : INVALID;
  }

  private Object readInteger(String path, ConfigValue v, long min, long max) {
    BigInteger value;
    switch (v.valueType()) {
      case NUMBER -> {
        Number n = (Number) v.unwrapped();
        if (n instanceof Double d) {
          if (!Double.isFinite(d) || d != Math.rint(d)) {
            return mismatch(path, v, "an integer");
          }
          value = new java.math.BigDecimal(d).toBigIntegerExact();
        } else {
          value = BigInteger.valueOf(n.longValue());
        }
      }
      case STRING -> {
        try {
          value = new BigInteger(((String) v.unwrapped()).trim());
        } catch (NumberFormatException e) {
          return mismatch(path, v, "an integer");
        }
      }
      default -> {
        return mismatch(path, v, "an integer");
      }
    }
    if (value.compareTo(BigInteger.valueOf(min)) < 0
        || value.compareTo(BigInteger.valueOf(max)) > 0) {
      report(
          path,
          v.origin(),
          "integer overflow: " + value + " is outside [" + min + ", " + max + "]");
      return INVALID;
    }
    return value.longValue();
  }

  private Object readDouble(String path, ConfigValue v) {
    double d;
    switch (v.valueType()) {
      case NUMBER -> d = ((Number) v.unwrapped()).doubleValue();
      case STRING -> {
        String s = ((String) v.unwrapped()).trim();
        if (!s.matches("[-+]?[0-9.]+([eE][-+]?[0-9]+)?")) {
          return mismatch(path, v, "a number");
        }
        try {
          d = Double.parseDouble(s);
        } catch (NumberFormatException e) {
          return mismatch(path, v, "a number");
        }
      }
      default -> {
        return mismatch(path, v, "a number");
      }
    }
    if (Double.isInfinite(d)) {
      // 1e400 parses as infinity: a typo'd exponent, named as such rather than as "infinity".
      // The value itself reads "Infinity" by now: the origin shows what was written.
      report(path, v.origin(), "number out of range (a double holds at most about 1.8e308)");
      return INVALID;
    }
    if (!Double.isFinite(d)) {
      return mismatch(path, v, "a finite number");
    }
    return d + 0.0; // -0.0 becomes 0.0, as HOCON does for an unquoted -0.0
  }

  private Object readBoolean(String path, ConfigValue v) {
    if (v.valueType() == ConfigValueType.BOOLEAN) {
      return v.unwrapped();
    }
    if (v.valueType() == ConfigValueType.STRING) {
      switch (((String) v.unwrapped()).trim().toLowerCase(Locale.ROOT)) {
        case "true", "yes", "on" -> {
          return Boolean.TRUE;
        }
        case "false", "no", "off" -> {
          return Boolean.FALSE;
        }
        default -> {}
      }
    }
    return mismatch(path, v, "a boolean (true or false)");
  }

  private Object readString(String path, ConfigValue v) {
    return switch (v.valueType()) {
      case STRING -> v.unwrapped();
      case NUMBER, BOOLEAN -> v.render();
      default -> mismatch(path, v, "a string");
    };
  }

  private Object readEnum(Class<?> type, String path, ConfigValue v) {
    List<String> names =
        Arrays.stream(type.getEnumConstants()).map(c -> Names.enumName((Enum<?>) c)).toList();
    String expected = "one of " + String.join(", ", names);
    if (v.valueType() != ConfigValueType.STRING) {
      return mismatch(path, v, expected);
    }
    String given = (String) v.unwrapped();
    int index = names.indexOf(given);
    if (index >= 0) {
      return type.getEnumConstants()[index];
    }
    String hint = Names.suggest(given, names).map(s -> " (did you mean " + s + "?)").orElse("");
    report(path, v.origin(), "expected " + expected + ", got " + describe(v) + hint);
    return INVALID;
  }

  private Object mismatch(String path, ConfigValue v, String expected) {
    report(path, v.origin(), "expected " + expected + ", got " + describe(v));
    return INVALID;
  }

  /** {@code string "three"}, {@code number 2.5}, {@code boolean true}, {@code null}, ... */
  static String describe(ConfigValue v) {
    return switch (v.valueType()) {
      case STRING -> "string " + Names.quote((String) v.unwrapped());
      case NUMBER ->
          "number "
              + (v.unwrapped() instanceof Double d && Double.isFinite(d)
                  ? Names.number(d)
                  : v.render());
      case BOOLEAN -> "boolean " + v.render();
      case NULL -> "null";
      case LIST -> "a list";
      case OBJECT -> "an object";
    };
  }

  private boolean checkConstraints(
      AnnotatedType annotated, AnnotatedElement declaration, String path, ConfigValue v, Object x) {
    int before = problems.size();
    String got = x instanceof Double d ? Names.number(d) : String.valueOf(x);
    Min min = find(Min.class, declaration, annotated);
    Max max = find(Max.class, declaration, annotated);
    if (x instanceof Number n) {
      double d = n.doubleValue();
      if (min != null && (min.exclusive() ? !(d > min.value()) : !(d >= min.value()))) {
        report(path, v.origin(), "must be " + describe(min) + " (got " + got + ")");
      }
      if (max != null && (max.exclusive() ? !(d < max.value()) : !(d <= max.value()))) {
        report(path, v.origin(), "must be " + describe(max) + " (got " + got + ")");
      }
    }
    if (find(NonEmpty.class, declaration, annotated) != null) {
      boolean empty =
          (x instanceof String s && s.isEmpty()) || (x instanceof List<?> l && l.isEmpty());
      if (empty) {
        report(path, v.origin(), "must not be empty");
      }
    }
    Pattern pattern = find(Pattern.class, declaration, annotated);
    if (pattern != null && x instanceof String s && !s.isEmpty() && !s.matches(pattern.value())) {
      report(path, v.origin(), "must match " + pattern.value() + " (got " + Names.quote(s) + ")");
    }
    return problems.size() == before;
  }

  /** {@code >= 1} or {@code > 0}. */
  static String describe(Min min) {
    return (min.exclusive() ? "> " : ">= ") + Names.bound(min.value());
  }

  /** {@code <= 64} or {@code < 1}. */
  static String describe(Max max) {
    return (max.exclusive() ? "< " : "<= ") + Names.bound(max.value());
  }

  /** The annotation on the declaration, else on the annotated type; null if on neither. */
  static <A extends Annotation> A find(
      Class<A> kind, AnnotatedElement declaration, AnnotatedType annotated) {
    A a = declaration.getAnnotation(kind);
    return a != null ? a : annotated.getAnnotation(kind);
  }

  static Class<?> rawClass(Type type) {
    if (type instanceof Class<?> c) {
      return c;
    }
    if (type instanceof ParameterizedType p) {
      return (Class<?>) p.getRawType();
    }
    throw new IllegalStateException("unsupported configuration type " + type);
  }

  /** {@code integers}, {@code numbers}, {@code strings}, ... for list messages. */
  static String plural(Class<?> element) {
    if (element == Integer.class || element == Long.class) {
      return "integers";
    }
    if (element == Double.class) {
      return "numbers";
    }
    if (element == Boolean.class) {
      return "booleans";
    }
    if (element == String.class) {
      return "strings";
    }
    return Arrays.stream(element.getSimpleName().split("(?=[A-Z])"))
        .map(s -> s.toLowerCase(Locale.ROOT))
        .collect(Collectors.joining(" ", "", "s"));
  }
}
