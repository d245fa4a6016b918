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
        double gradientPenalty,
    @Doc(
            "Weight gamma of the R1 penalty (gamma/2) E_real ||grad_x D(x)||^2 (Mescheder et al."
                + " 2018); 0: off. Needs a piecewise-linear D (mlp: relu, leaky-relu or identity;"
                + " dcgan: no batch norm, no minibatch discrimination).")
        @Min(0)
        double r1Gamma,
    @Doc("Weight gamma of the R2 penalty, R1 on the fakes; 0: off. Same D as r1-gamma.") @Min(0)
        double r2Gamma,
    @Doc(
            "Lazy R1/R2 (Karras et al. 2020, StyleGAN2): apply them on every N-th D update only,"
                + " weighted N times; 1: every update.")
        @Min(1)
        @Max(1000000)
        int lazyEvery)
    implements CrossFieldCheck {

  /** Whether R1 or R2 is on. */
  public boolean zeroCentredPenalty() {
    return r1Gamma > 0 || r2Gamma > 0;
  }

  @Override
  public void crossCheck(Violations violations) {
    if (kind != ObjectiveKind.GAN && realLabel != 1.0) {
      violations.reject("realLabel", "only applies to kind = gan");
    }
    if (lazyEvery != 1 && !zeroCentredPenalty()) {
      violations.reject("lazyEvery", "only applies when r1-gamma or r2-gamma > 0");
    }
  }
}
