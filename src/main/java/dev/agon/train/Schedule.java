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
 * <p>A schedule may start mid-run, at a barrier where G has made {@code originG} updates and D
 * exactly {@code originD}: a live change of k or s starts such a segment, and the formulas above
 * apply to the updates after the origin (max(0, ·) becomes max(origin, ·)).
 *
 * @param k D updates per G update
 * @param staleness s, the versions a step lags behind Algorithm 1's (0: synchronous)
 * @param iterations the last G update of the run (absolute, counted from the run's start)
 * @param originG G updates made before this schedule starts
 * @param originD D updates made before this schedule starts
 */
public record Schedule(int k, int staleness, long iterations, long originG, long originD) {
  public Schedule {
    if (k < 1 || staleness < 0 || iterations < 1 || originG < 0 || originD < 0) {
      throw new IllegalArgumentException("invalid schedule: " + this);
    }
  }

  /** A schedule from the start of the run. */
  public Schedule(int k, int staleness, long iterations) {
    this(k, staleness, iterations, 0, 0);
  }

  /** The same run continued from the barrier (g, d) with another k and s. */
  public Schedule changedAt(long g, long d, int newK, int newStaleness) {
    return new Schedule(newK, newStaleness, iterations, g, d);
  }

  /** The last D update of the run: originD + k per G update after the origin. */
  public long dUpdates() {
    return dStepsThrough(iterations);
  }

  /** The D updates of the run up to the end of G iteration {@code gStep}. */
  public long dStepsThrough(long gStep) {
    return originD + k * (gStep - originG);
  }

  /** The G iteration D update n belongs to (its k-cycle), n > originD. */
  public long iterationOf(long dStep) {
    return originG + (dStep - originD + k - 1) / k;
  }

  /** The G version Algorithm 1 (no lag) would have D update n train on. */
  public long algorithm1GeneratorVersionFor(long dStep) {
    return originG + (dStep - originD - 1) / k;
  }

  /** The D version Algorithm 1 (no lag) would have G update i train against. */
  public long algorithm1DiscriminatorVersionFor(long gStep) {
    return originD + k * (gStep - originG);
  }

  /** The G version whose fakes D update n (1-based, n > originD) trains on. */
  public long generatorVersionFor(long dStep) {
    return originG + Math.max(0, (dStep - originD - 1) / k - staleness);
  }

  /** The D version G update i (1-based, i > originG) trains against. */
  public long discriminatorVersionFor(long gStep) {
    return originD + Math.max(0, k * (gStep - originG) - staleness);
  }

  /**
   * The D updates whose fakes come from G version v (v ≥ originG), as [first, last] (empty when
   * first > last): those n with generatorVersionFor(n) = v, within the run.
   */
  public long[] fakesOfVersion(long v) {
    long rel = v - originG;
    long first = rel == 0 ? originD + 1 : originD + k * (rel + staleness) + 1;
    long last = Math.min(originD + k * (rel + staleness + 1), dUpdates());
    return new long[] {first, last};
  }

  /** Whether some G update of this schedule trains against D version v (v ≥ originD). */
  public boolean discriminatorVersionUsed(long v) {
    long rel = v - originD;
    if (rel == 0) {
      return staleness >= k;
    }
    return rel > 0 && (rel + staleness) % k == 0 && rel <= k * (iterations - originG) - staleness;
  }

  /** The last D update that may run once G has made {@code gDone} updates. */
  public long lastAdmissibleDStep(long gDone) {
    return Math.min(originD + k * (gDone - originG + staleness + 1), dUpdates());
  }

  /** The last G update that may run once D has made {@code dDone} updates. */
  public long lastAdmissibleGStep(long dDone) {
    return Math.min(originG + (dDone - originD + staleness) / k, iterations);
  }
}
