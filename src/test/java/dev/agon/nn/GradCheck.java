package dev.agon.nn;

import java.util.function.DoubleSupplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Central finite differences in DOUBLE. */
final class GradCheck {
  private GradCheck() {}

  static final double H = 1e-6;

  /** Largest relative error between {@code analytic} and the numerical gradient of f wrt x. */
  static double maxRelError(INDArray x, INDArray analytic, DoubleSupplier f) {
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
}
