package dev.agon.tensor;

import java.util.function.DoubleSupplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Test tolerances derived from floating-point arithmetic, not tuned on one CPU.
 *
 * <p>OpenBLAS picks its kernels per CPU (or from {@code OPENBLAS_CORETYPE}), and kernels differ in
 * blocking and SIMD width, so they add the terms of a sum in different orders and results differ in
 * their last bits from one machine to the next. A tolerance that holds on every machine bounds the
 * rounding of any order: for a sum (or dot product) of {@code n} terms, {@code |fl(sum) - sum| <=
 * gamma(n) * sum|terms|} with {@code gamma(n) = n u / (1 - n u)} (Higham, "Accuracy and Stability
 * of Numerical Algorithms", 2nd ed., 3.1), {@code u} the unit roundoff ({@code 2^-53} in DOUBLE,
 * {@code 2^-24} in FLOAT). The same bound covers a chain of sums (a network) with {@code n} the
 * number of terms along the chain (the fan-ins added up), to first order. Typical errors are about
 * {@code sqrt(n) u}; the bound is the worst case, which is what makes it hold for every kernel.
 */
public final class Tolerance {
  private Tolerance() {}

  /** Unit roundoff: the largest relative error of one rounded operation (half an ulp of 1). */
  public static double unitRoundoff(DataType t) {
    return switch (t) {
      case DOUBLE -> 0x1p-53;
      case FLOAT -> 0x1p-24;
      case HALF -> 0x1p-11;
      case BFLOAT16 -> 0x1p-8;
      default -> throw new IllegalArgumentException("not a floating-point type: " + t);
    };
  }

  /** {@code n u / (1 - n u)}: the relative error bound of a sum of {@code n} terms, any order. */
  public static double gamma(long n, DataType t) {
    double nu = Math.max(n, 1) * unitRoundoff(t);
    if (nu >= 0.5) {
      throw new IllegalArgumentException(n + " terms in " + t + ": no useful rounding bound");
    }
    return nu / (1 - nu);
  }

  /** Bound on the rounding error of a sum of {@code n} terms whose absolute values sum to abs. */
  public static double sum(long n, double abs, DataType t) {
    return gamma(n, t) * abs;
  }

  /**
   * Bound on a closed-form DOUBLE result after {@code ops} rounded operations along its longest
   * chain (each a correctly rounded op or a libm call within 1 ulp, 2u; count those of the expected
   * value's formula too, and one for a decimal literal). {@code scale}: the result's magnitude, or
   * {@code sum |terms|} where it adds terms that may cancel (an exact 0 still has a scale).
   */
  public static double ops(int ops, double scale) {
    return gamma(2L * ops, DataType.DOUBLE) * Math.abs(scale);
  }

  /**
   * Bound on the difference between a FLOAT computation and the same computation in DOUBLE: the
   * inputs are rounded to FLOAT (one more operation) and both results carry the sum bound over
   * {@code n} terms whose absolute values sum to {@code abs} (or, as in {@link #reordered}, the
   * largest compared magnitude with {@code n} counting the whole chain).
   */
  public static double floatVsDouble(long n, double abs) {
    return sum(n + 1, abs, DataType.FLOAT) + sum(n + 1, abs, DataType.DOUBLE);
  }

  /**
   * Bound on the difference between two computations of the same sums in different orders (a
   * gradient accumulated into the previous one, a pass split differently): each is within {@code
   * gamma(n) sum|terms|} of the exact value. With {@code n} counting every parameter, input and
   * activation of the chain (far more than any one sum's fan-in) and {@code scale} the largest
   * compared magnitude, the spare factor in {@code n} covers cancellation within a sum ({@code
   * sum|terms| / |sum|}) up to that factor, without computing every element's terms.
   */
  public static double reordered(long n, double scale, DataType t) {
    return 2 * sum(n, scale, t);
  }

  /**
   * {@link #ratio(INDArray, INDArray, double)} of a FLOAT result against the same computation in
   * DOUBLE, bounded by {@link #floatVsDouble}{@code (n, scale)}. Refuses a bound above 1e-2 of the
   * largest DOUBLE entry: such a check could no longer tell a sign or a factor of 2.
   */
  public static double floatVsDoubleRatio(INDArray f, INDArray d, long n, double scale) {
    double bound = floatVsDouble(n, scale);
    if (bound > 1e-2 * absMax(d)) {
      throw new IllegalArgumentException(
          "float-vs-double bound " + bound + " is too weak for values up to " + absMax(d));
    }
    return ratio(f, d, bound);
  }

  /**
   * Asserts {@code |actual - expected| <= bound} (a bound of 0: exact), reporting the ratio like
   * the other checks.
   */
  public static void assertClose(double actual, double expected, double bound) {
    assertClose("", actual, expected, bound);
  }

  /** {@link #assertClose(double, double, double)} with a description for the failure message. */
  public static void assertClose(String what, double actual, double expected, double bound) {
    double err = Math.abs(actual - expected);
    double r = report(err == 0 ? 0 : err / bound);
    if (!(r <= 1)) {
      throw new AssertionError(
          String.format(
              "%s%s differs from %s by %s, beyond its bound %s (ratio %.3g)",
              what.isEmpty() ? "" : what + ": ", actual, expected, err, bound, r));
    }
  }

  /** {@link #assertClose(double, double, double)} for each element. */
  public static void assertClose(double[] actual, double[] expected, double bound) {
    if (actual.length != expected.length) {
      throw new AssertionError(actual.length + " values, expected " + expected.length);
    }
    for (int i = 0; i < actual.length; i++) {
      assertClose("element " + i, actual[i], expected[i], bound);
    }
  }

  /** {@code sum |a_i|} (DOUBLE). */
  public static double absSum(INDArray a) {
    return a.castTo(DataType.DOUBLE).norm1Number().doubleValue();
  }

  /** {@code max |a_i|} (DOUBLE). */
  public static double absMax(INDArray a) {
    return a.castTo(DataType.DOUBLE).amaxNumber().doubleValue();
  }

  /** What one finite-difference check needs to know about the loss it differentiates. */
  public record Loss(DoubleSupplier value, double abs, long terms) {
    /**
     * {@code value}: the DOUBLE loss; {@code abs}: the sum of the absolute values of the terms it
     * adds up (its rounding scale, not its value, which may cancel); {@code terms}: the number of
     * terms along its longest chain of sums (each layer's fan-in, the loss's own sum).
     */
    public Loss {
      if (!(abs >= 0) || terms < 1) {
        throw new IllegalArgumentException("abs " + abs + ", terms " + terms);
      }
    }
  }

  /**
   * Largest ratio, over the elements of {@code x}, of {@code |analytic - numeric|} to its bound
   * (below 1 passes), with {@code numeric} the central difference {@code D(h)} of the loss. The
   * bound of one element adds up:
   *
   * <ul>
   *   <li>rounding of the two loss values, {@code gamma(terms) abs} each, divided by {@code 2h};
   *   <li>rounding of {@code x +- h} in DOUBLE, which changes the step by up to {@code u (|x| + h)}
   *       relative to {@code h};
   *   <li>rounding of the analytic gradient, a chain of sums as long as the loss's: {@code
   *       gamma(terms)} of the largest analytic entry;
   *   <li>truncation, {@code c h^2}, which no rounding argument bounds (batch norm over a few
   *       examples has third derivatives in the thousands). Where an element uses more than half of
   *       the rounding bound, it is compared with {@code D(h/2)} instead, whose truncation
   *       Richardson's argument estimates: {@code D(h) - D(h/2) = 3/4 c h^2}, so {@code c h^2 / 4 =
   *       |D(h) - D(h/2)| / 3}; the bound takes the whole difference (three times the estimate, for
   *       the {@code h^4} terms). A kink (ReLU, maxout, L1) within the step makes the two differ by
   *       about the jump in slope and so excuses that element; a wrong gradient fails wherever the
   *       numerical derivative is stable, and the two differences agree.
   * </ul>
   *
   * The rounding part of the bound must stay below {@code 1e-4} of the largest analytic entry, so
   * that a wrong gradient cannot hide in it (the check throws otherwise: pick a larger h or a
   * smaller test).
   */
  public static double finiteDifferenceRatio(INDArray x, INDArray analytic, Loss loss, double h) {
    double amax = absMax(analytic);
    double g = gamma(loss.terms(), DataType.DOUBLE);
    double fixed = g * loss.abs() / h + g * amax;
    if (fixed > 1e-4 * amax && amax > 0) {
      throw new IllegalArgumentException(
          "finite-difference bound " + fixed + " is too weak for gradients up to " + amax);
    }
    double worst = 0;
    for (long i = 0; i < x.length(); i++) {
      double a = analytic.getDouble(i);
      double orig = x.getDouble(i);
      double d = centralDifference(x, i, loss, h);
      double ratio = a == d ? 0 : Math.abs(a - d) / (bound(loss, h, orig, d) + g * amax);
      if (ratio > 0.5) {
        double half = centralDifference(x, i, loss, h / 2);
        double bound = bound(loss, h / 2, orig, half) + g * amax + Math.abs(d - half);
        ratio = Math.abs(a - half) / bound;
      }
      if (Double.isNaN(ratio)) {
        ratio = 0; // 0 / 0: the loss, the gradient and its difference all exactly 0
      }
      worst = Math.max(worst, ratio);
    }
    report(worst);
    return worst;
  }

  private static double centralDifference(INDArray x, long i, Loss loss, double h) {
    double orig = x.getDouble(i);
    x.putScalar(i, orig + h);
    double plus = loss.value().getAsDouble();
    x.putScalar(i, orig - h);
    double minus = loss.value().getAsDouble();
    x.putScalar(i, orig);
    return (plus - minus) / (2 * h);
  }

  /** The rounding bound of a central difference d with step h at x (see above). */
  private static double bound(Loss loss, double h, double x, double d) {
    double u = unitRoundoff(DataType.DOUBLE);
    return gamma(loss.terms(), DataType.DOUBLE) * loss.abs() / h
        + u * (Math.abs(x) + h) / h * Math.abs(d);
  }

  /**
   * Largest ratio, over the outputs, of {@code |jv - numeric|} to its bound (below 1 passes), with
   * {@code numeric = (plus - minus) / 2h} the central difference of outputs {@code plus = f(x + h
   * v)}, {@code minus = f(x - h v)} and {@code jv} the computed Jacobian-vector product. The bound
   * is that of {@link #finiteDifferenceRatio} for each output: its rounding, {@code gamma(n+1)} of
   * the largest output (the one more operation: forming {@code x +- h v}) divided by {@code 2h}
   * twice; truncation {@code h^2 max|y| / 6}; the rounding of jv, {@code gamma(n) max|jv|}.
   */
  public static double directionalRatio(
      INDArray jv, INDArray plus, INDArray minus, double h, long n) {
    double yAbs = Math.max(absMax(plus), absMax(minus));
    double g = gamma(n + 1, DataType.DOUBLE);
    double bound = g * yAbs / h + h * h * yAbs / 6 + g * absMax(jv);
    INDArray numeric = plus.castTo(DataType.DOUBLE).sub(minus.castTo(DataType.DOUBLE)).divi(2 * h);
    return ratio(jv, numeric, bound);
  }

  /**
   * Largest ratio of {@code |actual - expected|} to its bound over the elements (below 1 passes).
   */
  public static double ratio(INDArray actual, INDArray expected, double bound) {
    double err =
        actual
            .castTo(DataType.DOUBLE)
            .sub(expected.castTo(DataType.DOUBLE))
            .reshape(actual.length())
            .amaxNumber()
            .doubleValue();
    double r = err == 0 ? 0 : err / bound;
    report(r);
    return r;
  }

  /**
   * Largest ratio of {@code |actual - expected|} to the element's own bound (below 1 passes): for
   * componentwise bounds such as {@code gamma(n) |A| |B|} of a product.
   */
  public static double ratio(INDArray actual, INDArray expected, INDArray bound) {
    INDArray err =
        actual
            .castTo(DataType.DOUBLE)
            .sub(expected.castTo(DataType.DOUBLE))
            .reshape(actual.length());
    INDArray b = bound.castTo(DataType.DOUBLE).reshape(actual.length());
    double worst = 0;
    for (long i = 0; i < err.length(); i++) {
      double e = Math.abs(err.getDouble(i));
      worst = Math.max(worst, e == 0 ? 0 : e / b.getDouble(i));
    }
    report(worst);
    return worst;
  }

  /**
   * With {@code -Dagon.tolerance.report=R}, prints every check that uses more than the fraction R
   * of its bound, and its caller: how near each tolerance runs on this CPU and kernel family.
   */
  public static double report(double ratio) {
    String p = System.getProperty("agon.tolerance.report");
    if (p != null && ratio > Double.parseDouble(p)) {
      StackTraceElement caller =
          StackWalker.getInstance()
              .walk(
                  s ->
                      s.map(StackWalker.StackFrame::toStackTraceElement)
                          .filter(f -> !f.getClassName().startsWith(Tolerance.class.getName()))
                          .filter(f -> !f.getClassName().endsWith("Check"))
                          .filter(f -> !f.getClassName().endsWith("FiniteDifferences"))
                          .findFirst()
                          .orElse(null));
      System.out.printf(
          "tolerance-report %.3f %s OPENBLAS_CORETYPE=%s%n",
          ratio, caller, System.getenv("OPENBLAS_CORETYPE"));
    }
    return ratio;
  }
}
