package dev.agon.objective;

/**
 * Generator loss of one batch.
 *
 * @param loss the generator's loss (what its optimizer minimises)
 * @param meanDFake mean of {@code sigmoid(logit)} over the fake rows
 */
public record GLoss(double loss, double meanDFake) {}
