package dev.agon.engine;

/**
 * What the actors need to know of the schedule.
 *
 * @param k D updates per G update (Goodfellow et al. 2014, Algorithm 1)
 * @param staleness how many versions a step may lag behind Algorithm 1's (0: synchronous)
 * @param iterations G updates in the run
 * @param batchSize samples per real and per fake minibatch
 * @param prefetch real batches the data loader prepares ahead and D may hold
 */
public record EngineSettings(int k, int staleness, long iterations, int batchSize, int prefetch) {
  public EngineSettings {
    if (k < 1 || staleness < 0 || iterations < 1 || batchSize < 1 || prefetch < 1) {
      throw new IllegalArgumentException("invalid engine settings: " + this);
    }
  }

  /** The oldest G version D update n may use: floor((n−1)/k) − s. */
  public long minGeneratorVersionFor(long dStep) {
    return Math.max(0, (dStep - 1) / k - staleness);
  }

  /** The oldest D version G update i may use: k·i − s. */
  public long minDiscriminatorVersionFor(long gStep) {
    return Math.max(0, k * gStep - staleness);
  }
}
