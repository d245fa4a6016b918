package dev.agon.engine;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The divergence test each player runs after every update: a non-finite loss, or parameters with a
 * NaN or an infinity (a non-finite gradient reaches the parameters through the optimizer step, so
 * this covers gradients too). Cost: one reduction over the parameters per update.
 */
final class Divergence {
  private Divergence() {}

  /** Why the update diverged, or null when loss and parameters are finite. */
  static String check(double loss, INDArray params) {
    if (!Double.isFinite(loss)) {
      return "loss is " + loss;
    }
    // A sum is finite only when every term is (it may also overflow for huge finite values,
    // which is divergence as well).
    double sum = params.sumNumber().doubleValue();
    if (!Double.isFinite(sum)) {
      return "parameters are not finite (sum " + sum + ")";
    }
    return null;
  }
}
