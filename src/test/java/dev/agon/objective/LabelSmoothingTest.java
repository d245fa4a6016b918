package dev.agon.objective;

import static dev.agon.objective.Columns.assertColumn;
import static dev.agon.objective.Columns.column;
import static dev.agon.objective.Columns.zeros;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.agon.objective.StandardGan.GeneratorLoss;
import dev.agon.tensor.DenseAccess;
import dev.agon.tensor.Noise;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class LabelSmoothingTest {
  private static final StandardGan SMOOTH = new StandardGan(GeneratorLoss.NON_SATURATING, 0.9);

  @Test
  void handComputedCase() {
    // real = [2, -1], fake = [-1, 3], alpha = 0.9:
    // 0.9 sp(-l) + 0.1 sp(l) = sp(-l) + 0.1 l, so L_D = (unsmoothed 2.40101936882658) + 0.1 * 0.5
    INDArray gr = zeros(2);
    INDArray gf = zeros(2);
    DLoss d = SMOOTH.discriminator(column(2, -1), column(-1, 3), gr, gf);
    assertThat(d.loss()).isCloseTo(2.45101936882658, within(Columns.tol(2.45101936882658)));
    assertThat(d.meanDReal())
        .isCloseTo(0.5748692496739387, within(Columns.tol(0.5748692496739387)));
    assertThat(d.meanDFake())
        .isCloseTo(0.6107577740962142, within(Columns.tol(0.6107577740962142)));
    // (sigmoid(l) - 0.9) / 2; the fake side is unchanged: sigmoid(l) / 2
    assertColumn(gr, Columns.tol(1), -0.009601461011058854, -0.31552928931500246);
    assertColumn(gf, Columns.tol(1), 0.13447071068499755, 0.4762870634112167);
    // the generator loss does not change
    INDArray g = zeros(2);
    assertThat(SMOOTH.generator(column(-1, 3), g).loss())
        .isCloseTo(0.6809245195459824, within(Columns.tol(0.6809245195459824)));
    assertThat(SMOOTH.realTarget()).isEqualTo(0.9);
  }

  @Test
  void extremeLogitsStayFinite() {
    INDArray gr = zeros(2);
    INDArray gf = zeros(2);
    // 0.9 sp(1e4) + 0.1 sp(-1e4)... per row sp(-l) + 0.1 l: -1e4 -> 1e4 - 1e3, 1e4 -> 1e3
    DLoss d = SMOOTH.discriminator(column(-1e4, 1e4), column(0, 0), gr, gf);
    assertThat(d.loss())
        .isCloseTo(
            (9000 + 1000) / 2.0 + Math.log(2),
            within(Columns.tol((9000 + 1000) / 2.0 + Math.log(2))));
    assertColumn(gr, Columns.tol(1), -0.45, 0.05);
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    Columns.assertGradientsMatchFiniteDifferences(
        new StandardGan(GeneratorLoss.NON_SATURATING, 0.9),
        new double[] {-3, -0.5, 0.1, 1.2, 7},
        new double[] {0.3, -2.2, 4, -0.05});
    Columns.assertGradientsMatchFiniteDifferences(
        new StandardGan(GeneratorLoss.MINIMAX, 0.7), new double[] {2, -9}, new double[] {1});
  }

  @Test
  void targetMustBeInTheUnitInterval() {
    for (double bad : new double[] {0, -0.1, 1.0000001, Double.NaN}) {
      assertThatThrownBy(() -> new StandardGan(GeneratorLoss.MINIMAX, bad))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  /** The discriminator loop of StandardGan before label smoothing, verbatim. */
  private static DLoss previousDiscriminator(
      INDArray realLogits, INDArray fakeLogits, INDArray gradReal, INDArray gradFake) {
    int nr = realLogits.rows();
    int nf = fakeLogits.rows();
    double[] real = new double[nr];
    double[] fake = new double[nf];
    DenseAccess.read(realLogits, real);
    DenseAccess.read(fakeLogits, fake);
    double lossReal = 0;
    double dReal = 0;
    for (int i = 0; i < nr; i++) {
      double l = real[i];
      lossReal += StandardGan.softplus(-l);
      dReal += StandardGan.sigmoid(l);
      real[i] = -StandardGan.sigmoid(-l) / nr;
    }
    double lossFake = 0;
    double dFake = 0;
    for (int i = 0; i < nf; i++) {
      double l = fake[i];
      double s = StandardGan.sigmoid(l);
      lossFake += StandardGan.softplus(l);
      dFake += s;
      fake[i] = s / nf;
    }
    DenseAccess.write(gradReal, real);
    DenseAccess.write(gradFake, fake);
    return new DLoss(lossReal / nr + lossFake / nf, dReal / nr, dFake / nf);
  }

  @ParameterizedTest
  @EnumSource(
      value = DataType.class,
      names = {"FLOAT", "DOUBLE"})
  void alphaOneIsBitIdenticalToTheUnsmoothedLoss(DataType t) {
    INDArray real = Nd4j.create(t, 37, 1);
    INDArray fake = Nd4j.create(t, 29, 1);
    Noise.gaussian(real, 3, 1, 0);
    Noise.gaussian(fake, 3, 1, 1);
    real.muli(4).putScalar(0, 1e4);
    fake.muli(4).putScalar(0, -1e4);
    INDArray gr0 = Nd4j.create(t, 37, 1);
    INDArray gf0 = Nd4j.create(t, 29, 1);
    DLoss expected = previousDiscriminator(real, fake, gr0, gf0);
    for (StandardGan obj :
        new StandardGan[] {
          // the Java loops: the ND4J ops compute a FLOAT batch in float (NativeObjectivesTest)
          new StandardGan(GeneratorLoss.NON_SATURATING, 1.0, dev.agon.nn.KernelChoice.HOST_LOOP),
          new StandardGan(GeneratorLoss.MINIMAX, 1.0, dev.agon.nn.KernelChoice.HOST_LOOP)
        }) {
      INDArray gr = Nd4j.create(t, 37, 1);
      INDArray gf = Nd4j.create(t, 29, 1);
      DLoss got = obj.discriminator(real, fake, gr, gf);
      // The loop before smoothing had no accuracy; everything it computed is bit-identical.
      assertThat(new DLoss(got.loss(), got.meanDReal(), got.meanDFake())).isEqualTo(expected);
      assertThat(gr).isEqualTo(gr0);
      assertThat(gf).isEqualTo(gf0);
      assertThat(obj.realTarget()).isEqualTo(1.0);
    }
  }
}
