package dev.agon.engine;

import dev.agon.train.Schedule;

/**
 * What the actors need to know of a run: its {@link Schedule} and the batch sizes.
 *
 * @param k D updates per G update
 * @param staleness s, the fixed lag of {@link Schedule} (0: synchronous, Algorithm 1 exactly)
 * @param iterations G updates in the run
 * @param batchSize samples per real and per fake minibatch
 * @param prefetch real batches the data loader prepares ahead and D may hold
 */
public record EngineSettings(int k, int staleness, long iterations, int batchSize, int prefetch) {
  public EngineSettings {
    if (batchSize < 1 || prefetch < 1) {
      throw new IllegalArgumentException("invalid engine settings: " + this);
    }
    new Schedule(k, staleness, iterations); // validates the rest
  }

  public Schedule schedule() {
    return new Schedule(k, staleness, iterations);
  }
}
