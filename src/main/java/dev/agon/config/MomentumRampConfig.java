package dev.agon.config;

/**
 * SGD's momentum moved linearly from {@code optim.*.momentum} to {@code to} over a player's own
 * updates (pylearn2's MomentumAdjustor, which Goodfellow et al. 2014 used per epoch); see
 * dev.agon.train.MomentumRamp for the formula. Off while {@code updates} is 0.
 */
public record MomentumRampConfig(
    @Doc("The momentum the ramp ends at, in [0, 1).") @Min(0) @Max(value = 1, exclusive = true)
        double to,
    @Doc("Updates of this player before the ramp starts (updates).") @Min(0) long start,
    @Doc("Updates of this player the ramp takes from momentum to `to`; 0: no ramp (updates).")
        @Min(0)
        long updates)
    implements CrossFieldCheck {

  /** The default: no ramp, the momentum throughout. */
  public static final MomentumRampConfig OFF = new MomentumRampConfig(0.0, 0, 0);

  /** Whether the momentum moves. */
  public boolean enabled() {
    return updates > 0;
  }

  @Override
  public void crossCheck(Violations violations) {
    if (updates == 0 && to != 0.0) {
      // Located at to: the user set it and left updates at its default.
      violations.reject("to", "needs updates >= 1 (the updates the ramp takes)");
    }
    if (updates == 0 && start != 0) {
      violations.reject("start", "needs updates >= 1 (the updates the ramp takes)");
    }
  }
}
