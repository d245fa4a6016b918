package dev.agon.config;

import java.lang.reflect.RecordComponent;

/**
 * The bounds of what a running run may be changed to (k, s, learning rates, the
 * historical-averaging weight and start), read once from the {@link Min}/{@link Max} of the config
 * records that declare those keys. The control API, {@code agon ctl} and the Coordinator all check
 * against these, so a run-time change is refused exactly when the config file would refuse the same
 * value.
 */
public final class RuntimeLimits {
  private RuntimeLimits() {}

  /** {@code schedule.k}: D updates per G update. */
  public static final Range K = of(ScheduleConfig.class, "k");

  /** {@code schedule.staleness}: the staleness bound s. */
  public static final Range STALENESS = of(ScheduleConfig.class, "staleness");

  /** {@code optim.*.lr}: either player's learning rate. */
  public static final Range LEARNING_RATE = of(OptimizerConfig.class, "lr");

  /** {@code stabilizers.historical-averaging.*-weight}: either player's penalty weight λ. */
  public static final Range AVERAGING_WEIGHT =
      of(HistoricalAveragingConfig.class, "generatorWeight");

  /** {@code stabilizers.historical-averaging.start}: the G update the averages start from. */
  public static final Range AVERAGING_START = of(HistoricalAveragingConfig.class, "start");

  /**
   * A range of one key: bounds NaN when absent; {@code integral} for int/long keys. NaN and the
   * infinities are outside every range (the config refuses them too).
   */
  public record Range(
      double min, boolean minExclusive, double max, boolean maxExclusive, boolean integral) {
    public boolean contains(double v) {
      return Double.isFinite(v)
          && (Double.isNaN(min) || (minExclusive ? v > min : v >= min))
          && (Double.isNaN(max) || (maxExclusive ? v < max : v <= max));
    }

    /**
     * Null when {@code v} is in range, else why not for people, naming {@code key} (as the caller
     * spells it: {@code k}, {@code --k}...) and the bound: {@code k must be in [1, 1000] (got 0)}.
     */
    public String violation(String key, double v) {
      return contains(v) ? null : key + " must be " + describe() + " (got " + text(v) + ")";
    }

    /** {@code in [1, 1000]}, {@code finite and > 0}, {@code >= 0}. */
    public String describe() {
      if (!Double.isNaN(min) && !Double.isNaN(max)) {
        return "in "
            + (minExclusive ? "(" : "[")
            + Names.bound(min)
            + ", "
            + Names.bound(max)
            + (maxExclusive ? ")" : "]");
      }
      String one =
          !Double.isNaN(min)
              ? (minExclusive ? "> " : ">= ") + Names.bound(min)
              : (maxExclusive ? "< " : "<= ") + Names.bound(max);
      return integral ? one : "finite and " + one;
    }

    private static String text(double v) {
      return Double.isFinite(v) ? Names.bound(v) : Double.toString(v);
    }
  }

  private static Range of(Class<? extends Record> record, String component) {
    for (RecordComponent c : record.getRecordComponents()) {
      if (c.getName().equals(component)) {
        Min min = RecordBinder.find(Min.class, c, c.getAnnotatedType());
        Max max = RecordBinder.find(Max.class, c, c.getAnnotatedType());
        Class<?> t = c.getType();
        return new Range(
            min == null ? Double.NaN : min.value(),
            min != null && min.exclusive(),
            max == null ? Double.NaN : max.value(),
            max != null && max.exclusive(),
            t == int.class || t == long.class);
      }
    }
    throw new IllegalStateException(record.getSimpleName() + " has no component " + component);
  }
}
