package dev.agon.objective;

/**
 * Discriminator loss of one batch.
 *
 * @param loss the discriminator's loss (what its optimizer minimises)
 * @param meanDReal mean score of the real rows: {@code sigmoid(logit)} for {@link StandardGan} (a
 *     probability), the raw output for objectives on unbounded outputs ({@link LeastSquaresGan},
 *     {@link HingeGan}, {@link Wasserstein})
 * @param meanDFake mean score of the fake rows, in the same units
 */
public record DLoss(double loss, double meanDReal, double meanDFake) {}
