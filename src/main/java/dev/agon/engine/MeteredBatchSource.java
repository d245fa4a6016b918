package dev.agon.engine;

import dev.agon.data.BatchSource;
import dev.agon.metrics.TrainingMetrics;

/**
 * The data loader's source, noting when each batch is ready (one atomic store per batch, on the
 * loader's thread); the Metrics actor turns that into queue depth and data-wait time.
 */
final class MeteredBatchSource implements BatchSource {
  private final BatchSource source;
  private final TrainingMetrics metrics;

  MeteredBatchSource(BatchSource source, TrainingMetrics metrics) {
    this.source = source;
    this.metrics = metrics;
  }

  @Override
  public int dims() {
    return source.dims();
  }

  @Override
  public long[] sampleShape() {
    return source.sampleShape();
  }

  @Override
  public Batch batch(long index, int batchSize) {
    Batch b = source.batch(index, batchSize);
    metrics.dataPrepared(index, System.currentTimeMillis());
    return b;
  }
}
