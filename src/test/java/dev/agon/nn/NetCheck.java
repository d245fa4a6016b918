package dev.agon.nn;

import dev.agon.tensor.Noise;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Finite-difference helpers for {@link Network}s (DOUBLE).
 *
 * <p>Central differences with step {@value #H}, and where an entry fails, again with {@code H/10}
 * (the better of the two counts). The losses here sum hundreds of outputs through ReLUs: with
 * {@link GradCheck#H} (1e-6) their rounding error alone reaches a relative 1e-6 on small entries,
 * while a larger step now and then moves a pre-activation across 0 (a kink), which a smaller step
 * avoids; a wrong gradient fails at both steps. Entries are compared relative to {@code |a| + |n|},
 * but at least {@code 1e-3} times the largest analytic entry (an entry a thousand times smaller
 * than the largest is checked to that absolute precision).
 */
final class NetCheck {
  private NetCheck() {}

  static final double H = 1e-5;

  /** Largest relative error between {@code analytic} and the numerical gradient of f wrt x. */
  static double maxRelError(INDArray x, INDArray analytic, java.util.function.DoubleSupplier f) {
    return maxRelError(x, analytic, f, H);
  }

  /** {@link #maxRelError(INDArray, INDArray, java.util.function.DoubleSupplier)} with step h. */
  static double maxRelError(
      INDArray x, INDArray analytic, java.util.function.DoubleSupplier f, double h) {
    double floor = Math.max(1e-7, 1e-3 * maxAbs(analytic));
    double worst = 0;
    for (long i = 0; i < x.length(); i++) {
      double a = analytic.getDouble(i);
      double err = error(x, i, a, f, h, floor);
      if (err > 1e-7) {
        err = Math.min(err, error(x, i, a, f, h / 10, floor));
      }
      worst = Math.max(worst, err);
    }
    return worst;
  }

  private static double error(
      INDArray x, long i, double a, java.util.function.DoubleSupplier f, double h, double floor) {
    double orig = x.getDouble(i);
    x.putScalar(i, orig + h);
    double plus = f.getAsDouble();
    x.putScalar(i, orig - h);
    double minus = f.getAsDouble();
    x.putScalar(i, orig);
    double numeric = (plus - minus) / (2 * h);
    return Math.abs(a - numeric) / Math.max(floor, Math.abs(a) + Math.abs(numeric));
  }

  static INDArray gaussian(DataType t, long key, long... shape) {
    INDArray a = Nd4j.create(t, shape);
    Noise.gaussian(a, 1234, 77, key);
    return a;
  }

  static long[] batched(int batch, long[] shape) {
    return Shapes.batched(batch, shape);
  }

  /** {@code sum(net(x) * r)}: its gradient w.r.t. the output is {@code r}. */
  static double loss(Network net, INDArray x, INDArray r) {
    return net.forward(x).mul(r).sumNumber().doubleValue();
  }

  /** {@code <dT, J v>} at x with the current parameters. */
  static double tangentLoss(Network net, INDArray x, INDArray v, INDArray dT) {
    net.forward(x);
    return net.jvp(v).mul(dT).sumNumber().doubleValue();
  }

  /** Relative error of the parameter and input gradients of {@link #loss}, {err_params, err_x}. */
  static double[] gradientErrors(Network net, INDArray x, INDArray r) {
    net.forward(x);
    INDArray dx = net.backward(r, true, true).dup();
    INDArray grads = net.grads().dup();
    double ep = net.numParams() == 0 ? 0 : maxRelError(net.params(), grads, () -> loss(net, x, r));
    double ex = maxRelError(x, dx, () -> loss(net, x, r));
    return new double[] {ep, ex};
  }

  static double maxAbsDiff(INDArray a, INDArray b) {
    return a.castTo(DataType.DOUBLE)
        .sub(b.castTo(DataType.DOUBLE))
        .reshape(a.length())
        .amaxNumber()
        .doubleValue();
  }

  static double maxAbs(INDArray a) {
    return a.castTo(DataType.DOUBLE).reshape(a.length()).amaxNumber().doubleValue();
  }
}
