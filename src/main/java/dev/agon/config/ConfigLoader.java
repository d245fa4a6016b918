package dev.agon.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Loads the configuration of a run. Layers, later wins:
 *
 * <ol>
 *   <li>the embedded defaults, classpath resource {@code dev/agon/config/defaults.conf};
 *   <li>an optional experiment file, e.g. {@code config/ring.conf};
 *   <li>command-line overrides {@code key=value}, in order, each value in HOCON syntax ({@code
 *       schedule.k=3}, {@code model.generator.hidden=[64,64]}).
 * </ol>
 *
 * <p>The merged tree is resolved, bound to {@link AgonConfig} and validated. Every problem found is
 * reported at once through a {@link ConfigProblemException}.
 */
public final class ConfigLoader {
  /** Name of the defaults resource, relative to this class. */
  static final String DEFAULTS = "defaults.conf";

  private ConfigLoader() {}

  /**
   * Loads defaults, then {@code experimentFile} if present, then {@code overrides}.
   *
   * @throws ConfigProblemException listing every problem found
   */
  public static LoadedConfig load(Optional<Path> experimentFile, List<String> overrides) {
    List<Problem> problems = new ArrayList<>();
    Config merged = defaults();
    if (experimentFile.isPresent()) {
      Optional<Config> file = parseFile(experimentFile.get(), problems);
      if (file.isPresent()) {
        merged = file.get().withFallback(merged);
      }
    }
    for (String override : overrides) {
      Optional<Config> layer = parseOverride(override, problems);
      if (layer.isPresent()) {
        merged = layer.get().withFallback(merged);
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigProblemException(problems);
    }
    return resolveAndBind(merged, "(config)");
  }

  /**
   * Loads a saved resolved configuration, e.g. {@link LoadedConfig#rendered()} written to a run
   * directory. No defaults are added: every key must be present. Validation is the same as for
   * {@link #load}.
   *
   * @param originDescription names the text in problems, e.g. {@code runs/ring/config.conf}
   * @throws ConfigProblemException listing every problem found
   */
  public static LoadedConfig parseResolved(String hoconText, String originDescription) {
    return resolveAndBind(parseText(hoconText, originDescription), originDescription);
  }

  /**
   * A run directory's saved configuration: the keys absent from it, the keys Agon added since an
   * older build wrote it, listed in {@code defaulted} (a whole block by its path).
   */
  public record Saved(LoadedConfig loaded, List<String> defaulted) {}

  /**
   * Loads a configuration saved in a run directory, possibly by an older Agon: as {@link
   * #parseResolved}, except that keys absent from the text take their embedded defaults (as a
   * resume treats them) and are named in {@link Saved#defaulted}. Unknown keys and bad values are
   * still problems. Cost: one walk of the defaults' tree.
   *
   * @throws ConfigProblemException listing every problem found
   */
  public static Saved parseSaved(String hoconText, String originDescription) {
    Config parsed = parseText(hoconText, originDescription);
    Config defaults = defaults();
    List<String> absent = new ArrayList<>();
    absentKeys(defaults.root(), parsed, "", absent);
    return new Saved(
        resolveAndBind(parsed.withFallback(defaults), originDescription), List.copyOf(absent));
  }

  /** HOCON text, its syntax errors a problem located in {@code originDescription}. */
  private static Config parseText(String hoconText, String originDescription) {
    try {
      return ConfigFactory.parseString(
          hoconText, ConfigParseOptions.defaults().setOriginDescription(originDescription));
    } catch (ConfigException e) {
      throw new ConfigProblemException(List.of(Origins.problem(e, originDescription)));
    }
  }

  /** The top-most paths under {@code tree} (at {@code prefix}) that {@code in} lacks. */
  private static void absentKeys(ConfigObject tree, Config in, String prefix, List<String> out) {
    // Agon's keys are plain HOCON path elements (letters, digits, dashes): no quoting needed.
    for (String key : new java.util.TreeSet<>(tree.keySet())) {
      String path = prefix + key;
      if (!in.hasPathOrNull(path)) {
        out.add(path);
      } else if (tree.get(key) instanceof ConfigObject child
          && in.getValue(path) instanceof ConfigObject) {
        absentKeys(child, in, path + ".", out);
      }
    }
  }

  private static volatile String renderedDefaults;

  /** The embedded defaults rendered as a run's {@code config.conf} is; built once (a few ms). */
  public static String renderedDefaults() {
    String d = renderedDefaults;
    if (d == null) {
      d = load(Optional.empty(), List.of()).rendered();
      renderedDefaults = d;
    }
    return d;
  }

  /** The embedded defaults alone. */
  static Config defaults() {
    return ConfigFactory.parseResources(
        ConfigLoader.class, DEFAULTS, ConfigParseOptions.defaults().setAllowMissing(false));
  }

  private static LoadedConfig resolveAndBind(Config merged, String fallbackOrigin) {
    Config resolved;
    try {
      resolved = merged.resolve();
    } catch (ConfigException e) {
      throw new ConfigProblemException(List.of(Origins.problem(e, fallbackOrigin)));
    }
    RecordBinder binder = new RecordBinder();
    Optional<AgonConfig> config = binder.bind(AgonConfig.class, resolved.root());
    if (config.isEmpty()) {
      throw new ConfigProblemException(binder.problems());
    }
    return new LoadedConfig(config.get(), resolved, HoconWriter.write(config.get()));
  }

  private static Optional<Config> parseFile(Path path, List<Problem> problems) {
    String name = path.toString();
    if (!Files.exists(path)) {
      problems.add(new Problem("", name, "file not found"));
      return Optional.empty();
    }
    if (!Files.isRegularFile(path)) {
      problems.add(new Problem("", name, "not a regular file"));
      return Optional.empty();
    }
    if (!Files.isReadable(path)) {
      problems.add(new Problem("", name, "not readable"));
      return Optional.empty();
    }
    // Includes resolve relative to the file's directory, which a bare name ("exp.conf") lacks.
    Path file = path.getParent() == null ? Path.of(".").resolve(path) : path;
    try {
      return Optional.of(
          ConfigFactory.parseFile(
              file.toFile(),
              ConfigParseOptions.defaults()
                  .setAllowMissing(false)
                  .setIncluder(new Includes(file, problems))));
    } catch (ConfigException e) {
      problems.add(Origins.problem(e, name));
      return Optional.empty();
    }
  }

  /** Parses {@code key=value}; the value is HOCON, so lists, objects and quoting all work. */
  private static Optional<Config> parseOverride(String override, List<Problem> problems) {
    String origin = Origins.OVERRIDE_PREFIX + override;
    int eq = override.indexOf('=');
    String key = eq < 0 ? "" : override.substring(0, eq).trim();
    String value = eq < 0 ? "" : override.substring(eq + 1);
    if (key.isEmpty() || value.isBlank()) {
      problems.add(new Problem("", origin, "expected key=value"));
      return Optional.empty();
    }
    try {
      ConfigUtil.splitPath(key);
    } catch (ConfigException e) {
      problems.add(new Problem("", origin, "invalid key " + Names.quote(key)));
      return Optional.empty();
    }
    ConfigObject parsed;
    try {
      parsed =
          ConfigFactory.parseString(
                  "value = " + value, ConfigParseOptions.defaults().setOriginDescription(origin))
              .root();
    } catch (ConfigException e) {
      problems.add(Origins.problem(e, origin));
      return Optional.empty();
    }
    ConfigValue parsedValue = parsed.get("value");
    if (parsed.size() != 1 || parsedValue == null) {
      problems.add(new Problem(key, origin, "expected a single value after '='"));
      return Optional.empty();
    }
    // Wrapped level by level with the override's own origin: atPath would give the sections it
    // creates a synthetic "atPath(key)" origin, which a problem with such a section (an unknown
    // one: --set http.port=0) would then name instead of the flag.
    ConfigValue layer = parsedValue;
    List<String> path = ConfigUtil.splitPath(key);
    for (int i = path.size() - 1; i >= 0; i--) {
      layer = ConfigValueFactory.fromMap(Map.of(path.get(i), layer), origin);
    }
    return Optional.of(((ConfigObject) layer).toConfig());
  }
}
