package dev.agon.train;

import dev.agon.tensor.Tensors;

/** Generator samples for export and evaluation, reproducible from the run seed alone. */
public final class Sampling {
  /** Samples are drawn in chunks of this many; chunk c uses noise index c of the samples stream. */
  public static final int CHUNK = 10_000;

  private Sampling() {}

  /**
   * {@code n} samples as row-major [n, dims] floats (dims = the product of G's output shape); the
   * first n of any larger request.
   */
  public static float[] samples(GeneratorTrainer g, int n) {
    int dims = 1;
    for (long d : g.network().outputShape()) {
      dims = Math.multiplyExact(dims, (int) d);
    }
    float[] out = new float[n * dims];
    for (int chunk = 0, done = 0; done < n; chunk++) {
      int m = Math.min(CHUNK, n - done);
      float[] part =
          Tensors.toFloats(
              g.samples(chunk, CHUNK)
                  .reshape('c', CHUNK, dims)
                  .get(
                      org.nd4j.linalg.indexing.NDArrayIndex.interval(0, m),
                      org.nd4j.linalg.indexing.NDArrayIndex.all()));
      System.arraycopy(part, 0, out, done * dims, m * dims);
      done += m;
    }
    return out;
  }
}
