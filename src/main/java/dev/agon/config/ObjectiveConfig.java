package dev.agon.config;

/** The adversarial objective the two players optimise. */
public record ObjectiveConfig(
    @Doc("Objective family: gan, wgan-gp, lsgan or hinge.") ObjectiveKind kind,
    @Doc("gan only: generator loss, minimax log(1 - D(G(z))) or non-saturating -log D(G(z)).")
        GeneratorLoss generator,
    @Doc(
            "gan only: one-sided label smoothing (Salimans et al. 2016), the target of real"
                + " samples in (0, 1]; fakes stay 0; 1: off.")
        @Min(value = 0, exclusive = true)
        @Max(1)
        double realLabel,
    @Doc("wgan-gp only: weight lambda of the gradient penalty (Gulrajani et al. 2017).") @Min(0)
        double gradientPenalty)
    implements CrossFieldCheck {

  @Override
  public void crossCheck(Violations violations) {
    if (kind != ObjectiveKind.GAN && realLabel != 1.0) {
      violations.reject("realLabel", "only applies to kind = gan");
    }
  }
}
