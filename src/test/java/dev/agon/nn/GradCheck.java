package dev.agon.nn;

import dev.agon.tensor.Tolerance;
import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Central finite differences in DOUBLE for losses {@code sum(terms)}, with the bound derived in
 * {@link Tolerance#finiteDifferenceRatio}.
 */
final class GradCheck {
  private GradCheck() {}

  /**
   * The step: small for few kinks, large enough that rounding stays far below 1e-4 of a gradient.
   */
  static final double H = 1e-6;

  /**
   * Ratio of the worst {@code |analytic - numeric|} to its bound (below 1 passes) for the loss
   * {@code sum(terms.get())}, differentiated w.r.t. {@code x}. {@code n}: the number of terms along
   * the loss's longest chain of sums, see {@link #terms}.
   */
  static double errorRatio(INDArray x, INDArray analytic, Supplier<INDArray> terms, long n) {
    return errorRatio(x, analytic, terms, n, H);
  }

  /** {@link #errorRatio(INDArray, INDArray, Supplier, long)} with step h. */
  static double errorRatio(
      INDArray x, INDArray analytic, Supplier<INDArray> terms, long n, double h) {
    return errorRatio(x, analytic, terms, n, h, 0);
  }

  /**
   * The rounding scale of the loss, to first order: {@code sum |terms|} (the loss itself may cancel
   * to near 0), plus {@code sum |x_i a_i|} over the checked array and {@code scale} (the same sum
   * over another array, e.g. the parameters when x is the input). For a weight w in a sum {@code s
   * = sum_i w_i z_i}, {@code |w_i dL/dw_i| = |dL/ds| |w_i z_i|}: these sums add up every product a
   * layer adds, weighted by how much an error in its sum moves the loss, which is what the rounding
   * of that sum costs the loss (even where the output is small).
   */
  static double errorRatio(
      INDArray x, INDArray analytic, Supplier<INDArray> terms, long n, double h, double scale) {
    double abs = Tolerance.absSum(terms.get()) + Tolerance.absSum(x.mul(analytic)) + scale;
    Tolerance.Loss loss = new Tolerance.Loss(() -> terms.get().sumNumber().doubleValue(), abs, n);
    return Tolerance.finiteDifferenceRatio(x, analytic, loss, h);
  }

  /**
   * A bound on the fan-ins along a loss's chain of sums: every sum adds values out of the arrays
   * involved (parameters, inputs, reference batches, activations, outputs), so their total count is
   * at least the terms added up along any path.
   */
  static long terms(INDArray... involved) {
    long n = 0;
    for (INDArray a : involved) {
      n += a == null ? 0 : a.length();
    }
    return n;
  }
}
