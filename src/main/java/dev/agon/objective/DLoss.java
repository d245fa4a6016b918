package dev.agon.objective;

/**
 * Discriminator loss of one batch.
 *
 * @param loss the discriminator's loss (what its optimizer minimises)
 * @param meanDReal mean of {@code sigmoid(logit)} over the real rows
 * @param meanDFake mean of {@code sigmoid(logit)} over the fake rows
 */
public record DLoss(double loss, double meanDReal, double meanDFake) {}
