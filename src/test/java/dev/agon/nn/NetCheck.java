package dev.agon.nn;

import dev.agon.tensor.Noise;
import dev.agon.tensor.Tolerance;
import java.util.function.Supplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Finite-difference helpers for {@link Network}s (DOUBLE), with the bound derived in {@link
 * Tolerance#finiteDifferenceRatio}.
 *
 * <p>Step {@value #H}: the losses here run through convolutions and batch norm with fan-ins in the
 * hundreds, whose rounding bound divided by a step of 1e-6 would come near the gradients
 * themselves; 1e-5 keeps it below 1e-4 of them.
 */
final class NetCheck {
  private NetCheck() {}

  static final double H = 1e-5;

  /** Error ratio (below 1 passes) of {@code analytic} against the loss {@code sum(terms)}. */
  static double errorRatio(INDArray x, INDArray analytic, Supplier<INDArray> terms, long n) {
    return GradCheck.errorRatio(x, analytic, terms, n, H);
  }

  /** {@link #errorRatio(INDArray, INDArray, Supplier, long)} with step h. */
  static double errorRatio(
      INDArray x, INDArray analytic, Supplier<INDArray> terms, long n, double h) {
    return GradCheck.errorRatio(x, analytic, terms, n, h);
  }

  /**
   * The fan-ins along {@code net}'s chain of sums are at most its parameters, its input and every
   * layer's output (after a forward pass of x), plus the loss's own sum over the output.
   */
  static long terms(Network net, INDArray x) {
    net.forward(x);
    long n = net.numParams() + x.length();
    for (int i = 0; i < net.numLayers(); i++) {
      n += net.activation(i).length();
    }
    return n;
  }

  static INDArray gaussian(DataType t, long key, long... shape) {
    INDArray a = Nd4j.create(t, shape);
    Noise.gaussian(a, 1234, 77, key);
    return a;
  }

  static long[] batched(int batch, long[] shape) {
    return Shapes.batched(batch, shape);
  }

  /** The terms of {@code sum(net(x) * r)}: its gradient w.r.t. the output is {@code r}. */
  static INDArray loss(Network net, INDArray x, INDArray r) {
    return net.forward(x).mul(r);
  }

  /** The terms of {@code <dT, J v>} at x with the current parameters. */
  static INDArray tangentLoss(Network net, INDArray x, INDArray v, INDArray dT) {
    net.forward(x);
    return net.jvp(v).mul(dT);
  }

  /**
   * Error ratios (below 1 passes) of the parameter and input gradients of {@link #loss}, {params,
   * x}.
   */
  static double[] gradientErrors(Network net, INDArray x, INDArray r) {
    long n = terms(net, x);
    net.forward(x);
    INDArray dx = net.backward(r, true, true).dup();
    INDArray grads = net.grads().dup();
    // each check's rounding scale includes the other array's |x_i a_i| (GradCheck#errorRatio)
    double sp = net.numParams() == 0 ? 0 : Tolerance.absSum(net.params().mul(grads));
    double sx = Tolerance.absSum(x.mul(dx));
    double ep =
        net.numParams() == 0
            ? 0
            : GradCheck.errorRatio(net.params(), grads, () -> loss(net, x, r), n, H, sx);
    double ex = GradCheck.errorRatio(x, dx, () -> loss(net, x, r), n, H, sp);
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
