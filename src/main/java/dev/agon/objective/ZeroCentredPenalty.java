package dev.agon.objective;

import dev.agon.nn.Network;
import dev.agon.tensor.DenseAccess;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A zero-centred gradient penalty of Mescheder et al., "Which Training Methods for GANs do actually
 * Converge?", ICML 2018, Eq. 9 and 10: R1 on real rows, R2 on fake rows. For rows {@code x_i} (i =
 * 1..B) and {@code g_i = grad_x D(x_i)}:
 *
 * <pre>
 * P = s gamma / (2B) * sum_i ||g_i||^2
 * </pre>
 *
 * where {@code s} is the caller's scale (1; N for lazy application every N D updates, as StyleGAN2
 * does, so that the penalty's average over updates stays that of the eager one).
 *
 * <p><b>The exact parameter gradient.</b> The argument of {@link GradientPenalty} with {@code
 * dP/dg_i = (s gamma / B) g_i} in place of the WGAN-GP coefficient: for a piecewise-linear D the
 * activation masks are fixed around almost every {@code x_i}, {@code g_i(theta)} is a polynomial in
 * the weights, and with {@code v_i = (s gamma / B) g_i} held fixed, {@code d/dtheta sum_i
 * J_i(theta) v_i = dP/dtheta}, which {@link Network#jvp} followed by {@link Network#jvpBackward}
 * computes. Nothing is drawn: the penalty needs no randomness, so a resumed run repeats it exactly.
 *
 * <p><b>Order of calls.</b> As {@link GradientPenalty}: after the loss's backward (its own forward
 * overwrites D's saved forward state), accumulating into {@code critic.grads()}, before the
 * optimizer step.
 *
 * <p><b>Cost and buffers.</b> One forward and one input-gradient backward over B rows, one tangent
 * pass and one parameter backward: about twice a D step's cost on the penalised rows; the norms are
 * a Java loop in double. Buffers are reused while the batch size and D's shape and type stay. Not
 * thread-safe: one owner.
 */
public final class ZeroCentredPenalty {
  private final double gamma;
  private int batch = -1;
  private DataType dtype;
  private long[] sampleShape;
  private INDArray tangent;
  private INDArray ones;
  private double[] g;

  /** A penalty of weight {@code gamma} (finite, at least 0). */
  public ZeroCentredPenalty(double gamma) {
    if (!(gamma >= 0) || Double.isInfinite(gamma)) {
      throw new IllegalArgumentException("gamma must be finite and >= 0: " + gamma);
    }
    this.gamma = gamma;
  }

  public double gamma() {
    return gamma;
  }

  /**
   * Computes the penalty at the rows of {@code x} ({@code [B, critic.inputShape()...]}, the
   * critic's dtype; not modified) weighted {@code scale} times and adds its gradient into {@code
   * critic.grads()}; returns {@code P}. Overwrites the critic's forward state.
   *
   * @throws IllegalArgumentException when the critic is not piecewise linear, has more than one
   *     output per sample, or the shapes do not fit
   */
  public double apply(Network critic, INDArray x, double scale) {
    return run(critic, x, scale, true);
  }

  /** Like {@link #apply} with scale 1, but leaves the gradients untouched. */
  public double evaluate(Network critic, INDArray x) {
    return run(critic, x, 1.0, false);
  }

  private double run(Network critic, INDArray x, double scale, boolean addGradient) {
    check(critic, x);
    int rows = (int) x.size(0);
    ensureBuffers(critic, rows);
    critic.forward(x);
    DenseAccess.read(critic.backward(ones, false, true), g);
    double sumSq = 0;
    for (double v : g) {
      sumSq += v * v;
    }
    double weight = scale * gamma;
    if (addGradient && weight != 0) {
      double c = weight / rows;
      for (int j = 0; j < g.length; j++) {
        g[j] *= c;
      }
      DenseAccess.write(tangent, g);
      critic.jvp(tangent);
      critic.jvpBackward(ones);
    }
    return weight / 2 * sumSq / rows;
  }

  private static void check(Network critic, INDArray x) {
    if (!critic.piecewiseLinear()) {
      throw new IllegalArgumentException(
          "R1/R2 need a piecewise-linear discriminator (linear or convolution layers with"
              + " identity, ReLU or leaky-ReLU activations, no batch norm, no dropout); got "
              + critic.getClass().getSimpleName());
    }
    long outPerSample = 1;
    for (long s : critic.outputShape()) {
      outPerSample *= s;
    }
    if (outPerSample != 1) {
      throw new IllegalArgumentException(
          "D must output one value per sample, got " + Arrays.toString(critic.outputShape()));
    }
    long[] in = critic.inputShape();
    if (x.rank() != in.length + 1
        || x.size(0) < 1
        || !Arrays.equals(Arrays.copyOfRange(x.shape(), 1, x.rank()), in)) {
      throw new IllegalArgumentException(
          "batch must be [B, " + Arrays.toString(in) + "...], got " + Arrays.toString(x.shape()));
    }
    if (x.dataType() != critic.dtype()) {
      throw new IllegalArgumentException(
          "batch must be " + critic.dtype() + ", got " + x.dataType());
    }
    if (x.length() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("batch too large: " + x.length() + " values");
    }
  }

  private void ensureBuffers(Network critic, int rows) {
    long[] in = critic.inputShape();
    if (rows == batch && critic.dtype() == dtype && Arrays.equals(in, sampleShape)) {
      return;
    }
    batch = rows;
    dtype = critic.dtype();
    sampleShape = in;
    long[] shape = new long[in.length + 1];
    shape[0] = rows;
    System.arraycopy(in, 0, shape, 1, in.length);
    tangent = Nd4j.create(dtype, shape);
    long[] out = critic.outputShape();
    long[] outShape = new long[out.length + 1];
    outShape[0] = rows;
    System.arraycopy(out, 0, outShape, 1, out.length);
    ones = Nd4j.ones(dtype, outShape);
    g = new double[(int) tangent.length()];
  }

  @Override
  public String toString() {
    return "ZeroCentredPenalty[gamma=" + gamma + "]";
  }
}
