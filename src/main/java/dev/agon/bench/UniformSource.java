package dev.agon.bench;

import dev.agon.data.BatchSource;
import dev.agon.tensor.Seeds;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Timing-only stand-in for an image data set: batch {@code index} is uniform noise in [-1, 1) keyed
 * by (seed, index), {@code dims} values per row. It has no structure to learn; the step benchmarks
 * only need real batches of the right shape and a realistic per-batch cost (one {@code B x dims}
 * array written from Java, like a loader copying rows of a decoded data set).
 */
final class UniformSource implements BatchSource {
  private final int dims;
  private final long seed;

  UniformSource(int dims, long seed) {
    this.dims = dims;
    this.seed = seed;
  }

  @Override
  public int dims() {
    return dims;
  }

  @Override
  public Batch batch(long index, int batchSize) {
    SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, Seeds.STREAM_DATA, index));
    float[] x = new float[batchSize * dims];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (2 * rng.nextDouble() - 1);
    }
    return new Batch(index, 0, Nd4j.create(x, new long[] {batchSize, dims}, DataType.FLOAT));
  }
}
