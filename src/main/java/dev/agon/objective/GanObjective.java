package dev.agon.objective;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A GAN objective as a pair of losses over discriminator logits. The discriminator outputs a logit
 * {@code l}, {@code D(x) = sigmoid(l)}; label 1 means REAL. Implementations are stateless apart
 * from configuration, and safe to call from any thread.
 *
 * <p>Every objective is a real term plus a fake term: the gradient for a real logit depends only on
 * the real logits, the one for a fake logit only on the fake logits. Trainers that pass real and
 * fake batches through D separately rely on it.
 */
public interface GanObjective {
  /**
   * Discriminator loss. {@code realLogits}/{@code fakeLogits} are {@code [B,1]} (may be row views
   * of one {@code [2B,1]} array, and the two batch sizes may differ); writes dLoss/dLogit into
   * {@code gradReal}/{@code gradFake} (same shapes, may be views).
   */
  DLoss discriminator(
      INDArray realLogits, INDArray fakeLogits, INDArray gradReal, INDArray gradFake);

  /** Generator loss. {@code fakeLogits} is {@code [B,1]}; writes dLoss/dLogit into gradFake. */
  GLoss generator(INDArray fakeLogits, INDArray gradFake);
}
