package dev.agon.train;

import dev.agon.data.BatchSource;
import dev.agon.objective.DLoss;
import dev.agon.objective.GLoss;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Algorithm 1 of Goodfellow et al. 2014 as a single-threaded loop over the same numeric steps the
 * actors run: the reference the synchronous engine must match bit for bit, and the baseline of the
 * engine-overhead benchmark.
 */
public final class PlainLoop {
  /** Observes each update with the time its step call took; the default does nothing. */
  public interface Listener {
    default void dStep(long n, DLoss loss, long nanos) {}

    default void gStep(long i, GLoss loss, long nanos) {}
  }

  private PlainLoop() {}

  /**
   * Runs G updates {@code schedule.originG()+1 .. toIteration} of {@code schedule}, each preceded
   * by its k D updates, from trainers that have made {@code originG} and {@code originD} updates (a
   * later segment continues the same trainers after a change of k or s): D update n uses real batch
   * n−1 and the fakes of G version {@link Schedule#generatorVersionFor}; G update i uses D version
   * {@link Schedule#discriminatorVersionFor}. Fakes are made right after G reaches the version they
   * come from and D snapshots are kept at the versions G will use, exactly as the Generator and
   * Discriminator actors do, so the actor engine must match this loop bit for bit for every
   * staleness.
   */
  public static void run(
      GeneratorTrainer g,
      DiscriminatorTrainer d,
      BatchSource data,
      Schedule schedule,
      int batchSize,
      long toIteration,
      Listener listener) {
    int k = schedule.k();
    long fromIteration = schedule.originG();
    ArrayDeque<INDArray> fakes = new ArrayDeque<>();
    Map<Long, INDArray> dSnapshots = new HashMap<>();
    produceFakes(g, schedule, fromIteration, batchSize, fakes);
    if (schedule.staleness() > 0 && schedule.discriminatorVersionUsed(schedule.originD())) {
      dSnapshots.put(schedule.originD(), d.snapshot());
    }
    for (long i = fromIteration + 1; i <= toIteration; i++) {
      for (int j = 1; j <= k; j++) {
        long n = schedule.dStepsThrough(i - 1) + j;
        BatchSource.Batch real = data.batch(n - 1, batchSize);
        INDArray fake = fakes.poll();
        long t0 = System.nanoTime();
        DLoss dl = d.step(real.x(), fake, real.labelled(), real.labels());
        listener.dStep(n, dl, System.nanoTime() - t0);
        if (schedule.staleness() > 0 && schedule.discriminatorVersionUsed(n)) {
          dSnapshots.put(n, d.snapshot());
        }
      }
      // Synchronous: D is at version k·i, the one G update i uses; no copy needed.
      INDArray dParams =
          schedule.staleness() == 0
              ? d.params()
              : dSnapshots.get(schedule.discriminatorVersionFor(i));
      long t0 = System.nanoTime();
      GLoss gl = g.step(i, dParams, batchSize);
      listener.gStep(i, gl, System.nanoTime() - t0);
      long next = schedule.discriminatorVersionFor(i + 1);
      dSnapshots.keySet().removeIf(v -> v < next);
      produceFakes(g, schedule, i, batchSize, fakes);
    }
  }

  /** The fakes of every D update that trains on G version {@code v}, made now. */
  private static void produceFakes(
      GeneratorTrainer g, Schedule schedule, long v, int batchSize, ArrayDeque<INDArray> out) {
    long[] range = schedule.fakesOfVersion(v);
    for (long n = range[0]; n <= range[1]; n++) {
      out.add(g.fakes(n, batchSize));
    }
  }
}
