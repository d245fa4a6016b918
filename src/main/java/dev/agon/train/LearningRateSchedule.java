package dev.agon.train;

import dev.agon.config.LrScheduleConfig;
import dev.agon.config.LrScheduleKind;
import dev.agon.nn.Optimizer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A player's learning rate as a function of its update number and its base rate (the configured
 * {@code optim.*.lr}, or the last live change of it, times any rollback scaling: the optimizer's
 * rate, which checkpoints carry). Update {@code n} (1-based) has {@code t = n - 1} updates before
 * it, so update 1 always runs at the base; with {@code f = min(floor, base)} (a live change below
 * the floor is taken as asked, never raised):
 *
 * <pre>
 * constant: base
 * linear:   f + (base - f) * (1 - min(t, T) / T)
 * cosine:   f + (base - f) * (1 + cos(pi * min(t, T) / T)) / 2
 * step:     max(f, base * factor^floor(t / S))
 * </pre>
 *
 * with {@code T = updates} and {@code S = every}. A pure function of (base, n): a resumed run
 * continues the schedule bit for bit, and a live rate change re-bases the curve at the update it
 * takes effect (the schedule's position stays that of the update count). Costs a few flops per
 * update ({@code Math.pow} for step).
 */
public record LearningRateSchedule(
    LrScheduleKind kind, double floor, long updates, long every, double factor) {

  /** The constant schedule: the base rate throughout. */
  public static final LearningRateSchedule CONSTANT =
      new LearningRateSchedule(LrScheduleKind.CONSTANT, 0, 1, 1, 1);

  public LearningRateSchedule {
    if (!(floor >= 0) || Double.isInfinite(floor) || updates < 1 || every < 1) {
      throw new IllegalArgumentException(
          "floor must be finite and >= 0, updates and every >= 1: "
              + floor
              + ", "
              + updates
              + ", "
              + every);
    }
    if (!(factor > 0 && factor <= 1)) {
      throw new IllegalArgumentException("factor must be in (0, 1]: " + factor);
    }
  }

  /**
   * The schedule of {@code c} (a validated config: {@code updates} is 0 only where unused). The
   * decay length is the config's own, not the run's length, which a resume may extend.
   */
  public static LearningRateSchedule of(LrScheduleConfig c) {
    return new LearningRateSchedule(
        c.kind(), c.floor(), Math.max(1, c.updates()), c.every(), c.factor());
  }

  /** The rate of update {@code n} (1-based) for base rate {@code base}. */
  public double at(double base, long n) {
    if (n < 1) {
      throw new IllegalArgumentException("update numbers start at 1: " + n);
    }
    long t = n - 1;
    double f = Math.min(floor, base);
    return switch (kind) {
      case CONSTANT -> base;
      case LINEAR -> f + (base - f) * (1.0 - (double) Math.min(t, updates) / updates);
      case COSINE ->
          f + (base - f) * (1.0 + Math.cos(Math.PI * Math.min(t, updates) / updates)) / 2.0;
      case STEP -> Math.max(f, base * Math.pow(factor, (double) (t / every)));
    };
  }

  /**
   * Applies update {@code n} with {@code optimizer} at this schedule's rate for the optimizer's own
   * rate as the base, and leaves the optimizer's rate at the base (what live changes, rollback
   * scaling and checkpoints read and write); returns the rate used.
   */
  public double step(Optimizer optimizer, long n, INDArray params, INDArray grads) {
    double base = optimizer.learningRate();
    if (kind == LrScheduleKind.CONSTANT) {
      optimizer.step(params, grads);
      return base;
    }
    double lr = at(base, n);
    optimizer.learningRate(lr);
    try {
      optimizer.step(params, grads);
    } finally {
      optimizer.learningRate(base);
    }
    return lr;
  }
}
