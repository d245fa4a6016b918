package dev.agon.objective;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A GAN objective as a pair of losses over discriminator logits. The discriminator outputs a logit
 * {@code l}, {@code D(x) = sigmoid(l)}; label 1 means REAL. Implementations are stateless apart
 * from configuration, and safe to call from any thread.
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
