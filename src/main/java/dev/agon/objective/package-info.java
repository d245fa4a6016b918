/**
 * GAN objectives as documented generator/discriminator loss pairs on the discriminator's raw
 * outputs ({@link dev.agon.objective.GanObjective}: {@link dev.agon.objective.StandardGan} with
 * optional one-sided label smoothing, {@link dev.agon.objective.LeastSquaresGan}, {@link
 * dev.agon.objective.HingeGan}, {@link dev.agon.objective.Wasserstein}, the K+1 {@link
 * dev.agon.objective.SemiSupervisedGan}); higher output always means more REAL. Beside them: the
 * WGAN-GP {@link dev.agon.objective.GradientPenalty}, the feature-matching generator loss ({@link
 * dev.agon.objective.FeatureMatching}) and the historical-averaging cost term ({@link
 * dev.agon.objective.HistoricalAverage}). Depends on ND4J, {@code dev.agon.nn}, {@code
 * dev.agon.tensor} and the JDK only.
 */
package dev.agon.objective;
