package dev.agon.train;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A detached copy of the generator weights that sampling uses, for an evaluator: the live weights
 * or their exponential moving average.
 *
 * @param kind which weights these are
 * @param version G updates applied to the live weights when the copy was taken; for {@link
 *     Kind#EMA} the newest version averaged in
 * @param params the flat parameter vector {@code [1, numParams]}, a copy owned by the receiver
 */
public record GeneratorWeights(Kind kind, long version, INDArray params) {
  /** Which generator weights. */
  public enum Kind {
    /** The training weights. */
    LIVE,
    /** The exponential moving average of the training weights (Polyak averaging). */
    EMA
  }
}
