package dev.agon.objective;

import dev.agon.tensor.DenseAccess;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The least-squares GAN of Mao et al., "Least Squares Generative Adversarial Networks", ICCV 2017
 * (LSGAN), with the paper's {@code a = 0} (fake), {@code b = 1} (real), {@code c = 1} (the value G
 * wants D to believe for fakes) coding, on the discriminator's raw outputs {@code D(x)} (a linear
 * output: no sigmoid). Label 1 = REAL, 0 = FAKE.
 *
 * <p>Discriminator (the paper's Eq. 2):
 *
 * <pre>
 * L_D = 1/2 mean (D(x) - 1)^2 + 1/2 mean D(G(z))^2
 * dL_D/dD(x) = (D(x) - 1) / B_real,   dL_D/dD(G(z)) = D(G(z)) / B_fake
 * </pre>
 *
 * <p>Generator:
 *
 * <pre>
 * L_G = 1/2 mean (D(G(z)) - 1)^2,   dL_G/dD(G(z)) = (D(G(z)) - 1) / B
 * </pre>
 *
 * <p>The squared error keeps penalising fakes that lie on the real side of the decision boundary
 * but far from the data, so G's gradient does not vanish as with a saturated sigmoid. {@link
 * DLoss#meanDReal()}, {@link DLoss#meanDFake()} and {@link GLoss#meanDFake()} are the mean raw
 * outputs (1 = confidently real). Loops in double; stateless.
 */
public final class LeastSquaresGan implements GanObjective {

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
    int rightReal = 0;
    int rightFake = 0;
    for (int i = 0; i < nr; i++) {
      double d = real[i];
      rightReal += d > 0.5 ? 1 : 0;
      double e = d - 1.0;
      lossReal += e * e;
      sumReal += d;
      real[i] = e / nr;
    }
    double lossFake = 0;
    double sumFake = 0;
    for (int i = 0; i < nf; i++) {
      double d = fake[i];
      rightFake += d < 0.5 ? 1 : 0;
      lossFake += d * d;
      sumFake += d;
      fake[i] = d / nf;
    }
    DenseAccess.write(gradReal, real);
    DenseAccess.write(gradFake, fake);
    return new DLoss(
        0.5 * (lossReal / nr + lossFake / nf),
        sumReal / nr,
        sumFake / nf,
        DLoss.accuracy(rightReal, nr, rightFake, nf));
  }

  @Override
  public GLoss generator(INDArray fakeOutputs, INDArray gradFake) {
    int n = Outputs.checkColumn(fakeOutputs, gradFake, "fake");
    double[] fake = new double[n];
    DenseAccess.read(fakeOutputs, fake);
    double loss = 0;
    double sum = 0;
    for (int i = 0; i < n; i++) {
      double d = fake[i];
      double e = d - 1.0;
      loss += e * e;
      sum += d;
      fake[i] = e / n;
    }
    DenseAccess.write(gradFake, fake);
    return new GLoss(0.5 * loss / n, sum / n);
  }

  @Override
  public String toString() {
    return "LeastSquaresGan[a=0, b=1, c=1]";
  }
}
