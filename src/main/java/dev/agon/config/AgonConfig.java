package dev.agon.config;

/**
 * The whole configuration of a run: one immutable, validated tree. Obtain it through {@link
 * ConfigLoader}; HOCON keys are the kebab-case names of the components, at the root of the file.
 */
public record AgonConfig(
    @Doc("Identity of the run and where its outputs go.") RunConfig run,
    @Doc("Seed of every random number generator of the run: initialisation, noise and data.")
        long seed,
    @Doc("Training data set.") DataConfig data,
    @Doc("Generator and discriminator networks.") ModelConfig model,
    @Doc("Adversarial objective.") ObjectiveConfig objective,
    @Doc("Optimizers of both players.") OptimConfig optim,
    @Doc("Training schedule.") ScheduleConfig schedule,
    @Doc("Training stabilisers.") StabilizersConfig stabilizers,
    @Doc("Evaluation during and at the end of the run.") EvalConfig eval,
    @Doc("Console and log output.") LogConfig log,
    @Doc("Metrics, health and status page over HTTP.") MetricsConfig metrics,
    @Doc("Checkpoints of the complete run state, and which are kept.") CheckpointConfig checkpoint,
    @Doc("Divergence rollback and actor restart limits.") GuardConfig guard,
    @Doc("Which backend device (GPU) each tensor-owning actor computes on.") DevicesConfig devices,
    @Doc("Membership of a run over several JVMs (agon node); ignored by agon train.")
        ClusterConfig cluster)
    implements CrossFieldCheck {

  @Override
  public void crossCheck(Violations violations) {
    Architecture arch = model.architecture();
    StabilizersConfig st = stabilizers;
    if (objective.kind() == ObjectiveKind.WGAN_GP) {
      if (arch == Architecture.DCGAN && model.dcgan().discriminatorBatchNorm()) {
        violations.reject(
            "model.dcgan.discriminatorBatchNorm",
            "must be false with objective.kind = wgan-gp (the gradient"
                + " penalty is per sample; Gulrajani et al. 2017 drop batch norm from the critic)");
      }
      if (st.minibatchDiscrimination().enabled()) {
        violations.reject(
            "stabilizers.minibatchDiscrimination.enabled",
            "cannot be combined with objective.kind = wgan-gp (the critic must be"
                + " piecewise linear in its input for the exact penalty gradient)");
      }
    }
    if (objective.kind() == ObjectiveKind.SEMI_SUPERVISED && !labelled(data.kind())) {
      violations.reject(
          "data.kind",
          "objective.kind = semi-supervised needs a labelled image data set (fashion-mnist, mnist,"
              + " idx or image-folder), got "
              + Names.enumName(data.kind()));
    } else if (objective.kind() == ObjectiveKind.SEMI_SUPERVISED
        && data.labelsPerClass() == DataConfig.NO_LABELS) {
      // Located where the kind was set: data.labels = none is usually the untouched default.
      violations.reject(
          "objective.kind",
          "semi-supervised trains D's classifier on labelled examples: set data.labels to N per"
              + " class (e.g. 10 for 100 labels of 10 classes) or all");
    }
    if (objective.zeroCentredPenalty()) {
      zeroCentredPenaltyNeeds(violations, arch);
    }
    if (arch == Architecture.MLP) {
      for (String[] on :
          new String[][] {
            {"feature-matching", Boolean.toString(st.featureMatching().enabled())},
            {"minibatch-discrimination", Boolean.toString(st.minibatchDiscrimination().enabled())},
            {"virtual-batch-norm", Boolean.toString(st.virtualBatchNorm().enabled())}
          }) {
        if (Boolean.parseBoolean(on[1])) {
          violations.reject(
              "stabilizers." + on[0] + ".enabled",
              "needs model.architecture = dcgan or goodfellow2014 (layered networks)");
        }
      }
    }
    if (arch == Architecture.DCGAN && !data.images()) {
      violations.reject(
          "model.architecture",
          "dcgan needs image data; data.kind = "
              + Names.enumName(data.kind())
              + " is 2-D (use mlp)");
    }
    if (arch == Architecture.GOODFELLOW2014
        && model.goodfellow2014().outputBiasFromData()
        && !data.images()) {
      violations.reject(
          "model.goodfellow2014.output-bias-from-data",
          "needs image data (pixel means to start from); data.kind = "
              + Names.enumName(data.kind())
              + " is 2-D");
    }
    if (arch == Architecture.DCGAN
        && data.kind() == DataKind.IMAGE_FOLDER
        && !DcganConfig.supportsImageSize(data.imageSize())) {
      violations.reject(
          "data.imageSize",
          "dcgan takes 28 or 4 * 2^n pixels (8, 16, 32, 64, ...), got " + data.imageSize());
    }
    if (st.virtualBatchNorm().enabled() && arch != Architecture.DCGAN) {
      violations.reject(
          "stabilizers.virtualBatchNorm.enabled",
          "replaces the batch norm of the dcgan generator (model.architecture = dcgan)");
    }
    if (model.infogan().enabled()) {
      infoGanNeeds(violations);
    }
    if (model.pack() > 1) {
      packNeeds(violations);
    }
    if (model.conditional()) {
      conditionalNeeds(violations);
    } else if (objective.kind() != ObjectiveKind.SEMI_SUPERVISED
        && objective.classes() != ObjectiveConfig.DEFAULT_CLASSES) {
      violations.reject(
          "objective.classes",
          "only applies to kind = semi-supervised or model.conditional = true");
    }
  }

  /**
   * Packing gives D one output per pack of model.pack samples, all real or all fake; whatever reads
   * D's output per sample (class logits, codes) or differentiates it per sample (gradient
   * penalties, feature matching's per-sample features) is refused naming model.pack; the JSD probe,
   * which reads D per sample too, is skipped as eval.jsd says it is where it does not apply.
   */
  private void packNeeds(Violations violations) {
    String key = "model.pack";
    int m = model.pack();
    if (schedule.batchSize() % m != 0) {
      violations.reject(
          key,
          "schedule.batch-size must be a multiple of model.pack (packs are all real or all fake):"
              + " got batch-size "
              + schedule.batchSize()
              + " and pack "
              + m);
    }
    String with = "packing cannot be combined with ";
    if (objective.kind() == ObjectiveKind.WGAN_GP) {
      violations.reject(key, with + "objective.kind = wgan-gp (its penalty is per sample)");
    }
    if (objective.kind() == ObjectiveKind.SEMI_SUPERVISED) {
      violations.reject(
          key, with + "objective.kind = semi-supervised (D classifies single images)");
    }
    if (objective.zeroCentredPenalty()) {
      violations.reject(key, with + "objective.r1-gamma / r2-gamma (they are per sample)");
    }
    if (model.conditional()) {
      violations.reject(key, with + "model.conditional (the class is per sample)");
    }
    if (model.infogan().enabled()) {
      violations.reject(key, with + "model.infogan codes (Q reads one sample's code)");
    }
    if (stabilizers.featureMatching().enabled()) {
      violations.reject(key, with + "stabilizers.feature-matching (its features are per sample)");
    }
  }

  /**
   * The conditional model reads every real row's class and adds a class projection to D's one
   * logit, so it needs all images labelled, and everything else that reads D's output beyond the
   * adversarial logit, or differentiates it as a network of x alone, is refused naming
   * model.conditional.
   */
  private void conditionalNeeds(Violations violations) {
    String key = "model.conditional";
    if (!labelled(data.kind())) {
      violations.reject(
          key,
          "needs a labelled image data set (fashion-mnist, mnist, idx or image-folder) with"
              + " data.labels = all, got data.kind = "
              + Names.enumName(data.kind()));
    } else if (data.labelsPerClass() != DataConfig.ALL_LABELS) {
      violations.reject(
          key,
          "needs every image labelled: set data.labels = all, got data.labels = "
              + Names.quote(data.labels()));
    }
    String with = "a conditional model cannot be combined with ";
    if (objective.kind() == ObjectiveKind.SEMI_SUPERVISED) {
      violations.reject(
          key, with + "objective.kind = semi-supervised (D's K class logits replace the logit)");
    }
    if (objective.kind() == ObjectiveKind.WGAN_GP) {
      violations.reject(
          key, with + "objective.kind = wgan-gp (its penalty differentiates D without the class)");
    }
    if (objective.zeroCentredPenalty()) {
      violations.reject(
          key, with + "objective.r1-gamma / r2-gamma (they differentiate D without the class)");
    }
    if (model.infogan().enabled()) {
      violations.reject(
          key, with + "model.infogan codes (the class is the categorical code; one or the other)");
    }
    if (stabilizers.featureMatching().enabled()) {
      violations.reject(
          key, with + "stabilizers.feature-matching (G's loss would ignore the class)");
    }
    if (stabilizers.virtualBatchNorm().enabled()) {
      violations.reject(
          key, with + "stabilizers.virtual-batch-norm (its reference batch holds z only)");
    }
    if (model.architecture() == Architecture.GOODFELLOW2014) {
      violations.reject(key, "needs model.architecture = mlp or dcgan, got goodfellow2014");
    }
    if (model.architecture() == Architecture.MLP
        && model.discriminator().output() != Activation.IDENTITY) {
      violations.reject(
          key,
          "needs model.discriminator.output = identity (the projection adds to a raw logit), got "
              + Names.enumName(model.discriminator().output()));
    }
  }

  /**
   * InfoGAN's Q shares D's output layer, so everything that treats D's output as one logit beyond
   * the adversarial loss is refused rather than silently given the Q columns; the first code that
   * is on names the problem.
   */
  private void infoGanNeeds(Violations violations) {
    InfoGanConfig ig = model.infogan();
    String key = ig.categorical() > 0 ? "model.infogan.categorical" : "model.infogan.continuous";
    String with = "InfoGAN codes cannot be combined with ";
    if (ig.weight() == 0) {
      violations.reject(
          "model.infogan.weight",
          "must be > 0 when a code is on (0 would feed G codes it ignores)");
    }
    if (objective.kind() == ObjectiveKind.WGAN_GP) {
      violations.reject(
          key, with + "objective.kind = wgan-gp (its penalty differentiates D's single output)");
    }
    if (objective.zeroCentredPenalty()) {
      violations.reject(
          key, with + "objective.r1-gamma / r2-gamma (they differentiate D's single output)");
    }
    if (objective.kind() == ObjectiveKind.SEMI_SUPERVISED) {
      violations.reject(
          key, with + "objective.kind = semi-supervised (its K class logits are D's whole output)");
    }
    if (stabilizers.featureMatching().enabled()) {
      violations.reject(
          key, with + "stabilizers.feature-matching (G's loss would not reach Q's outputs)");
    }
    if (stabilizers.virtualBatchNorm().enabled()) {
      violations.reject(
          key, with + "stabilizers.virtual-batch-norm (its reference batch holds z only)");
    }
    if (model.architecture() == Architecture.MLP
        && model.discriminator().output() != Activation.IDENTITY) {
      violations.reject(
          key,
          "needs model.discriminator.output = identity (Q's logits and means are raw outputs), got "
              + Names.enumName(model.discriminator().output()));
    }
  }

  /** Whether data sets of {@code kind} carry class labels (IDX label files, class folders). */
  private static boolean labelled(DataKind kind) {
    return switch (kind) {
      case FASHION_MNIST, MNIST, IDX, IMAGE_FOLDER -> true;
      case RING, GRID, NPY -> false;
    };
  }

  /**
   * R1/R2 take the exact parameter gradient of an input-gradient norm through fixed activation
   * masks (dev.agon.objective.ZeroCentredPenalty), so D must be piecewise linear in its input and
   * treat each sample on its own; the first of r1-gamma / r2-gamma that is on names the problem.
   */
  private void zeroCentredPenaltyNeeds(Violations violations, Architecture arch) {
    String key = objective.r1Gamma() > 0 ? "objective.r1Gamma" : "objective.r2Gamma";
    String needs = "needs a piecewise-linear discriminator that treats each sample on its own: ";
    switch (arch) {
      case MLP -> {
        NetConfig dn = model.discriminator();
        for (Activation a : new Activation[] {dn.activation(), dn.output()}) {
          if (a != Activation.IDENTITY && a != Activation.RELU && a != Activation.LEAKY_RELU) {
            violations.reject(
                key,
                needs
                    + "model.discriminator activations must be relu, leaky-relu or identity, got "
                    + Names.enumName(a));
            return;
          }
        }
      }
      case DCGAN -> {
        if (model.dcgan().discriminatorBatchNorm()) {
          violations.reject(key, needs + "set model.dcgan.discriminator-batch-norm = false");
        } else if (stabilizers.minibatchDiscrimination().enabled()) {
          violations.reject(key, needs + "minibatch discrimination must be off");
        }
      }
      default ->
          violations.reject(
              key, needs + "model.architecture = " + Names.enumName(arch) + " (dropout) has none");
    }
  }
}
