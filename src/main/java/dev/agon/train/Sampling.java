package dev.agon.train;

import dev.agon.tensor.Tensors;

/** Generator samples for export and evaluation, reproducible from the run seed alone. */
public final class Sampling {
  /**
   * Samples of low-dimensional data are drawn in chunks of this many; chunk c uses noise index c of
   * the samples stream.
   */
  public static final int CHUNK = 10_000;

  /**
   * Chunk size for images: it bounds the generator's activation buffers (a DCGAN's widest layer
   * holds about 12,500 floats per sample, 13 MB per buffer at 256). The generator runs in training
   * mode, so batch norm normalises each chunk with its own statistics, as the DCGAN reference code
   * does for its sample grids; the chunk size is therefore part of what a sample is.
   */
  public static final int IMAGE_CHUNK = 256;

  private Sampling() {}

  /** {@link #CHUNK} for data of up to 16 dimensions, else {@link #IMAGE_CHUNK}. */
  public static int chunkSize(int dims) {
    return dims <= 16 ? CHUNK : IMAGE_CHUNK;
  }

  /**
   * {@code n} samples as row-major [n, dims] floats (dims = the product of G's output shape); the
   * first n of any larger request.
   */
  public static float[] samples(GeneratorTrainer g, int n) {
    int dims = 1;
    for (long d : g.network().outputShape()) {
      dims = Math.multiplyExact(dims, (int) d);
    }
    int size = chunkSize(dims);
    float[] out = new float[Math.multiplyExact(n, dims)];
    for (int chunk = 0, done = 0; done < n; chunk++) {
      int m = Math.min(size, n - done);
      float[] part =
          Tensors.toFloats(
              g.samples(chunk, size)
                  .reshape('c', size, dims)
                  .get(
                      org.nd4j.linalg.indexing.NDArrayIndex.interval(0, m),
                      org.nd4j.linalg.indexing.NDArrayIndex.all()));
      System.arraycopy(part, 0, out, done * dims, m * dims);
      done += m;
    }
    return out;
  }

  /**
   * InfoGAN: {@code perValue} samples of each categorical code value, value-major ([K * perValue,
   * dims] floats, row v of a grid = value v). Sample j of every value has the same z and continuous
   * codes. Chunk c holds columns of every value (noise index c, {@code max(1, chunk / K)} columns,
   * so a chunk stays about the size {@link #samples} uses): the values share G's batch statistics.
   */
  public static float[] samplesByCategory(GeneratorTrainer g, int perValue) {
    int k = g.categoricalValues();
    if (k == 0) {
      throw new IllegalArgumentException("the generator has no categorical code");
    }
    int dims = 1;
    for (long d : g.network().outputShape()) {
      dims = Math.multiplyExact(dims, (int) d);
    }
    int columns = Math.max(1, chunkSize(dims) / k);
    float[] out = new float[Math.multiplyExact(Math.multiplyExact(k, perValue), dims)];
    for (int chunk = 0, done = 0; done < perValue; chunk++) {
      int m = Math.min(columns, perValue - done);
      float[] part = Tensors.toFloats(g.samplesByCategory(chunk, columns));
      for (int v = 0; v < k; v++) {
        System.arraycopy(part, v * columns * dims, out, (v * perValue + done) * dims, m * dims);
      }
      done += m;
    }
    return out;
  }

  /**
   * {@code n} samples of class (or categorical value) {@code c}: block {@code c} of {@link
   * #samplesByCategory}, so G's batches hold every class as they do for the grid. Costs K times the
   * samples kept.
   */
  public static float[] samplesOfClass(GeneratorTrainer g, int n, int c) {
    int k = g.categoricalValues();
    if (c < 0 || c >= k) {
      throw new IllegalArgumentException("class " + c + " outside [0, " + k + ")");
    }
    float[] all = samplesByCategory(g, n);
    int per = all.length / k;
    return java.util.Arrays.copyOfRange(all, c * per, (c + 1) * per);
  }
}
