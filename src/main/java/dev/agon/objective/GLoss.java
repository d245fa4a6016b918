package dev.agon.objective;

/**
 * Generator loss of one batch.
 *
 * @param loss the generator's loss (what its optimizer minimises)
 * @param meanDFake mean score of the fake rows, as {@link DLoss#meanDFake()}: {@code
 *     sigmoid(logit)} for {@link StandardGan}, the raw output for the other objectives
 */
public record GLoss(double loss, double meanDFake) {}
