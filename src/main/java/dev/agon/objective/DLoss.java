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
 */
public record DLoss(double loss, double meanDReal, double meanDFake, double accuracy) {
  /** A loss whose objective has no accuracy (NaN). */
  public DLoss(double loss, double meanDReal, double meanDFake) {
    this(loss, meanDReal, meanDFake, Double.NaN);
  }

  /** (right real / real rows + right fake / fake rows) / 2. */
  static double accuracy(int rightReal, int nr, int rightFake, int nf) {
    return 0.5 * ((double) rightReal / nr + (double) rightFake / nf);
  }
}
