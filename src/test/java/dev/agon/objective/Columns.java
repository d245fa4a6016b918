package dev.agon.objective;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.tensor.Tolerance;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Small helpers for [B,1] output columns in the objective tests. */
final class Columns {
  private Columns() {}

  static INDArray column(DataType t, double... v) {
    return Nd4j.createFromArray(v).castTo(t).reshape(v.length, 1);
  }

  static INDArray column(double... v) {
    return column(DataType.DOUBLE, v);
  }

  static INDArray zeros(int rows) {
    return Nd4j.create(DataType.DOUBLE, rows, 1);
  }

  /**
   * Bound on a closed-form objective value or gradient in these tests: at most 8 rows, each term at
   * most 8 operations (softplus: exp, log1p, max, add; sigmoid; hinge; square), and the mean, both
   * sides; {@code scale}: the terms' magnitudes, at most 1 here unless the value is larger.
   */
  static double tol(double scale) {
    return Tolerance.ops(2 * (8 + 8), Math.max(1, Math.abs(scale)));
  }

  static void assertColumn(INDArray a, double tol, double... expected) {
    assertThat(a.length()).isEqualTo(expected.length);
    for (int i = 0; i < expected.length; i++) {
      Tolerance.assertClose("row " + i, a.getDouble(i), expected[i], tol);
    }
  }

  /**
   * Checks both gradients of {@code obj} against finite differences, on real and fake outputs that
   * are row views of one array, as the trainer passes them.
   */
  static void assertGradientsMatchFiniteDifferences(
      GanObjective obj, double[] real, double[] fake) {
    int nr = real.length;
    int nf = fake.length;
    double[] all = new double[nr + nf];
    System.arraycopy(real, 0, all, 0, nr);
    System.arraycopy(fake, 0, all, nr, nf);
    INDArray outs = column(all);
    INDArray grads = zeros(nr + nf);
    INDArray r = rows(outs, 0, nr);
    INDArray f = rows(outs, nr, nr + nf);
    obj.discriminator(r, f, rows(grads, 0, nr), rows(grads, nr, nr + nf));
    INDArray analytic = grads.dup();
    INDArray sr = zeros(nr);
    INDArray sf = zeros(nf);
    assertThat(
            FiniteDifferences.errorRatio(
                outs, analytic, () -> obj.discriminator(r, f, sr, sf).loss()))
        .as("D gradient of %s", obj)
        .isLessThan(1.0);
    INDArray g = zeros(nf);
    obj.generator(f, g);
    INDArray ga = g.dup();
    assertThat(FiniteDifferences.errorRatio(f, ga, () -> obj.generator(f, sf).loss()))
        .as("G gradient of %s", obj)
        .isLessThan(1.0);
  }

  static INDArray rows(INDArray a, int from, int to) {
    return a.get(
        org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to),
        org.nd4j.linalg.indexing.NDArrayIndex.all());
  }
}
