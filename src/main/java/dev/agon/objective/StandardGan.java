package dev.agon.objective;

import dev.agon.nn.KernelChoice;
import dev.agon.tensor.DenseAccess;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The original GAN objective of Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014,
 * written on logits ({@code D(x) = sigmoid(l)}, label 1 = REAL).
 *
 * <p>Discriminator: maximises {@code log D(x) + log(1 - D(G(z)))}, i.e. minimises
 *
 * <pre>
 * L_D = mean softplus(-l_real) + mean softplus(l_fake)
 * dL_D/dl_real = (sigmoid(l_real) - 1) / B_real,   dL_D/dl_fake = sigmoid(l_fake) / B_fake
 * </pre>
 *
 * <p>Generator ({@link GeneratorLoss}):
 *
 * <ul>
 *   <li>{@code MINIMAX} (the paper's Eq. 1): minimises {@code mean log(1 - D(G(z))) = -mean
 *       softplus(l_fake)}, gradient {@code -sigmoid(l_fake) / B};
 *   <li>{@code NON_SATURATING} (the paper's Sec. 3 heuristic): minimises {@code -mean log D(G(z)) =
 *       mean softplus(-l_fake)}, gradient {@code (sigmoid(l_fake) - 1) / B}.
 * </ul>
 *
 * <p><b>One-sided label smoothing</b> (Salimans et al., "Improved Techniques for Training GANs",
 * NeurIPS 2016, Sec. 3.4): with a real target {@code alpha} in {@code (0, 1]} (e.g. 0.9) the real
 * rows are scored against the soft label {@code alpha} by binary cross-entropy, while the fake
 * target stays 0 (smoothing it too would reward D for keeping fakes where the data are not):
 *
 * <pre>
 * L_D = mean [alpha softplus(-l_real) + (1 - alpha) softplus(l_real)] + mean softplus(l_fake)
 * dL_D/dl_real = (sigmoid(l_real) - alpha) / B_real
 * </pre>
 *
 * The optimal discriminator becomes {@code alpha p_data / (p_data + p_model)}. {@code alpha = 1}
 * (the default) is the unsmoothed loss above, computed by the same code as before, bit for bit. The
 * generator losses do not change.
 *
 * <p>Numerics: {@code softplus(x) = max(x,0) + log1p(exp(-|x|))} and a two-branch sigmoid, all in
 * double; {@code sigmoid(l) - 1} is computed as {@code -sigmoid(-l)}. Losses and gradients stay
 * finite for any finite logit (e.g. ±1e4). The per-element work is a plain Java loop over the
 * values (bulk-copied in and out), which for a few hundred rows is faster than a chain of small
 * ND4J ops. With {@link KernelChoice#ND4J_OPS} (the default off the CPU backend) the same formulas
 * run as ND4J ops in the logits' dtype ({@link DeviceOps}): no host copies, the loss and metrics
 * read as reduced scalars; they agree with the loops to float rounding.
 */
public final class StandardGan implements GanObjective {

  /** Which generator loss of Goodfellow et al. (2014) to use. */
  public enum GeneratorLoss {
    /** Minimise {@code log(1 - D(G(z)))} (saturates when D rejects fakes confidently). */
    MINIMAX,
    /** Minimise {@code -log D(G(z))} (same fixed point, strong gradients early in training). */
    NON_SATURATING
  }

  private final GeneratorLoss generatorLoss;
  private final double realTarget;
  private final KernelChoice kernel;

  /** The unsmoothed objective (real target 1). */
  public StandardGan(GeneratorLoss generatorLoss) {
    this(generatorLoss, 1.0);
  }

  /**
   * The objective with one-sided label smoothing: real target {@code realTarget} in {@code (0, 1]}
   * (1: no smoothing), fake target 0.
   */
  public StandardGan(GeneratorLoss generatorLoss, double realTarget) {
    this(generatorLoss, realTarget, KernelChoice.forBackend());
  }

  /** Like {@link #StandardGan(GeneratorLoss, double)} on the given kernel. */
  public StandardGan(GeneratorLoss generatorLoss, double realTarget, KernelChoice kernel) {
    this.kernel = Objects.requireNonNull(kernel, "kernel");
    this.generatorLoss = Objects.requireNonNull(generatorLoss, "generatorLoss");
    if (!(realTarget > 0.0 && realTarget <= 1.0)) {
      throw new IllegalArgumentException("real target must be in (0, 1]: " + realTarget);
    }
    this.realTarget = realTarget;
  }

  public GeneratorLoss generatorLoss() {
    return generatorLoss;
  }

  /** The discriminator's target for real rows, {@code alpha} (1: no label smoothing). */
  public double realTarget() {
    return realTarget;
  }

  /** {@code log(1 + exp(x))} without overflow or cancellation. */
  static double softplus(double x) {
    return Math.max(x, 0.0) + Math.log1p(Math.exp(-Math.abs(x)));
  }

  /** {@code 1 / (1 + exp(-x))} without overflow. */
  static double sigmoid(double x) {
    if (x >= 0) {
      return 1.0 / (1.0 + Math.exp(-x));
    }
    double e = Math.exp(x);
    return e / (1.0 + e);
  }

  @Override
  public DLoss discriminator(
      INDArray realLogits, INDArray fakeLogits, INDArray gradReal, INDArray gradFake) {
    int nr = Outputs.checkColumn(realLogits, gradReal, "real");
    int nf = Outputs.checkColumn(fakeLogits, gradFake, "fake");
    if (kernel == KernelChoice.ND4J_OPS) {
      return discriminatorOps(realLogits, fakeLogits, gradReal, gradFake, nr, nf);
    }
    double[] real = new double[nr];
    double[] fake = new double[nf];
    DenseAccess.read(realLogits, real);
    DenseAccess.read(fakeLogits, fake);
    int rightReal = 0;
    int rightFake = 0;
    for (int i = 0; i < nr; i++) {
      rightReal += real[i] > 0 ? 1 : 0;
    }
    for (int i = 0; i < nf; i++) {
      rightFake += fake[i] < 0 ? 1 : 0;
    }
    double lossReal = 0;
    double dReal = 0;
    if (realTarget == 1.0) {
      for (int i = 0; i < nr; i++) {
        double l = real[i];
        lossReal += softplus(-l);
        dReal += sigmoid(l);
        real[i] = -sigmoid(-l) / nr; // (sigmoid(l) - 1) / B
      }
    } else {
      double alpha = realTarget;
      double beta = 1.0 - alpha;
      for (int i = 0; i < nr; i++) {
        double l = real[i];
        double s = sigmoid(l);
        lossReal += alpha * softplus(-l) + beta * softplus(l);
        dReal += s;
        // sigmoid(l) - alpha, as (1 - alpha) - sigmoid(-l) where sigmoid(l) is close to 1
        real[i] = (l >= 0 ? beta - sigmoid(-l) : s - alpha) / nr;
      }
    }
    double lossFake = 0;
    double dFake = 0;
    for (int i = 0; i < nf; i++) {
      double l = fake[i];
      double s = sigmoid(l);
      lossFake += softplus(l);
      dFake += s;
      fake[i] = s / nf;
    }
    DenseAccess.write(gradReal, real);
    DenseAccess.write(gradFake, fake);
    return new DLoss(
        lossReal / nr + lossFake / nf,
        dReal / nr,
        dFake / nf,
        DLoss.accuracy(rightReal, nr, rightFake, nf));
  }

  @Override
  public GLoss generator(INDArray fakeLogits, INDArray gradFake) {
    int n = Outputs.checkColumn(fakeLogits, gradFake, "fake");
    if (kernel == KernelChoice.ND4J_OPS) {
      return generatorOps(fakeLogits, gradFake, n);
    }
    double[] fake = new double[n];
    DenseAccess.read(fakeLogits, fake);
    double loss = 0;
    double dFake = 0;
    boolean minimax = generatorLoss == GeneratorLoss.MINIMAX;
    for (int i = 0; i < n; i++) {
      double l = fake[i];
      double s = sigmoid(l);
      dFake += s;
      if (minimax) {
        loss -= softplus(l);
        fake[i] = -s / n;
      } else {
        loss += softplus(-l);
        fake[i] = -sigmoid(-l) / n; // (sigmoid(l) - 1) / B
      }
    }
    DenseAccess.write(gradFake, fake);
    return new GLoss(loss / n, dFake / n);
  }

  /** The discriminator's formulas as ND4J ops (see the class comment). */
  private DLoss discriminatorOps(
      INDArray real, INDArray fake, INDArray gradReal, INDArray gradFake, int nr, int nf) {
    double alpha = realTarget;
    if (alpha == 1.0) {
      gradReal.assign(DeviceOps.sigmoid(real, -1.0)).muli(-1.0 / nr); // (sigmoid(l) - 1) / B
    } else {
      gradReal.assign(DeviceOps.sigmoid(real, 1.0)).subi(alpha).muli(1.0 / nr);
    }
    double lossReal = alpha * DeviceOps.sumSoftplus(real, -1.0);
    if (alpha != 1.0) {
      lossReal += (1.0 - alpha) * DeviceOps.sumSoftplus(real, 1.0);
    }
    double dReal = DeviceOps.sum(DeviceOps.sigmoid(real, 1.0));
    INDArray sFake = DeviceOps.sigmoid(fake, 1.0);
    double dFake = DeviceOps.sum(sFake);
    gradFake.assign(sFake.muli(1.0 / nf));
    double lossFake = DeviceOps.sumSoftplus(fake, 1.0);
    int rightReal = DeviceOps.countPositive(real, 1.0);
    int rightFake = DeviceOps.countPositive(fake, -1.0);
    return new DLoss(
        lossReal / nr + lossFake / nf,
        dReal / nr,
        dFake / nf,
        DLoss.accuracy(rightReal, nr, rightFake, nf));
  }

  /** The generator's formulas as ND4J ops. */
  private GLoss generatorOps(INDArray fake, INDArray gradFake, int n) {
    INDArray s = DeviceOps.sigmoid(fake, 1.0);
    double dFake = DeviceOps.sum(s);
    double loss;
    if (generatorLoss == GeneratorLoss.MINIMAX) {
      loss = -DeviceOps.sumSoftplus(fake, 1.0);
      gradFake.assign(s.muli(-1.0 / n));
    } else {
      loss = DeviceOps.sumSoftplus(fake, -1.0);
      gradFake.assign(DeviceOps.sigmoid(fake, -1.0).muli(-1.0 / n)); // (sigmoid(l) - 1) / B
    }
    return new GLoss(loss / n, dFake / n);
  }

  @Override
  public String toString() {
    return realTarget == 1.0
        ? "StandardGan[" + generatorLoss + "]"
        : "StandardGan[" + generatorLoss + ", realTarget=" + realTarget + "]";
  }
}
