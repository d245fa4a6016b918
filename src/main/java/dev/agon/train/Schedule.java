package dev.agon.train;

/**
 * The schedule of Goodfellow et al. 2014, Algorithm 1, with a staleness bound: k D updates per G
 * update, and G and D allowed to lag s versions behind each other so both can work at once.
 *
 * <p>The lag is fixed, not "up to s": D update n trains on fakes of G version exactly {@link
 * #generatorVersionFor(long) max(0, floor((n−1)/k) − s)} and G update i against D version exactly
 * {@link #discriminatorVersionFor(long) max(0, k·i − s)}. Every step's inputs are therefore
 * determined by the schedule alone, whatever the timing: a run with staleness s is reproducible bit
 * for bit, and s = 0 is Algorithm 1 exactly. Pure arithmetic, shared by the actors and the plain
 * loop.
 *
 * @param k D updates per G update
 * @param staleness s, the versions a step lags behind Algorithm 1's (0: synchronous)
 * @param iterations G updates in the run
 */
public record Schedule(int k, int staleness, long iterations) {
  public Schedule {
    if (k < 1 || staleness < 0 || iterations < 1) {
      throw new IllegalArgumentException("invalid schedule: " + this);
    }
  }

  /** D updates in the run: k per G update. */
  public long dUpdates() {
    return k * iterations;
  }

  /** The G version whose fakes D update n (1-based) trains on: max(0, floor((n−1)/k) − s). */
  public long generatorVersionFor(long dStep) {
    return Math.max(0, (dStep - 1) / k - staleness);
  }

  /** The D version G update i (1-based) trains against: max(0, k·i − s). */
  public long discriminatorVersionFor(long gStep) {
    return Math.max(0, k * gStep - staleness);
  }

  /**
   * The D updates whose fakes come from G version v, as [first, last] (empty when first > last):
   * those n with generatorVersionFor(n) = v, within the run.
   */
  public long[] fakesOfVersion(long v) {
    long first = v == 0 ? 1 : k * (v + staleness) + 1;
    long last = Math.min(k * (v + staleness + 1), dUpdates());
    return new long[] {first, last};
  }

  /** Whether some G update of the run trains against D version v. */
  public boolean discriminatorVersionUsed(long v) {
    if (v == 0) {
      return staleness >= k;
    }
    return (v + staleness) % k == 0 && v <= k * iterations - staleness;
  }

  /** The last D update that may run once G has made {@code gDone} updates. */
  public long lastAdmissibleDStep(long gDone) {
    return Math.min(k * (gDone + staleness + 1), dUpdates());
  }

  /** The last G update that may run once D has made {@code dDone} updates. */
  public long lastAdmissibleGStep(long dDone) {
    return Math.min((dDone + staleness) / k, iterations);
  }
}
