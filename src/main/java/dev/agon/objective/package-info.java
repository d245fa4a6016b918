/**
 * GAN objectives as generator/discriminator loss pairs on discriminator logits ({@code D(x) =
 * sigmoid(logit)}, label 1 = REAL), and the historical-averaging cost term ({@link
 * dev.agon.objective.HistoricalAverage}). Depends on ND4J and the JDK only.
 */
package dev.agon.objective;
