package dev.agon.objective;

import dev.agon.tensor.Tolerance;
import java.util.function.DoubleSupplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Central finite differences in DOUBLE for the objective tests, with the bound derived in {@link
 * Tolerance#finiteDifferenceRatio}.
 */
final class FiniteDifferences {
  private FiniteDifferences() {}

  /** Operations per element in these losses: a product, exp and log1p (softplus), a mean. */
  static final int OPS_PER_TERM = 8;

  /**
   * Ratio of the worst {@code |analytic - numeric|} to its bound (below 1 passes) for the scalar
   * loss f w.r.t. {@code x}, step h; {@code n}: the terms along f's longest chain of sums.
   *
   * <p>The rounding scale: these losses add per-element terms {@code phi(x_i)} (softplus, squares,
   * hinges, products) and means of them. One term's rounding is at most u times its value plus the
   * rounding of its argument times its slope, so the scale is {@code |f| + sum |x_i a_i|} (for
   * one-signed terms |f| is their absolute sum; for terms that cancel, as in Wasserstein's {@code
   * mean(fake) - mean(real)}, the second part is their absolute sum).
   */
  static double errorRatio(INDArray x, INDArray analytic, DoubleSupplier f, double h, long n) {
    double abs = Math.abs(f.getAsDouble()) + Tolerance.absSum(x.mul(analytic));
    return Tolerance.finiteDifferenceRatio(x, analytic, new Tolerance.Loss(f, abs, n), h);
  }

  /** Step 1e-6 and a loss of elementwise terms of x (and means of them). */
  static double errorRatio(INDArray x, INDArray analytic, DoubleSupplier f) {
    return errorRatio(x, analytic, f, 1e-6, x.length() + OPS_PER_TERM);
  }
}
