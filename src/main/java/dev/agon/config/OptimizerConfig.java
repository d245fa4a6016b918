package dev.agon.config;

/** A gradient-based optimizer and its hyper-parameters. */
public record OptimizerConfig(
    @Doc("Optimizer: adam or sgd.") OptimizerKind type,
    @Doc("Learning rate (step size per update).") @Min(value = 0, exclusive = true) double lr,
    @Doc("Adam: decay rate of the first-moment estimate.") @Min(0) @Max(value = 1, exclusive = true)
        double beta1,
    @Doc("Adam: decay rate of the second-moment estimate.")
        @Min(0)
        @Max(value = 1, exclusive = true)
        double beta2,
    @Doc("Adam: constant added to the denominator for numerical stability.")
        @Min(value = 0, exclusive = true)
        double eps,
    @Doc("SGD only: momentum factor; must stay 0 with adam.")
        @Min(0)
        @Max(value = 1, exclusive = true)
        double momentum,
    @Doc("SGD only: use Nesterov momentum (needs momentum > 0); must stay false with adam.")
        boolean nesterov,
    @Doc(
            "SGD only: a linear ramp of the momentum over this player's updates, from momentum to"
                + " `to` (off while updates = 0).")
        MomentumRampConfig momentumRamp,
    @Doc(
            "Learning-rate schedule over this player's updates; lr is its base, and a live change"
                + " of lr (agon ctl) replaces the base.")
        LrScheduleConfig schedule)
    implements CrossFieldCheck {

  @Override
  public void crossCheck(Violations violations) {
    if (schedule.floor() > lr) {
      violations.reject(
          "schedule.floor", "must be at most lr (" + lr + "), got " + schedule.floor());
    }
    if (type != OptimizerKind.SGD) {
      String kind = type.name().toLowerCase(java.util.Locale.ROOT);
      if (momentum != 0.0) {
        violations.reject("momentum", "only applies to type = sgd (type is " + kind + ")");
      }
      if (nesterov) {
        violations.reject("nesterov", "only applies to type = sgd (type is " + kind + ")");
      }
      if (momentumRamp.enabled()) {
        violations.reject(
            "momentum-ramp.updates", "only applies to type = sgd (type is " + kind + ")");
      }
    } else if (nesterov && momentum == 0.0) {
      violations.reject("nesterov", "needs momentum > 0");
    } else if (nesterov && momentumRamp.enabled() && momentumRamp.to() == 0.0) {
      violations.reject("momentum-ramp.to", "must be > 0 with nesterov (it needs momentum > 0)");
    }
  }
}
