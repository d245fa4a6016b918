package dev.agon.config;

import com.typesafe.config.Config;
import java.util.Objects;

/**
 * A loaded and validated configuration.
 *
 * @param config the validated record tree
 * @param merged the merged and resolved HOCON tree the records were read from
 * @param rendered the record tree as HOCON text: keys sorted, no comments, byte-for-byte stable;
 *     {@link ConfigLoader#parseResolved} of it gives an equal {@link AgonConfig}. Save it in the
 *     run directory to record exactly what ran.
 */
public record LoadedConfig(AgonConfig config, Config merged, String rendered) {

  /** Rejects null components. */
  public LoadedConfig {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(merged, "merged");
    Objects.requireNonNull(rendered, "rendered");
  }

  /**
   * A problem at {@code key} (kebab-case, e.g. {@code schedule.batch-size}) found after loading,
   * e.g. against the data: located where the key's value came from, as the loader's problems are.
   */
  public Problem problem(String key, String message) {
    String origin = merged.hasPath(key) ? Origins.format(merged.getValue(key).origin()) : "config";
    return new Problem(key, origin, message);
  }
}
