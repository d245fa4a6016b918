package dev.agon.objective;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A GAN objective as a pair of losses over the discriminator's raw outputs, one scalar per row. How
 * an output is read is the implementation's: a logit {@code l} with {@code D(x) = sigmoid(l)} for
 * {@link StandardGan}, an unbounded score for {@link LeastSquaresGan} and {@link HingeGan}, a
 * critic value for {@link Wasserstein}; in every case a higher output means more REAL. {@link
 * SemiSupervisedGan} is the one objective with several outputs per row: K class logits ({@code [B,
 * K]} wherever {@code [B,1]} is written below), read through their logsumexp. Implementations are
 * stateless apart from configuration, and safe to call from any thread.
 *
 * <p>Penalties that need more than the outputs (the WGAN-GP {@link GradientPenalty}) and generator
 * losses on D's features ({@link FeatureMatching}) are separate classes, used beside an objective.
 *
 * <p>Every objective is a real term plus a fake term: the gradient for a real output depends only
 * on the real outputs, the one for a fake output only on the fake outputs. Trainers that pass real
 * and fake batches through D separately rely on it.
 */
public interface GanObjective {
  /**
   * Discriminator loss. {@code realLogits}/{@code fakeLogits} (raw outputs) are {@code [B,1]} (may
   * be row views of one {@code [2B,1]} array, and the two batch sizes may differ); writes
   * dLoss/dLogit into {@code gradReal}/{@code gradFake} (same shapes, may be views).
   */
  DLoss discriminator(
      INDArray realLogits, INDArray fakeLogits, INDArray gradReal, INDArray gradFake);

  /** Generator loss. {@code fakeLogits} is {@code [B,1]}; writes dLoss/dLogit into gradFake. */
  GLoss generator(INDArray fakeLogits, INDArray gradFake);
}
