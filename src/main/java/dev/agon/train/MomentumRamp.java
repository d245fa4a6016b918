package dev.agon.train;

import dev.agon.config.MomentumRampConfig;
import dev.agon.config.OptimizerConfig;
import dev.agon.nn.Optimizer;
import dev.agon.nn.SgdMomentum;

/**
 * SGD's momentum as a function of the player's update number (pylearn2's MomentumAdjustor, which
 * the 2014 GAN code ran per epoch; here per update). Update {@code n} (1-based) has {@code t = n -
 * 1} updates before it; with {@code S = start} and {@code T = updates}:
 *
 * <pre>
 *   momentum(n) = from + (to - from) * clamp((t - S) / T, 0, 1)
 * </pre>
 *
 * A pure function of {@code n}, set before every update, so a resumed run continues the ramp bit
 * for bit. Costs a few flops per update.
 */
public record MomentumRamp(double from, double to, long start, long updates) {
  public MomentumRamp {
    if (!(from >= 0 && from < 1) || !(to >= 0 && to < 1) || start < 0 || updates < 1) {
      throw new IllegalArgumentException(
          "momenta must be in [0, 1), start >= 0, updates >= 1: "
              + from
              + ", "
              + to
              + ", "
              + start
              + ", "
              + updates);
    }
  }

  /** The ramp of {@code c}, or null when it has none (Adam, or a ramp of 0 updates). */
  public static MomentumRamp of(OptimizerConfig c) {
    MomentumRampConfig r = c.momentumRamp();
    return r.enabled() ? new MomentumRamp(c.momentum(), r.to(), r.start(), r.updates()) : null;
  }

  /** The momentum of update {@code n} (1-based). */
  public double at(long n) {
    if (n < 1) {
      throw new IllegalArgumentException("update numbers start at 1: " + n);
    }
    double alpha = Math.min(Math.max((double) (n - 1 - start) / updates, 0.0), 1.0);
    return from + (to - from) * alpha;
  }

  /** Sets {@code optimizer}'s momentum for update {@code n}; a no-op for a null ramp. */
  public static void apply(MomentumRamp ramp, Optimizer optimizer, long n) {
    if (ramp != null && optimizer instanceof SgdMomentum sgd) {
      sgd.momentum(ramp.at(n));
    }
  }
}
