package dev.agon.train;

import dev.agon.eval.CollapseIndicators;
import dev.agon.eval.ImageMetrics;
import dev.agon.eval.JsdBound;
import dev.agon.eval.ModeMetrics;
import java.io.IOException;
import java.nio.file.Path;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Scores one generator snapshot: the numeric half of the Evaluator actor, kept free of actors. An
 * implementation owns its numeric state (a generator network to load snapshots into, data
 * statistics), is built on the thread that uses it and is not thread-safe: {@link ModeScorer} for
 * 2-D mixtures, {@link ImageScorer} for images.
 */
public interface Scorer {
  /**
   * What one evaluation found; a metric the scorer does not compute is null.
   *
   * @param samples generator samples scored
   * @param modes mode coverage of a 2-D mixture
   * @param plot the sample plot written for this evaluation
   * @param images the classifier metrics of image samples
   * @param jsd the discriminator's JSD lower bound ({@link JsdProbe})
   * @param pixels the classifier-free collapse indicators of image samples ({@link
   *     dev.agon.eval.PixelCollapse}), computed on every image data set
   * @param classifierAccuracy test accuracy of the semi-supervised K+1 discriminator as a
   *     classifier ({@link ClassifierProbe})
   */
  record Score(
      int samples,
      ModeMetrics.Result modes,
      Path plot,
      ImageMetrics.Report images,
      JsdBound.Result jsd,
      CollapseIndicators.FeatureResult pixels,
      Double classifierAccuracy) {
    /** A score without a classifier accuracy. */
    public Score(
        int samples,
        ModeMetrics.Result modes,
        Path plot,
        ImageMetrics.Report images,
        JsdBound.Result jsd,
        CollapseIndicators.FeatureResult pixels) {
      this(samples, modes, plot, images, jsd, pixels, null);
    }
  }

  /**
   * Scores flat generator parameters {@code params} (G's weights, or G-EMA's when {@code ema}), the
   * snapshot of G step {@code step}; {@code discriminator}, when not null, holds the flat weights
   * of the D that G's update {@code step} trained against, for the JSD bound. Both are read only.
   */
  Score score(long step, boolean ema, INDArray params, INDArray discriminator) throws IOException;

  /** One line saying what each evaluation computes, for the log at the scorer's start. */
  default String describe() {
    return getClass().getSimpleName();
  }

  /** Releases what the scorer holds; called once, on the scorer's thread, when it is done. */
  default void close() {}
}
