package dev.agon.train;

import dev.agon.eval.ModeMetrics;
import java.io.IOException;
import java.nio.file.Path;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Scores one generator snapshot: the numeric half of the Evaluator actor, kept free of actors. An
 * implementation owns its numeric state (a generator network to load snapshots into, data
 * statistics), is built on the thread that uses it and is not thread-safe. The mode metrics of 2-D
 * mixtures ({@link ModeScorer}) are the first implementation; image metrics add fields to {@link
 * Score} and a scorer of their own.
 */
public interface Scorer {
  /**
   * What one evaluation found; a metric the scorer does not compute is null.
   *
   * @param samples generator samples scored
   * @param modes mode coverage of a 2-D mixture
   * @param plot the sample plot written for this evaluation
   */
  record Score(int samples, ModeMetrics.Result modes, Path plot) {}

  /**
   * Scores flat generator parameters {@code params} (G's weights, or G-EMA's when {@code ema}), the
   * snapshot of G step {@code step}. {@code params} is read only.
   */
  Score score(long step, boolean ema, INDArray params) throws IOException;

  /** Releases what the scorer holds; called once, on the scorer's thread, when it is done. */
  default void close() {}
}
