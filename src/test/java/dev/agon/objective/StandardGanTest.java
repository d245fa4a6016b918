package dev.agon.objective;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.agon.objective.StandardGan.GeneratorLoss;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class StandardGanTest {
  private static final double LOG2 = 0.6931471805599453;
  private static final StandardGan NS = new StandardGan(GeneratorLoss.NON_SATURATING);
  private static final StandardGan MM = new StandardGan(GeneratorLoss.MINIMAX);

  private static INDArray column(DataType t, double... v) {
    return Nd4j.createFromArray(v).castTo(t).reshape(v.length, 1);
  }

  private static void assertColumn(INDArray a, double tol, double... expected) {
    for (int i = 0; i < expected.length; i++) {
      assertThat(a.getDouble(i, 0)).as("row %d", i).isCloseTo(expected[i], within(tol));
    }
  }

  @Test
  void zeroLogits() {
    // D = 1/2 everywhere: L_D = log 2 + log 2; gradients -1/2 / B and +1/2 / B
    INDArray gr = Nd4j.create(DataType.DOUBLE, 4, 1);
    INDArray gf = Nd4j.create(DataType.DOUBLE, 4, 1);
    DLoss d =
        NS.discriminator(
            column(DataType.DOUBLE, 0, 0, 0, 0), column(DataType.DOUBLE, 0, 0, 0, 0), gr, gf);
    assertThat(d.loss()).isCloseTo(2 * LOG2, within(Columns.tol(2 * LOG2)));
    assertThat(d.meanDReal()).isEqualTo(0.5);
    assertThat(d.meanDFake()).isEqualTo(0.5);
    assertColumn(gr, 0, -0.125, -0.125, -0.125, -0.125);
    assertColumn(gf, 0, 0.125, 0.125, 0.125, 0.125);

    INDArray g = Nd4j.create(DataType.DOUBLE, 4, 1);
    GLoss ns = NS.generator(column(DataType.DOUBLE, 0, 0, 0, 0), g);
    assertThat(ns.loss()).isCloseTo(LOG2, within(Columns.tol(LOG2))); // -log(1/2)
    assertThat(ns.meanDFake()).isEqualTo(0.5);
    assertColumn(g, 0, -0.125, -0.125, -0.125, -0.125);
    GLoss mm = MM.generator(column(DataType.DOUBLE, 0, 0, 0, 0), g);
    assertThat(mm.loss()).isCloseTo(-LOG2, within(Columns.tol(-LOG2))); // log(1 - 1/2)
    assertColumn(g, 0, -0.125, -0.125, -0.125, -0.125);
  }

  @Test
  void handComputedCase() {
    // real = [2, -1], fake = [-1, 3]; softplus(x) = log(1 + e^x), sigmoid(x) = 1 / (1 + e^-x)
    // L_D = (sp(-2) + sp(1)) / 2 + (sp(-1) + sp(3)) / 2
    //     = (0.126928011 + 1.313261688) / 2 + (0.313261688 + 3.048587352) / 2 = 2.401019369
    INDArray real = column(DataType.DOUBLE, 2, -1);
    INDArray fake = column(DataType.DOUBLE, -1, 3);
    INDArray gr = Nd4j.create(DataType.DOUBLE, 2, 1);
    INDArray gf = Nd4j.create(DataType.DOUBLE, 2, 1);
    DLoss d = NS.discriminator(real, fake, gr, gf);
    assertThat(d.loss()).isCloseTo(2.40101936882658, within(Columns.tol(2.40101936882658)));
    assertThat(d.meanDReal())
        .isCloseTo(0.5748692496739387, within(Columns.tol(0.5748692496739387)));
    assertThat(d.meanDFake())
        .isCloseTo(0.6107577740962142, within(Columns.tol(0.6107577740962142)));
    // (sigmoid(l) - 1) / 2 and sigmoid(l) / 2
    assertColumn(gr, Columns.tol(1), -0.05960146101105884, -0.36552928931500245);
    assertColumn(gf, Columns.tol(1), 0.13447071068499755, 0.4762870634112167);

    INDArray g = Nd4j.create(DataType.DOUBLE, 2, 1);
    // NS: (sp(1) + sp(-3)) / 2 = (1.313261688 + 0.048587352) / 2
    assertThat(NS.generator(fake, g).loss())
        .isCloseTo(0.6809245195459824, within(Columns.tol(0.6809245195459824)));
    assertColumn(g, Columns.tol(1), -0.36552928931500245, -0.023712936588783318);
    // MM: -(sp(-1) + sp(3)) / 2
    assertThat(MM.generator(fake, g).loss())
        .isCloseTo(-1.6809245195459825, within(Columns.tol(-1.6809245195459825)));
    assertColumn(g, Columns.tol(1), -0.13447071068499755, -0.4762870634112167);
  }

  @ParameterizedTest
  @EnumSource(
      value = DataType.class,
      names = {"FLOAT", "DOUBLE"})
  void extremeLogitsStayFinite(DataType t) {
    double[] l = {-1e4, -100, 100, 1e4};
    INDArray gr = Nd4j.create(t, 4, 1);
    INDArray gf = Nd4j.create(t, 4, 1);
    DLoss d = NS.discriminator(column(t, l), column(t, l), gr, gf);
    // softplus(-l) + softplus(l) = |l| + 2 log1p(exp(-|l|)): mean over rows (1e4 + 100) * 2 / 4
    assertThat(d.loss()).isCloseTo(5050.0, within(Columns.tol(5050.0)));
    assertColumn(gr, Columns.tol(1), -0.25, -0.25, -0.25 * Math.exp(-100), -0.0);
    assertColumn(gf, Columns.tol(1), 0.0, 0.25 * Math.exp(-100), 0.25, 0.25);
    for (StandardGan obj : new StandardGan[] {NS, MM}) {
      GLoss g = obj.generator(column(t, l), gf);
      assertThat(g.loss()).isFinite();
      assertThat(gf.isInfinite().any()).isFalse();
      assertThat(gf.isNaN().any()).isFalse();
    }
    INDArray g1 = Nd4j.create(t, 1, 1);
    assertThat(NS.generator(column(t, -1e4), g1).loss()).isCloseTo(1e4, within(Columns.tol(1e4)));
    assertThat(g1.getDouble(0, 0)).isEqualTo(-1.0);
    assertThat(MM.generator(column(t, 1e4), g1).loss()).isCloseTo(-1e4, within(Columns.tol(-1e4)));
    assertThat(g1.getDouble(0, 0)).isEqualTo(-1.0);
    assertThat(MM.generator(column(t, -1e4), g1).loss()).isCloseTo(0.0, within(Columns.tol(0.0)));
    assertThat(g1.getDouble(0, 0)).isEqualTo(-0.0);
  }

  @Test
  void gradientsMatchFiniteDifferencesOnRowViews() {
    // real and fake logits are row views of one [2B, 1] array, gradients views of another
    int b = 5;
    INDArray all = Nd4j.createFromArray(-3.0, -0.5, 0.1, 1.2, 7.0, 0.3, -2.2, 4.0, -0.05, 1.0);
    all = all.reshape(2 * b, 1);
    INDArray grads = Nd4j.create(DataType.DOUBLE, 2 * b, 1);
    INDArray real = all.get(NDArrayIndex.interval(0, b), NDArrayIndex.all());
    INDArray fake = all.get(NDArrayIndex.interval(b, 2 * b), NDArrayIndex.all());
    INDArray gr = grads.get(NDArrayIndex.interval(0, b), NDArrayIndex.all());
    INDArray gf = grads.get(NDArrayIndex.interval(b, 2 * b), NDArrayIndex.all());
    NS.discriminator(real, fake, gr, gf);
    INDArray analytic = grads.dup();
    INDArray sr = Nd4j.create(DataType.DOUBLE, b, 1);
    INDArray sf = Nd4j.create(DataType.DOUBLE, b, 1);
    assertThat(
            FiniteDifferences.errorRatio(
                all, analytic, () -> NS.discriminator(real, fake, sr, sf).loss()))
        .isLessThan(1.0);

    for (StandardGan obj : new StandardGan[] {NS, MM}) {
      obj.generator(fake, gf);
      INDArray a = gf.dup();
      assertThat(FiniteDifferences.errorRatio(fake, a, () -> obj.generator(fake, sf).loss()))
          .isLessThan(1.0);
    }
  }
}
