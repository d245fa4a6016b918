package dev.agon.nn;

import dev.agon.tensor.Noise;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Finite-difference helpers for {@link Network}s (DOUBLE). Central differences with step {@value
 * #H}: the losses here sum hundreds of outputs, and with {@link GradCheck#H} (1e-6) their rounding
 * error alone reaches a relative 1e-6 on gradient entries of order 1e-4; at 1e-5 the truncation
 * error is still below 1e-9 relative.
 */
final class NetCheck {
  private NetCheck() {}

  static final double H = 1e-5;

  /** Largest relative error between {@code analytic} and the numerical gradient of f wrt x. */
  static double maxRelError(INDArray x, INDArray analytic, java.util.function.DoubleSupplier f) {
    double worst = 0;
    for (long i = 0; i < x.length(); i++) {
      double orig = x.getDouble(i);
      x.putScalar(i, orig + H);
      double plus = f.getAsDouble();
      x.putScalar(i, orig - H);
      double minus = f.getAsDouble();
      x.putScalar(i, orig);
      double numeric = (plus - minus) / (2 * H);
      double a = analytic.getDouble(i);
      double err = Math.abs(a - numeric) / Math.max(1e-7, Math.abs(a) + Math.abs(numeric));
      worst = Math.max(worst, err);
    }
    return worst;
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
