package dev.agon.objective;

import dev.agon.nn.KernelChoice;
import dev.agon.tensor.DenseAccess;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Feature matching, Salimans et al., "Improved Techniques for Training GANs", NeurIPS 2016, Sec.
 * 3.1: a generator loss that asks the fakes to match the mean of the real data's features on an
 * intermediate layer of the discriminator, instead of maximising D's output:
 *
 * <pre>
 * L_G = || mean_i f(x_i) - mean_j f(G(z_j)) ||_2^2
 * dL_G/df(G(z_j)) = -2 (mean_i f(x_i) - mean_j f(G(z_j))) / B_fake      (the same for every j)
 * </pre>
 *
 * with {@code f} the activations of layer {@link #layer()} of D. The real features are constants
 * (no gradient flows into D or the data). The discriminator keeps training with its usual objective
 * (e.g. {@link StandardGan}, label 1 = REAL); only G's loss changes.
 *
 * <p><b>Use in a generator update.</b> With {@code i = layer()}: run D forward on a real batch and
 * keep {@code D.activation(i).dup()} (the real features; D's buffers are reused by the next
 * forward); run D forward on the fakes {@code G(z)} and take {@code D.activation(i)}; call {@link
 * #generator} to get the loss and {@code dL/df(G(z))}; backpropagate it with {@code
 * D.backwardFrom(i, grad, false, true, false)} (input gradient only: D's parameters are not trained
 * here) and the result through G with {@code G.backward(dx, true, false)}. The generator step
 * therefore needs a real batch too.
 *
 * <p>Stateless apart from the layer index; sums in double over host copies, or with {@link
 * KernelChoice#ND4J_OPS} (the default off the CPU backend) column means and a broadcast row as ND4J
 * ops in the features' dtype (no host copies; the loss read as one {@link DenseAccess#scalar});
 * thread-safe.
 */
public final class FeatureMatching {
  private final int layer;
  private final KernelChoice kernel;

  /** Feature matching on D's layer {@code layer} (0-based, as {@code Network.activation}). */
  public FeatureMatching(int layer) {
    this(layer, KernelChoice.forBackend());
  }

  /** Like {@link #FeatureMatching(int)} on the given kernel. */
  public FeatureMatching(int layer, KernelChoice kernel) {
    this.kernel = java.util.Objects.requireNonNull(kernel, "kernel");
    if (layer < 0) {
      throw new IllegalArgumentException("layer must be >= 0: " + layer);
    }
    this.layer = layer;
  }

  /** The index of D's layer whose activations are matched. */
  public int layer() {
    return layer;
  }

  /**
   * The loss {@code ||mean f_real - mean f_fake||^2}; writes its gradient w.r.t. {@code
   * fakeFeatures} into {@code gradFake} (same shape and type as {@code fakeFeatures}, may be a
   * view). {@code realFeatures} is {@code [B_real, ...]} and {@code fakeFeatures} {@code [B_fake,
   * ...]} with the same per-sample shape (FLOAT or DOUBLE; the batch sizes may differ); neither is
   * modified.
   */
  public double generator(INDArray realFeatures, INDArray fakeFeatures, INDArray gradFake) {
    check(realFeatures, fakeFeatures, gradFake);
    int nr = (int) realFeatures.size(0);
    int nf = (int) fakeFeatures.size(0);
    int d = (int) (fakeFeatures.length() / nf);
    if (kernel == KernelChoice.ND4J_OPS) {
      return generatorOps(realFeatures, fakeFeatures, gradFake, nr, nf, d);
    }
    double[] diff = columnMeans(realFeatures, nr, d);
    double[] meanFake = columnMeans(fakeFeatures, nf, d);
    double loss = 0;
    for (int k = 0; k < d; k++) {
      double e = diff[k] - meanFake[k];
      loss += e * e;
      diff[k] = -2.0 * e / nf;
    }
    writeRows(gradFake, diff, nf);
    return loss;
  }

  /** {@link #generator}'s sums as ND4J ops on {@code [B, d]} views. */
  private static double generatorOps(
      INDArray real, INDArray fake, INDArray gradFake, int nr, int nf, int d) {
    INDArray e = real.reshape('c', nr, d).mean(0).subi(fake.reshape('c', nf, d).mean(0));
    double loss = DenseAccess.scalar(e.mul(e).sum());
    INDArray row = e.muli(-2.0 / nf).reshape(1, d);
    boolean dense = DenseAccess.isDense(gradFake);
    INDArray g = dense ? gradFake.reshape('c', nf, d) : Nd4j.create(gradFake.dataType(), nf, d);
    g.assign(0).addiRowVector(row);
    if (!dense) {
      gradFake.assign(g.reshape('c', gradFake.shape()));
    }
    return loss;
  }

  private static void check(INDArray real, INDArray fake, INDArray grad) {
    if (real.rank() < 2 || fake.rank() < 2 || real.size(0) < 1 || fake.size(0) < 1) {
      throw new IllegalArgumentException(
          "features must be [B, ...] with B >= 1, got "
              + Arrays.toString(real.shape())
              + " and "
              + Arrays.toString(fake.shape()));
    }
    long[] rs = real.shape();
    long[] fs = fake.shape();
    if (!Arrays.equals(
        Arrays.copyOfRange(rs, 1, rs.length), Arrays.copyOfRange(fs, 1, fs.length))) {
      throw new IllegalArgumentException(
          "real and fake features differ per sample: "
              + Arrays.toString(rs)
              + " vs "
              + Arrays.toString(fs));
    }
    if (!Arrays.equals(grad.shape(), fs) || grad.dataType() != fake.dataType()) {
      throw new IllegalArgumentException(
          "gradient must match the fake features: "
              + grad.dataType()
              + " "
              + Arrays.toString(grad.shape())
              + " vs "
              + fake.dataType()
              + " "
              + Arrays.toString(fs));
    }
    if (real.length() > Integer.MAX_VALUE || fake.length() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("features too large");
    }
  }

  /** Mean over the rows of {@code f} viewed as {@code [rows, d]}, summed in double. */
  private static double[] columnMeans(INDArray f, int rows, int d) {
    INDArray dense = DenseAccess.isDense(f) ? f : f.dup('c');
    double[] m = new double[d];
    if (dense.dataType() == DataType.FLOAT) {
      FloatBuffer v = DenseAccess.floatBuffer(dense);
      for (int i = 0, p = 0; i < rows; i++) {
        for (int k = 0; k < d; k++, p++) {
          m[k] += v.get(p);
        }
      }
    } else {
      DoubleBuffer v = DenseAccess.doubleBuffer(dense);
      for (int i = 0, p = 0; i < rows; i++) {
        for (int k = 0; k < d; k++, p++) {
          m[k] += v.get(p);
        }
      }
    }
    for (int k = 0; k < d; k++) {
      m[k] /= rows;
    }
    return m;
  }

  /** Writes {@code row} into every one of the {@code rows} rows of {@code out}. */
  private static void writeRows(INDArray out, double[] row, int rows) {
    INDArray dense = DenseAccess.isDense(out) ? out : Nd4j.create(out.dataType(), out.shape());
    int d = row.length;
    if (dense.dataType() == DataType.FLOAT) {
      FloatBuffer v = DenseAccess.floatBuffer(dense);
      for (int i = 0, p = 0; i < rows; i++) {
        for (int k = 0; k < d; k++, p++) {
          v.put(p, (float) row[k]);
        }
      }
    } else {
      DoubleBuffer v = DenseAccess.doubleBuffer(dense);
      for (int i = 0, p = 0; i < rows; i++) {
        for (int k = 0; k < d; k++, p++) {
          v.put(p, row[k]);
        }
      }
    }
    if (dense != out) {
      out.assign(dense);
    }
  }

  @Override
  public String toString() {
    return "FeatureMatching[layer=" + layer + "]";
  }
}
