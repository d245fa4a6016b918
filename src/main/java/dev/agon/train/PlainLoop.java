package dev.agon.train;

import dev.agon.data.BatchSource;
import dev.agon.objective.DLoss;
import dev.agon.objective.GLoss;
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
   * Runs G updates {@code fromIteration+1 .. toIteration}, each preceded by k D updates. D update n
   * uses real batch n−1 and fakes from G version floor((n−1)/k); G update i uses D version k·i.
   */
  public static void run(
      GeneratorTrainer g,
      DiscriminatorTrainer d,
      BatchSource data,
      int k,
      int batchSize,
      long fromIteration,
      long toIteration,
      Listener listener) {
    for (long i = fromIteration + 1; i <= toIteration; i++) {
      for (int j = 1; j <= k; j++) {
        long n = (i - 1) * k + j;
        INDArray real = data.batch(n - 1, batchSize).x();
        INDArray fake = g.fakes(n, batchSize);
        long t0 = System.nanoTime();
        DLoss dl = d.step(real, fake);
        listener.dStep(n, dl, System.nanoTime() - t0);
      }
      long t0 = System.nanoTime();
      GLoss gl = g.step(i, d.params(), batchSize);
      listener.gStep(i, gl, System.nanoTime() - t0);
    }
  }
}
