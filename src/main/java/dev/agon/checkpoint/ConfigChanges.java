package dev.agon.checkpoint;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What differs between the resolved config a checkpoint was written with and the one a resume would
 * use. Keys that only say where outputs go, how often things are logged, evaluated or checkpointed,
 * how long the run lasts or how far data is prefetched do not change what the training computes and
 * are never reported ({@link #IGNORED}); every other changed key blocks a resume unless the user
 * allows it.
 */
public final class ConfigChanges {
  /** Prefixes of keys a resumed run may change freely. */
  public static final List<String> IGNORED =
      List.of(
          "run.",
          "log.",
          "eval.",
          "checkpoint.",
          "guard.",
          "metrics.",
          "schedule.iterations",
          "data.prefetch",
          "data.download");

  private ConfigChanges() {}

  /**
   * The changed keys as {@code key: old -> new} (absent values as {@code (none)}), sorted by key;
   * empty when the configs agree on every key that matters.
   */
  public static List<String> between(String before, String after) {
    Map<String, String> a = flatten(before);
    Map<String, String> b = flatten(after);
    Set<String> keys = new TreeSet<>(a.keySet());
    keys.addAll(b.keySet());
    List<String> changes = new ArrayList<>();
    for (String k : keys) {
      if (IGNORED.stream().anyMatch(k::startsWith)) {
        continue;
      }
      String x = a.getOrDefault(k, "(none)");
      String y = b.getOrDefault(k, "(none)");
      if (!x.equals(y)) {
        changes.add(k + ": " + x + " -> " + y);
      }
    }
    return changes;
  }

  /** Whether {@code changes} (from {@link #between}) include key {@code key}. */
  public static boolean includes(List<String> changes, String key) {
    return changes.stream().anyMatch(c -> c.startsWith(key + ": "));
  }

  private static Map<String, String> flatten(String hocon) {
    Config c;
    try {
      c = ConfigFactory.parseString(hocon).resolve();
    } catch (ConfigException e) {
      throw new IllegalArgumentException("unreadable config: " + e.getMessage(), e);
    }
    Map<String, String> m = new TreeMap<>();
    for (Map.Entry<String, ConfigValue> e : c.entrySet()) {
      m.put(e.getKey(), e.getValue().render(ConfigRenderOptions.concise()));
    }
    return m;
  }
}
