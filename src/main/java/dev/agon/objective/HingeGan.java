package dev.agon.objective;

import dev.agon.tensor.DenseAccess;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The hinge-loss GAN of Lim &amp; Ye, "Geometric GAN", arXiv:1705.02894, 2017, in the form used by
 * Miyato et al., "Spectral Normalization for Generative Adversarial Networks", ICLR 2018 (Eq. 16
 * and 17), on the discriminator's raw outputs {@code D(x)} (no sigmoid). Label: REAL = higher
 * output; D aims at {@code D(x) >= 1} on real and {@code D(G(z)) <= -1} on fake rows.
 *
 * <p>Discriminator (a soft-margin SVM on the outputs):
 *
 * <pre>
 * L_D = mean relu(1 - D(x)) + mean relu(1 + D(G(z)))
 * dL_D/dD(x)    = -1 / B_real where D(x) &lt; 1, else 0
 * dL_D/dD(G(z)) = +1 / B_fake where D(G(z)) &gt; -1, else 0
 * </pre>
 *
 * Rows outside the margin give no gradient. At a kink exactly ({@code D(x) = 1} or {@code D(G(z)) =
 * -1}) the subgradient 0 is used, as PyTorch's {@code relu'(0) = 0}.
 *
 * <p>Generator (Miyato et al.'s choice, as in the WGAN generator):
 *
 * <pre>
 * L_G = -mean D(G(z)),   dL_G/dD(G(z)) = -1 / B
 * </pre>
 *
 * <p>{@link DLoss#meanDReal()}, {@link DLoss#meanDFake()} and {@link GLoss#meanDFake()} are the
 * mean raw outputs. Loops in double; stateless.
 */
public final class HingeGan implements GanObjective {

  @Override
  public DLoss discriminator(
      INDArray realOutputs, INDArray fakeOutputs, INDArray gradReal, INDArray gradFake) {
    int nr = Outputs.checkColumn(realOutputs, gradReal, "real");
    int nf = Outputs.checkColumn(fakeOutputs, gradFake, "fake");
    double[] real = new double[nr];
    double[] fake = new double[nf];
    DenseAccess.read(realOutputs, real);
    DenseAccess.read(fakeOutputs, fake);
    double lossReal = 0;
    double sumReal = 0;
    double gr = -1.0 / nr;
    int rightReal = 0;
    int rightFake = 0;
    for (int i = 0; i < nr; i++) {
      double d = real[i];
      rightReal += d > 0 ? 1 : 0;
      double m = 1.0 - d;
      sumReal += d;
      if (m > 0) {
        lossReal += m;
        real[i] = gr;
      } else {
        real[i] = 0.0;
      }
    }
    double lossFake = 0;
    double sumFake = 0;
    double gf = 1.0 / nf;
    for (int i = 0; i < nf; i++) {
      double d = fake[i];
      rightFake += d < 0 ? 1 : 0;
      double m = 1.0 + d;
      sumFake += d;
      if (m > 0) {
        lossFake += m;
        fake[i] = gf;
      } else {
        fake[i] = 0.0;
      }
    }
    DenseAccess.write(gradReal, real);
    DenseAccess.write(gradFake, fake);
    return new DLoss(
        lossReal / nr + lossFake / nf,
        sumReal / nr,
        sumFake / nf,
        DLoss.accuracy(rightReal, nr, rightFake, nf));
  }

  @Override
  public GLoss generator(INDArray fakeOutputs, INDArray gradFake) {
    return Wasserstein.negativeMean(fakeOutputs, gradFake, dev.agon.nn.KernelChoice.HOST_LOOP);
  }

  @Override
  public String toString() {
    return "HingeGan";
  }
}
