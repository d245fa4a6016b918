package dev.agon.config;

/**
 * A player's learning-rate schedule, a function of the player's own update count (so a resumed run
 * continues it exactly): the effective rate of update n is {@code kind}'s curve from the player's
 * base rate ({@code optim.*.lr}, or the last live change of it) towards {@code floor}; see
 * dev.agon.train.LearningRateSchedule for the formulas.
 */
public record LrScheduleConfig(
    @Doc("Schedule: constant, linear, cosine or step.") LrScheduleKind kind,
    @Doc(
            "linear, cosine, step: the learning rate the schedule ends at or never goes below;"
                + " at most lr.")
        @Min(0)
        double floor,
    @Doc(
            "linear, cosine (required there, >= 1): updates of this player over which the rate"
                + " decays to the floor; not tied to schedule.iterations, so extending a run on"
                + " resume keeps the curve (updates).")
        @Min(0)
        long updates,
    @Doc("step only: the rate is multiplied by factor every this many updates (updates).") @Min(1)
        long every,
    @Doc("step only: the factor the rate is multiplied by every `every` updates, in (0, 1].")
        @Min(value = 0, exclusive = true)
        @Max(1)
        double factor)
    implements CrossFieldCheck {

  /** The default: no schedule, the learning rate throughout. */
  public static final LrScheduleConfig CONSTANT =
      new LrScheduleConfig(LrScheduleKind.CONSTANT, 0.0, 0, 1, 1.0);

  @Override
  public void crossCheck(Violations violations) {
    if (kind == LrScheduleKind.CONSTANT && floor != 0.0) {
      violations.reject("floor", "only applies to kind = linear, cosine or step");
    }
    boolean decays = kind == LrScheduleKind.LINEAR || kind == LrScheduleKind.COSINE;
    if (decays && updates == 0) {
      // Located at kind: updates is then usually left at its default, in no file of the user's.
      violations.reject(
          "kind",
          Names.enumName(kind) + " needs updates >= 1 (the updates of this player it decays over)");
    } else if (!decays && updates != 0) {
      violations.reject("updates", "only applies to kind = linear or cosine");
    }
    if (kind != LrScheduleKind.STEP && every != 1) {
      violations.reject("every", "only applies to kind = step");
    }
    if (kind != LrScheduleKind.STEP && factor != 1.0) {
      violations.reject("factor", "only applies to kind = step");
    }
  }
}
