/**
 * GAN objectives as generator/discriminator loss pairs on discriminator logits ({@code D(x) =
 * sigmoid(logit)}, label 1 = REAL). Depends on ND4J and the JDK only.
 */
package dev.agon.objective;
