package dev.agon.config;

/** The adversarial objective the two players optimise. */
public record ObjectiveConfig(
    @Doc("Objective family: gan, wgan-gp, lsgan, hinge or semi-supervised.") ObjectiveKind kind,
    @Doc(
            "gan: generator loss, minimax log(1 - D(G(z))) or non-saturating -log D(G(z));"
                + " semi-supervised takes non-saturating only.")
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
        int lazyEvery,
    @Doc(
            "semi-supervised and model.conditional only: K, the number of real classes of the data"
                + " (10 for Fashion-MNIST and MNIST); semi-supervised D outputs K logits, the fake"
                + " class is the K+1st.")
        @Min(2)
        @Max(1000)
        int classes,
    @Doc(
            "semi-supervised only: weight w of the unsupervised real/fake term, D's loss = L_sup +"
                + " w L_unsup; 0: the supervised-only baseline (D learns from the labelled"
                + " images alone; G still runs but cannot reach D's loss); 1: the paper's loss.")
        @Min(0)
        @Max(1)
        double unsupervisedWeight)
    implements CrossFieldCheck {

  /** The default of {@link #classes()}: Fashion-MNIST's and MNIST's 10 classes. */
  public static final int DEFAULT_CLASSES = 10;

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
    // classes outside semi-supervised: checked in AgonConfig (model.conditional reads it too)
    if (kind != ObjectiveKind.SEMI_SUPERVISED && unsupervisedWeight != 1.0) {
      violations.reject("unsupervisedWeight", "only applies to kind = semi-supervised");
    }
    if (kind == ObjectiveKind.SEMI_SUPERVISED) {
      // The K+1 losses read K logits per row; G's loss is softplus(-LSE) (non-saturating), and
      // the R1/R2 gradients assume one output per row.
      if (generator != GeneratorLoss.NON_SATURATING) {
        violations.reject(
            "generator",
            "must be non-saturating with kind = semi-supervised (or train G by"
                + " stabilizers.feature-matching)");
      }
      if (zeroCentredPenalty()) {
        violations.reject(
            r1Gamma > 0 ? "r1Gamma" : "r2Gamma",
            "cannot be combined with kind = semi-supervised (the penalty is on one output per"
                + " sample; D has K)");
      }
    }
  }
}
