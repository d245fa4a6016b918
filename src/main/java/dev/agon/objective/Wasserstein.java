package dev.agon.objective;

import dev.agon.nn.KernelChoice;
import dev.agon.tensor.DenseAccess;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The Wasserstein GAN of Arjovsky et al., "Wasserstein Generative Adversarial Networks", ICML 2017,
 * on the critic's raw outputs {@code D(x)} (no sigmoid). REAL = higher critic value.
 *
 * <p>By Kantorovich–Rubinstein duality, {@code W(P_r, P_g) = sup over 1-Lipschitz f of E f(x) - E
 * f(G(z))}; the critic estimates it by maximising that difference, i.e. minimises
 *
 * <pre>
 * L_D = mean D(G(z)) - mean D(x)
 * dL_D/dD(x) = -1 / B_real,   dL_D/dD(G(z)) = +1 / B_fake
 * </pre>
 *
 * and the generator minimises the estimate:
 *
 * <pre>
 * L_G = -mean D(G(z)),   dL_G/dD(G(z)) = -1 / B
 * </pre>
 *
 * <p>The loss alone is unbounded: the critic must be kept (close to) 1-Lipschitz. This objective
 * does not do that; use it with {@link GradientPenalty} (Gulrajani et al., "Improved Training of
 * Wasserstein GANs", NeurIPS 2017, WGAN-GP: {@code lambda = 10}, several critic updates per
 * generator update, Adam with {@code beta1 = 0}, no batch norm in the critic) or with weight
 * clipping as in the original paper. {@code -}{@link DLoss#loss()} is the critic's estimate of the
 * Wasserstein distance (up to the Lipschitz constant). {@link DLoss#meanDReal()}, {@link
 * DLoss#meanDFake()} and {@link GLoss#meanDFake()} are the mean critic values. Loops in double over
 * host copies, or with {@link KernelChoice#ND4J_OPS} (the default off the CPU backend) ND4J mean
 * reductions read as scalars ({@link DenseAccess#scalar}); stateless.
 */
public final class Wasserstein implements GanObjective {
  private final KernelChoice kernel;

  /** The objective on the loaded backend's faster kernel. */
  public Wasserstein() {
    this(KernelChoice.forBackend());
  }

  /** The objective on {@code kernel}. */
  public Wasserstein(KernelChoice kernel) {
    this.kernel = java.util.Objects.requireNonNull(kernel, "kernel");
  }

  @Override
  public DLoss discriminator(
      INDArray realOutputs, INDArray fakeOutputs, INDArray gradReal, INDArray gradFake) {
    int nr = Outputs.checkColumn(realOutputs, gradReal, "real");
    int nf = Outputs.checkColumn(fakeOutputs, gradFake, "fake");
    double meanReal = mean(realOutputs, nr, kernel);
    double meanFake = mean(fakeOutputs, nf, kernel);
    gradReal.assign(-1.0 / nr);
    gradFake.assign(1.0 / nf);
    return new DLoss(meanFake - meanReal, meanReal, meanFake);
  }

  @Override
  public GLoss generator(INDArray fakeOutputs, INDArray gradFake) {
    return negativeMean(fakeOutputs, gradFake, kernel);
  }

  /** {@code L = -mean D(G(z))}, gradient {@code -1/B}: the generator loss of WGAN and hinge GAN. */
  static GLoss negativeMean(INDArray fakeOutputs, INDArray gradFake, KernelChoice kernel) {
    int n = Outputs.checkColumn(fakeOutputs, gradFake, "fake");
    double mean = mean(fakeOutputs, n, kernel);
    gradFake.assign(-1.0 / n);
    return new GLoss(-mean, mean);
  }

  private static double mean(INDArray column, int n, KernelChoice kernel) {
    if (kernel == KernelChoice.ND4J_OPS) {
      return DeviceOps.sum(column) / n;
    }
    double[] v = new double[n];
    DenseAccess.read(column, v);
    double sum = 0;
    for (double d : v) {
      sum += d;
    }
    return sum / n;
  }

  @Override
  public String toString() {
    return "Wasserstein";
  }
}
