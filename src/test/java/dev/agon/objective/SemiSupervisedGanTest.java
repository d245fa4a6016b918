package dev.agon.objective;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.agon.tensor.Tolerance;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class SemiSupervisedGanTest {
  private static final SemiSupervisedGan SSL = new SemiSupervisedGan(2);
  private static final double LN2 = Math.log(2);
  private static final double LN3 = Math.log(3);

  private static INDArray rows(double[][] v) {
    return Nd4j.createFromArray(v);
  }

  private static void assertRows(INDArray a, double[][] expected) {
    for (int i = 0; i < expected.length; i++) {
      for (int k = 0; k < expected[i].length; k++) {
        Tolerance.assertClose(
            "[" + i + "," + k + "]", a.getDouble(i, k), expected[i][k], Columns.tol(1));
      }
    }
  }

  @Test
  void handComputedCase() {
    // K = 2; the fake class's logit is 0, so D = Z/(Z+1) with Z = e^l1 + e^l2.
    // Unlabelled real rows:
    //   [0, 0]:         Z = 2, LSE = ln 2, softplus(-LSE) = ln(1 + 1/2) = ln 1.5, D = 2/3,
    //                   softmax [1/2, 1/2], grad = -sigmoid(-LSE) softmax / 2 = -(1/3)(1/2)/2 =
    // -1/12
    //   [-ln2, -ln2]:   Z = 1, LSE = 0, softplus(0) = ln 2, D = 1/2,
    //                   grad = -(1/2)(1/2)/2 = -1/8
    //   real term = (ln 1.5 + ln 2) / 2 = ln(3) / 2
    // Fake row [0, ln3]: Z = 4, LSE = ln 4, softplus(LSE) = ln 5, D = 4/5,
    //   softmax [1/4, 3/4], grad = sigmoid(LSE) softmax = (4/5)[1/4, 3/4] = [0.2, 0.6]
    // Labelled row [ln3, 0], class 0: softmax [3/4, 1/4], cross-entropy -ln(3/4) = ln(4/3),
    //   grad = softmax - onehot = [-1/4, 1/4]
    // L_D = ln(3)/2 + ln 5 + ln(4/3); accuracy: real LSE > 0 in 1 of 2 rows, fake LSE < 0 in 0 of 1
    INDArray real = rows(new double[][] {{0, 0}, {-LN2, -LN2}});
    INDArray fake = rows(new double[][] {{0, LN3}});
    INDArray lab = rows(new double[][] {{LN3, 0}});
    INDArray gr = Nd4j.create(DataType.DOUBLE, 2, 2);
    INDArray gf = Nd4j.create(DataType.DOUBLE, 1, 2);
    INDArray gl = Nd4j.create(DataType.DOUBLE, 1, 2);
    DLoss d = SSL.discriminator(real, fake, lab, new int[] {0}, gr, gf, gl);
    double unsup = LN3 / 2 + Math.log(5);
    double sup = Math.log(4.0 / 3);
    assertThat(d.unsupervised()).isCloseTo(unsup, within(Columns.tol(unsup)));
    assertThat(d.supervised()).isCloseTo(sup, within(Columns.tol(sup)));
    assertThat(d.loss()).isCloseTo(unsup + sup, within(Columns.tol(unsup + sup)));
    assertThat(d.meanDReal()).isCloseTo(7.0 / 12, within(Columns.tol(1)));
    assertThat(d.meanDFake()).isCloseTo(0.8, within(Columns.tol(1)));
    assertThat(d.accuracy()).isEqualTo(0.25);
    assertRows(gr, new double[][] {{-1.0 / 12, -1.0 / 12}, {-1.0 / 8, -1.0 / 8}});
    assertRows(gf, new double[][] {{0.2, 0.6}});
    assertRows(gl, new double[][] {{-0.25, 0.25}});

    // Without a labelled batch: the unsupervised term alone, supervised 0.
    DLoss u = SSL.discriminator(real, fake, gr, gf);
    assertThat(u.loss()).isCloseTo(unsup, within(Columns.tol(unsup)));
    assertThat(u.supervised()).isZero();

    // G (non-saturating) on the fake row: softplus(-ln 4) = ln 1.25, D = 4/5,
    // grad = -sigmoid(-LSE) softmax = -(1/5)[1/4, 3/4]
    GLoss g = SSL.generator(fake, gf);
    assertThat(g.loss()).isCloseTo(Math.log(1.25), within(Columns.tol(1)));
    assertThat(g.meanDFake()).isCloseTo(0.8, within(Columns.tol(1)));
    assertRows(gf, new double[][] {{-0.05, -0.15}});
  }

  @Test
  void unsupervisedWeightScalesTheRealFakeTermOnly() {
    // The hand-computed case above with w = 1/4: L_D = ln(4/3) + (ln(3)/2 + ln 5)/4; the real and
    // fake gradients are a quarter of w = 1's, the labelled gradient unchanged; the reported
    // unsupervised term stays unweighted (what D would see at w = 1).
    SemiSupervisedGan quarter = new SemiSupervisedGan(2, 0.25);
    INDArray real = rows(new double[][] {{0, 0}, {-LN2, -LN2}});
    INDArray fake = rows(new double[][] {{0, LN3}});
    INDArray lab = rows(new double[][] {{LN3, 0}});
    INDArray gr = Nd4j.create(DataType.DOUBLE, 2, 2);
    INDArray gf = Nd4j.create(DataType.DOUBLE, 1, 2);
    INDArray gl = Nd4j.create(DataType.DOUBLE, 1, 2);
    DLoss d = quarter.discriminator(real, fake, lab, new int[] {0}, gr, gf, gl);
    double unsup = LN3 / 2 + Math.log(5);
    double sup = Math.log(4.0 / 3);
    double total = sup + unsup / 4;
    assertThat(d.unsupervised()).isCloseTo(unsup, within(Columns.tol(unsup)));
    assertThat(d.supervised()).isCloseTo(sup, within(Columns.tol(sup)));
    assertThat(d.loss()).isCloseTo(total, within(Columns.tol(total)));
    assertThat(d.meanDReal()).isCloseTo(7.0 / 12, within(Columns.tol(1)));
    assertRows(gr, new double[][] {{-1.0 / 48, -1.0 / 48}, {-1.0 / 32, -1.0 / 32}});
    assertRows(gf, new double[][] {{0.05, 0.15}});
    assertRows(gl, new double[][] {{-0.25, 0.25}});
    // Without a labelled batch the loss is w L_unsup (what the trainer's separate passes add).
    assertThat(quarter.discriminator(real, fake, gr, gf).loss())
        .isCloseTo(unsup / 4, within(Columns.tol(unsup)));
    // G's loss does not depend on w: D's weighting is D's.
    GLoss g = quarter.generator(fake, gf);
    assertThat(g.loss()).isCloseTo(Math.log(1.25), within(Columns.tol(1)));
  }

  @Test
  void weightZeroLeavesTheSupervisedGradientAlone() {
    // w = 0, the supervised-only baseline: the real and fake rows get exactly zero gradient, so
    // D's summed gradient is the supervised term's, bit for bit.
    SemiSupervisedGan baseline = new SemiSupervisedGan(3, 0.0);
    INDArray real = rows(new double[][] {{0.3, -1.2, 2.0}, {5.0, 0.1, -0.4}});
    INDArray fake = rows(new double[][] {{-0.7, 0.9, 0.2}});
    INDArray lab = rows(new double[][] {{1.5, -0.5, 0.25}, {0.0, 2.0, -3.0}});
    int[] labels = {2, 1};
    INDArray gr = Nd4j.ones(DataType.DOUBLE, 2, 3);
    INDArray gf = Nd4j.ones(DataType.DOUBLE, 1, 3);
    INDArray gl = Nd4j.create(DataType.DOUBLE, 2, 3);
    DLoss d = baseline.discriminator(real, fake, lab, labels, gr, gf, gl);
    INDArray alone = Nd4j.create(DataType.DOUBLE, 2, 3);
    double sup = new SemiSupervisedGan(3).supervised(lab, labels, alone);
    assertThat(gr.amaxNumber().doubleValue()).isEqualTo(0.0);
    assertThat(gf.amaxNumber().doubleValue()).isEqualTo(0.0);
    assertThat(gl.data().asDouble()).containsExactly(alone.data().asDouble());
    assertThat(d.loss()).isEqualTo(sup);
    assertThat(d.supervised()).isEqualTo(sup);
    assertThat(d.unsupervised()).isPositive();
  }

  @Test
  void refusesANegativeOrNonFiniteWeight() {
    for (double w : new double[] {-0.5, Double.NaN, Double.POSITIVE_INFINITY}) {
      assertThatThrownBy(() -> new SemiSupervisedGan(10, w))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("unsupervisedWeight");
    }
  }

  @Test
  void otherObjectivesReportNoSupervisedTerms() {
    DLoss d =
        new HingeGan()
            .discriminator(
                Columns.column(1), Columns.column(-1), Columns.zeros(1), Columns.zeros(1));
    assertThat(d.supervised()).isNaN();
    assertThat(d.unsupervised()).isNaN();
  }

  @Test
  void gradientsMatchFiniteDifferencesOnRowViews() {
    // K = 3; real (3 rows), fake (2) and labelled (2) logits are row views of one [7, 3] array,
    // as the trainer's joint pass hands them over.
    SemiSupervisedGan ssl = new SemiSupervisedGan(3);
    INDArray all =
        rows(
            new double[][] {
              {-3.0, 0.5, 1.2},
              {0.1, -0.4, 2.5},
              {-1.5, -2.0, -0.7},
              {4.0, -0.05, 1.0},
              {-2.2, 0.3, -6.0},
              {0.9, -1.1, 0.2},
              {-0.3, 2.2, 1.7}
            });
    INDArray grads = Nd4j.create(DataType.DOUBLE, 7, 3);
    int[] labels = {2, 1};
    INDArray[] x = {view(all, 0, 3), view(all, 3, 5), view(all, 5, 7)};
    INDArray[] gx = {view(grads, 0, 3), view(grads, 3, 5), view(grads, 5, 7)};
    ssl.discriminator(x[0], x[1], x[2], labels, gx[0], gx[1], gx[2]);
    INDArray analytic = grads.dup();
    INDArray s = Nd4j.create(DataType.DOUBLE, 7, 3);
    INDArray[] sx = {view(s, 0, 3), view(s, 3, 5), view(s, 5, 7)};
    assertThat(
            FiniteDifferences.errorRatio(
                all,
                analytic,
                () -> ssl.discriminator(x[0], x[1], x[2], labels, sx[0], sx[1], sx[2]).loss()))
        .as("D gradient")
        .isLessThan(1.0);

    ssl.generator(x[1], gx[1]);
    INDArray ga = gx[1].dup();
    assertThat(FiniteDifferences.errorRatio(x[1], ga, () -> ssl.generator(x[1], sx[1]).loss()))
        .as("G gradient")
        .isLessThan(1.0);
  }

  @Test
  void extremeLogitsStayFinite() {
    INDArray l = rows(new double[][] {{-1e4, -1e4}, {1e4, -1e4}, {1e4, 1e4}});
    INDArray gr = Nd4j.create(DataType.DOUBLE, 3, 2);
    INDArray gf = Nd4j.create(DataType.DOUBLE, 3, 2);
    INDArray gl = Nd4j.create(DataType.DOUBLE, 3, 2);
    DLoss d = SSL.discriminator(l, l, l, new int[] {0, 1, 0}, gr, gf, gl);
    // real term: softplus(1e4 - ln 2) / 3 dominates; fake: softplus(1e4) and softplus(1e4 + ln 2);
    // supervised: the labelled row [1e4, -1e4] with class 1 costs 2e4
    assertThat(d.loss()).isFinite();
    assertThat(d.supervised()).isCloseTo((2e4 + 2 * LN2) / 3, within(Columns.tol(2e4)));
    for (INDArray g : new INDArray[] {gr, gf, gl}) {
      assertThat(g.isNaN().any()).isFalse();
      assertThat(g.isInfinite().any()).isFalse();
    }
    assertThat(SSL.generator(l, gf).loss()).isFinite();
  }

  @Test
  void refusesWrongShapesAndLabels() {
    INDArray one = Nd4j.create(DataType.DOUBLE, 2, 1);
    assertThatThrownBy(() -> SSL.generator(one, one))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[B,2]");
    INDArray l = Nd4j.create(DataType.DOUBLE, 1, 2);
    assertThatThrownBy(() -> SSL.supervised(l, new int[] {2}, l.dup()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("label 2");
    assertThatThrownBy(() -> new SemiSupervisedGan(1)).isInstanceOf(IllegalArgumentException.class);
  }

  private static INDArray view(INDArray a, int from, int to) {
    return a.get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
  }
}
