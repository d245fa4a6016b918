package dev.agon.objective;

/**
 * Discriminator loss of one batch.
 *
 * @param loss the discriminator's loss (what its optimizer minimises)
 * @param meanDReal mean score of the real rows: {@code sigmoid(logit)} for {@link StandardGan} (a
 *     probability), the raw output for objectives on unbounded outputs ({@link LeastSquaresGan},
 *     {@link HingeGan}, {@link Wasserstein})
 * @param meanDFake mean score of the fake rows, in the same units
 * @param accuracy fraction of the rows D classifies right, real and fake batches weighted equally:
 *     real scored above the objective's decision threshold, fake below it ({@link StandardGan}:
 *     logit 0; {@link LeastSquaresGan}: 0.5; {@link HingeGan}: 0); NaN for {@link Wasserstein},
 *     whose critic has no threshold
 * @param supervised {@link SemiSupervisedGan} only: the supervised term of {@code loss}, the mean
 *     cross-entropy of softmax(l) against the labels of the labelled batch (0 when the update had
 *     no labelled batch); NaN for the other objectives
 * @param unsupervised {@link SemiSupervisedGan} only: the real/fake term of {@code loss} on the
 *     unlabelled real and the fake batch; NaN for the other objectives
 */
public record DLoss(
    double loss,
    double meanDReal,
    double meanDFake,
    double accuracy,
    double supervised,
    double unsupervised) {
  /** A loss whose objective has no accuracy (NaN). */
  public DLoss(double loss, double meanDReal, double meanDFake) {
    this(loss, meanDReal, meanDFake, Double.NaN);
  }

  /** A loss of an objective without a supervised term (both terms NaN). */
  public DLoss(double loss, double meanDReal, double meanDFake, double accuracy) {
    this(loss, meanDReal, meanDFake, accuracy, Double.NaN, Double.NaN);
  }

  /** (right real / real rows + right fake / fake rows) / 2. */
  static double accuracy(int rightReal, int nr, int rightFake, int nf) {
    return 0.5 * ((double) rightReal / nr + (double) rightFake / nf);
  }
}
