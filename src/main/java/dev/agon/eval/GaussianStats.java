package dev.agon.eval;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * Mean vector and covariance of a feature set, in double: the sufficient statistics of the Fréchet
 * distance (Heusel et al. 2017). The covariance is the unbiased one (divides by N − 1, as {@code
 * numpy.cov}); it is accumulated from mean-centred rows in blocks of {@value #ROWS_PER_BLOCK} rows
 * with EJML ({@code multAddTransA}), so memory is O(D² + 256·D). Cost O(N·D²).
 *
 * <p>Serialised form ({@link #write}/{@link #read}), all little-endian: the 8 ASCII bytes {@code
 * AGONGS01}, int32 D, int64 N, then D doubles of the mean and D·D doubles of the covariance in
 * row-major order. The arrays are copied in and out, so an instance is immutable.
 */
public final class GaussianStats {
  static final int ROWS_PER_BLOCK = 256;
  private static final byte[] MAGIC = "AGONGS01".getBytes(StandardCharsets.US_ASCII);

  private final double[] mean;
  private final double[] covariance; // row-major D×D
  private final long count;

  private GaussianStats(double[] mean, double[] covariance, long count) {
    this.mean = mean;
    this.covariance = covariance;
    this.count = count;
  }

  /**
   * Statistics given directly (e.g. exact ones for tests or cached ones).
   *
   * @param mean the D-vector μ
   * @param covariance D×D symmetric Σ (symmetry is checked to a relative 1e-9)
   * @param count samples they were estimated from (informational; ≥ 0)
   */
  public static GaussianStats of(double[] mean, double[][] covariance, long count) {
    int d = mean.length;
    if (d == 0) {
      throw new IllegalArgumentException("mean must have at least one entry");
    }
    if (covariance.length != d) {
      throw new IllegalArgumentException(
          "covariance has " + covariance.length + " rows, mean has " + d + " entries");
    }
    if (count < 0) {
      throw new IllegalArgumentException("count must be non-negative, got " + count);
    }
    double[] flat = new double[d * d];
    for (int i = 0; i < d; i++) {
      if (covariance[i].length != d) {
        throw new IllegalArgumentException(
            "covariance row " + i + " has " + covariance[i].length + " columns, expected " + d);
      }
      System.arraycopy(covariance[i], 0, flat, i * d, d);
    }
    return checked(mean.clone(), flat, count);
  }

  /** Estimates the statistics of [N, D] features (N ≥ 2). */
  public static GaussianStats of(double[][] features) {
    int d = EvalArrays.columns("features", features);
    int n = features.length;
    if (n < 2) {
      throw new IllegalArgumentException("need at least 2 samples for a covariance, got " + n);
    }
    double[] mu = new double[d];
    for (double[] row : features) {
      for (int j = 0; j < d; j++) {
        mu[j] += row[j];
      }
    }
    for (int j = 0; j < d; j++) {
      mu[j] /= n;
    }
    DMatrixRMaj cov = new DMatrixRMaj(d, d);
    for (int r0 = 0; r0 < n; r0 += ROWS_PER_BLOCK) {
      int r1 = Math.min(n, r0 + ROWS_PER_BLOCK);
      DMatrixRMaj block = new DMatrixRMaj(r1 - r0, d);
      for (int i = r0; i < r1; i++) {
        for (int j = 0; j < d; j++) {
          block.data[(i - r0) * d + j] = features[i][j] - mu[j];
        }
      }
      CommonOps_DDRM.multAddTransA(block, block, cov);
    }
    CommonOps_DDRM.scale(1.0 / (n - 1), cov);
    // Exact symmetry (the blocked product is symmetric up to rounding).
    for (int i = 0; i < d; i++) {
      for (int j = i + 1; j < d; j++) {
        double v = 0.5 * (cov.get(i, j) + cov.get(j, i));
        cov.set(i, j, v);
        cov.set(j, i, v);
      }
    }
    return new GaussianStats(mu, cov.data, n);
  }

  /** Estimates the statistics of row-major [N, D] float features. */
  public static GaussianStats of(float[] features, int d) {
    return of(EvalArrays.rows(features, d));
  }

  private static GaussianStats checked(double[] mean, double[] cov, long count) {
    int d = mean.length;
    for (int i = 0; i < d; i++) {
      if (!Double.isFinite(mean[i])) {
        throw new IllegalArgumentException("mean[" + i + "] is not finite: " + mean[i]);
      }
    }
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < d; j++) {
        double a = cov[i * d + j];
        double b = cov[j * d + i];
        if (!Double.isFinite(a)) {
          throw new IllegalArgumentException(
              "covariance[" + i + "][" + j + "] is not finite: " + a);
        }
        if (Math.abs(a - b) > 1e-9 * Math.max(1.0, Math.max(Math.abs(a), Math.abs(b)))) {
          throw new IllegalArgumentException(
              "covariance is not symmetric at [" + i + "][" + j + "]: " + a + " vs " + b);
        }
      }
    }
    return new GaussianStats(mean, cov, count);
  }

  public int dimension() {
    return mean.length;
  }

  /** Samples the statistics were estimated from. */
  public long count() {
    return count;
  }

  /** A copy of μ. */
  public double[] mean() {
    return mean.clone();
  }

  /** A copy of Σ as D rows. */
  public double[][] covariance() {
    int d = mean.length;
    double[][] c = new double[d][];
    for (int i = 0; i < d; i++) {
      c[i] = Arrays.copyOfRange(covariance, i * d, (i + 1) * d);
    }
    return c;
  }

  /** A copy of Σ as an EJML matrix. */
  DMatrixRMaj covarianceMatrix() {
    int d = mean.length;
    return new DMatrixRMaj(d, d, true, covariance);
  }

  /** Writes the serialised form (see the class comment); does not close the stream. */
  public void write(OutputStream out) throws IOException {
    int d = mean.length;
    ByteBuffer b =
        ByteBuffer.allocate(MAGIC.length + 4 + 8 + 8 * (d + d * d)).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).putInt(d).putLong(count);
    for (double v : mean) {
      b.putDouble(v);
    }
    for (double v : covariance) {
      b.putDouble(v);
    }
    out.write(b.array());
  }

  /** Reads the serialised form written by {@link #write}; does not close the stream. */
  public static GaussianStats read(InputStream in) throws IOException {
    DataInputStream data = new DataInputStream(in);
    byte[] head = new byte[MAGIC.length + 12];
    data.readFully(head);
    ByteBuffer h = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
    byte[] magic = new byte[MAGIC.length];
    h.get(magic);
    if (!Arrays.equals(magic, MAGIC)) {
      throw new IOException("not Gaussian statistics: bad header " + Arrays.toString(magic));
    }
    int d = h.getInt();
    long count = h.getLong();
    if (d <= 0 || d > 46_000) {
      throw new IOException("implausible dimension " + d);
    }
    if (count < 0) {
      throw new IOException("negative sample count " + count);
    }
    byte[] body = new byte[8 * (d + d * d)];
    data.readFully(body);
    ByteBuffer b = ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN);
    double[] mu = new double[d];
    for (int i = 0; i < d; i++) {
      mu[i] = b.getDouble();
    }
    double[] cov = new double[d * d];
    for (int i = 0; i < d * d; i++) {
      cov[i] = b.getDouble();
    }
    try {
      return checked(mu, cov, count);
    } catch (IllegalArgumentException e) {
      throw new IOException("corrupt Gaussian statistics: " + e.getMessage(), e);
    }
  }
}
