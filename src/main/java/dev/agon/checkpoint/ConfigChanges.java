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
 * how long the run lasts, how far data is prefetched or on which device of a kind each actor
 * computes do not change what the training computes and are never reported ({@link #IGNORED});
 * every other changed key blocks a resume unless the user allows it; a key the checkpoint's config
 * lacks (written before the key existed) whose new value is the embedded default is no change. Keys
 * that say what the checkpoint's state is ({@link #FIXED}: the networks' shapes, the data, the
 * seed, the batch size, the optimizer types) block it even then; an allowed change of any other key
 * takes effect from the resume point (the engine applies it, see TrainRun).
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
          "cluster.",
          "schedule.iterations",
          "data.prefetch",
          "data.download",
          "devices.");

  /**
   * Keys (a prefix ending in '.' covers a subtree) that a resume cannot change even when changes
   * are allowed, with why: the checkpoint's tensors, data cursor or random streams mean nothing
   * under another value, so a run with a new one is a new run.
   */
  public static final Map<String, String> FIXED = fixed();

  private static Map<String, String> fixed() {
    String net =
        "the checkpoint's parameters, network state and optimizer moments belong to the networks"
            + " it was trained with";
    Map<String, String> m = new java.util.LinkedHashMap<>();
    m.put("seed", "the data order, the noise and the initial weights of the run come from it");
    m.put(
        "data.",
        "the data cursor and the held-out reference belong to the data set the checkpoint was"
            + " trained on");
    m.put("model.", net);
    m.put("stabilizers.minibatch-discrimination.", net);
    m.put("stabilizers.virtual-batch-norm.", net);
    m.put(
        "schedule.batch-size",
        "the data cursor counts batches of this size: another size would skip or repeat data");
    String opt = "the checkpoint's optimizer state belongs to the optimizer type it was written by";
    m.put("optim.generator.type", opt);
    m.put("optim.discriminator.type", opt);
    return java.util.Collections.unmodifiableMap(m);
  }

  private ConfigChanges() {}

  /**
   * The changed keys as {@code key: old -> new} (absent values as {@code (none)}), sorted by key;
   * empty when the configs agree on every key that matters. {@code defaults} is the embedded
   * defaults rendered as a run's config is (the caller's: this package does not read configs): a
   * key {@code before} lacks whose new value is its default is no change.
   */
  public static List<String> between(String before, String after, String defaults) {
    Map<String, String> a = flatten(before);
    Map<String, String> b = flatten(after);
    Map<String, String> d = flatten(defaults);
    Set<String> keys = new TreeSet<>(a.keySet());
    keys.addAll(b.keySet());
    List<String> changes = new ArrayList<>();
    for (String k : keys) {
      if (IGNORED.stream().anyMatch(k::startsWith)) {
        continue;
      }
      String x = a.getOrDefault(k, "(none)");
      String y = b.getOrDefault(k, "(none)");
      // A key newer than the checkpoint, left at its default, computes what the run computed.
      if (!a.containsKey(k) && y.equals(d.get(k))) {
        continue;
      }
      if (!x.equals(y)) {
        changes.add(k + ": " + x + " -> " + y);
      }
    }
    return changes;
  }

  /**
   * The changes (from {@link #between}) of {@link #FIXED} keys, each as {@code key: old -> new
   * (why)}; empty when a resume may apply every change.
   */
  public static List<String> fixed(List<String> changes) {
    List<String> out = new ArrayList<>();
    for (String c : changes) {
      String key = c.substring(0, c.indexOf(": "));
      FIXED.entrySet().stream()
          .filter(
              e -> e.getKey().endsWith(".") ? key.startsWith(e.getKey()) : key.equals(e.getKey()))
          .findFirst()
          .ifPresent(e -> out.add(c + " (" + e.getValue() + ")"));
    }
    return out;
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
