package dev.agon.objective;

import java.util.function.DoubleSupplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Central finite differences in DOUBLE for the objective tests. */
final class FiniteDifferences {
  private FiniteDifferences() {}

  /**
   * Largest relative error {@code |a - n| / max(floor, |a| + |n|)} between {@code analytic} and the
   * central difference of {@code f} w.r.t. each element of {@code x} (step {@code h}).
   */
  static double maxRelError(
      INDArray x, INDArray analytic, DoubleSupplier f, double h, double floor) {
    double worst = 0;
    for (long i = 0; i < x.length(); i++) {
      double orig = x.getDouble(i);
      x.putScalar(i, orig + h);
      double plus = f.getAsDouble();
      x.putScalar(i, orig - h);
      double minus = f.getAsDouble();
      x.putScalar(i, orig);
      double numeric = (plus - minus) / (2 * h);
      double a = analytic.getDouble(i);
      worst =
          Math.max(worst, Math.abs(a - numeric) / Math.max(floor, Math.abs(a) + Math.abs(numeric)));
    }
    return worst;
  }

  static double maxRelError(INDArray x, INDArray analytic, DoubleSupplier f) {
    return maxRelError(x, analytic, f, 1e-6, 1e-9);
  }
}
