package dev.agon.data;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Real minibatches by index. A source is a pure function of (seed, batch index): the data cursor is
 * just the next index, so a run's data order is reproduced exactly by any actor on any thread, and
 * a resumed run continues it from one number.
 */
public interface BatchSource {
  /** Features per sample (2 for the 2-D mixtures, C*H*W for images). */
  int dims();

  /** Shape of one sample: {@code [dims]} for vectors, {@code [C, H, W]} for images. */
  default long[] sampleShape() {
    return new long[] {dims()};
  }

  /**
   * Batch {@code index} (0-based) of {@code batchSize} samples, as a new {@code [batchSize,
   * sampleShape()...]} array.
   */
  Batch batch(long index, int batchSize);

  /**
   * A real batch with its position in the data order.
   *
   * @param labels the class of each image of {@code x} (plain ints: B of them cost nothing to copy
   *     or send), or null when the run ignores labels ({@code data.labels = none})
   * @param labelled a minibatch of the run's labelled set, or null unless {@code data.labels} is N
   *     per class or all
   */
  record Batch(long index, long epoch, INDArray x, int[] labels, Labelled labelled) {
    /** A batch without labels (the 2-D mixtures; {@code data.labels = none}). */
    public Batch(long index, long epoch, INDArray x) {
      this(index, epoch, x, null, null);
    }
  }

  /**
   * A minibatch of labelled examples: images shaped like the batch's {@code x}, and their classes.
   */
  record Labelled(INDArray x, int[] labels) {}
}
