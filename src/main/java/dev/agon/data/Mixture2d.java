package dev.agon.data;

import dev.agon.tensor.Seeds;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Seeded 2-D Gaussian mixtures with the geometry of the VEEGAN (Srivastava et al. 2017), PacGAN and
 * GDPP tables: equal-weight isotropic components. Sampling is a pure function of (seed, batch
 * index), so there are no epochs (the epoch of every batch is 0).
 */
public final class Mixture2d implements BatchSource {
  private final double[][] centres;
  private final double std;
  private final long seed;

  public Mixture2d(double[][] centres, double std, long seed) {
    if (centres.length == 0 || std <= 0) {
      throw new IllegalArgumentException("a mixture needs >= 1 centre and std > 0");
    }
    this.centres = centres.clone();
    this.std = std;
    this.seed = seed;
  }

  /**
   * {@code modes} centres on a circle of {@code radius} at angles 2πk/modes, k = 0..modes−1. (Not
   * linspace(0, 2π, modes), which repeats the first centre and leaves modes−1 distinct ones.)
   */
  public static Mixture2d ring(int modes, double radius, double std, long seed) {
    double[][] c = new double[modes][];
    for (int k = 0; k < modes; k++) {
      double a = 2 * Math.PI * k / modes;
      c[k] = new double[] {radius * Math.cos(a), radius * Math.sin(a)};
    }
    return new Mixture2d(c, std, seed);
  }

  /** side × side centres at spacing·(i − (side−1)/2); side 5, spacing 2 gives {−4,−2,0,2,4}². */
  public static Mixture2d grid(int side, double spacing, double std, long seed) {
    double[][] c = new double[side * side][];
    double off = (side - 1) / 2.0;
    for (int i = 0; i < side; i++) {
      for (int j = 0; j < side; j++) {
        c[i * side + j] = new double[] {spacing * (i - off), spacing * (j - off)};
      }
    }
    return new Mixture2d(c, std, seed);
  }

  public double[][] centres() {
    double[][] out = new double[centres.length][];
    for (int i = 0; i < centres.length; i++) {
      out[i] = centres[i].clone();
    }
    return out;
  }

  public double std() {
    return std;
  }

  @Override
  public int dims() {
    return 2;
  }

  @Override
  public Batch batch(long index, int batchSize) {
    float[] xy = sample(index, batchSize);
    return new Batch(index, 0, Nd4j.create(xy, new long[] {batchSize, 2}, DataType.FLOAT));
  }

  /** Row-major [n, 2] samples of batch {@code index}; plain Java (ND4J ops cost more here). */
  public float[] sample(long index, int n) {
    SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, Seeds.STREAM_DATA, index));
    float[] xy = new float[2 * n];
    for (int i = 0; i < n; i++) {
      double[] c = centres[rng.nextInt(centres.length)];
      xy[2 * i] = (float) (c[0] + std * gaussian(rng));
      xy[2 * i + 1] = (float) (c[1] + std * gaussian(rng));
    }
    return xy;
  }

  /** Marsaglia polar method: exact N(0,1) from a SplittableRandom, no hidden cached state. */
  private static double gaussian(SplittableRandom rng) {
    double u;
    double v;
    double s;
    do {
      u = 2 * rng.nextDouble() - 1;
      v = 2 * rng.nextDouble() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s == 0);
    return u * Math.sqrt(-2 * Math.log(s) / s);
  }
}
