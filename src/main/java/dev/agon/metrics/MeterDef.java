package dev.agon.metrics;

import java.util.List;

/**
 * One meter of the catalogue: its Micrometer name (dot notation; Prometheus shows it with dots as
 * underscores, the base unit appended and {@code _total} on counters), kind, base unit (null: a
 * plain number), description (the HELP line) and label names (bounded sets only).
 */
public record MeterDef(
    String name, Kind kind, String unit, String description, List<String> labels) {
  public enum Kind {
    GAUGE,
    COUNTER,
    HISTOGRAM
  }

  public MeterDef {
    if (description == null || description.isBlank()) {
      throw new IllegalArgumentException(name + " has no description");
    }
    labels = List.copyOf(labels);
  }

  /** The Prometheus family name, as Micrometer's naming convention writes it. */
  public String prometheusName() {
    String base = name.replace('.', '_');
    if (unit != null && !base.endsWith("_" + unit)) {
      base += "_" + unit;
    }
    return kind == Kind.COUNTER ? base + "_total" : base;
  }
}
