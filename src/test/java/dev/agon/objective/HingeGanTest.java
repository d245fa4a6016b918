package dev.agon.objective;

import static dev.agon.objective.Columns.assertColumn;
import static dev.agon.objective.Columns.column;
import static dev.agon.objective.Columns.zeros;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class HingeGanTest {
  private static final HingeGan HINGE = new HingeGan();

  @Test
  void handComputedCase() {
    // relu(1 - [2, 0.5, -1]) = [0, 0.5, 2]; relu(1 + [-3, -0.5, 2]) = [0, 0.5, 3]
    // L_D = 2.5/3 + 3.5/3 = 2
    INDArray gr = zeros(3);
    INDArray gf = zeros(3);
    DLoss d = HINGE.discriminator(column(2, 0.5, -1), column(-3, -0.5, 2), gr, gf);
    assertThat(d.loss()).isCloseTo(2.0, within(Columns.tol(2.0)));
    assertThat(d.meanDReal()).isCloseTo(0.5, within(Columns.tol(0.5)));
    assertThat(d.meanDFake()).isCloseTo(-0.5, within(Columns.tol(-0.5)));
    assertColumn(gr, 0, 0, -1.0 / 3, -1.0 / 3);
    assertColumn(gf, 0, 0, 1.0 / 3, 1.0 / 3);
    // L_G = -mean fake = 0.5, gradient -1/B everywhere
    INDArray g = zeros(3);
    GLoss gl = HINGE.generator(column(-3, -0.5, 2), g);
    assertThat(gl.loss()).isCloseTo(0.5, within(Columns.tol(0.5)));
    assertThat(gl.meanDFake()).isCloseTo(-0.5, within(Columns.tol(-0.5)));
    assertColumn(g, 0, -1.0 / 3, -1.0 / 3, -1.0 / 3);
  }

  @Test
  void besideTheKinks() {
    // real at 1 -+ 1e-3, fake at -1 -+ 1e-3: only the rows inside the margin count
    INDArray gr = zeros(2);
    INDArray gf = zeros(2);
    DLoss d = HINGE.discriminator(column(0.999, 1.001), column(-1.001, -0.999), gr, gf);
    assertThat(d.loss())
        .isCloseTo(0.001 / 2 + 0.001 / 2, within(Columns.tol(0.001 / 2 + 0.001 / 2)));
    assertColumn(gr, 0, -0.5, 0);
    assertColumn(gf, 0, 0, 0.5);
  }

  @Test
  void atTheKinksTheSubgradientIsZero() {
    INDArray gr = zeros(1);
    INDArray gf = zeros(1);
    DLoss d = HINGE.discriminator(column(1), column(-1), gr, gf);
    assertThat(d.loss()).isZero();
    assertColumn(gr, 0, 0);
    assertColumn(gf, 0, 0);
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    // every value at least 0.05 from a kink
    Columns.assertGradientsMatchFiniteDifferences(
        HINGE,
        new double[] {-3, -0.5, 0.1, 0.95, 1.2, 7},
        new double[] {0.3, -2.2, 4, -0.9, -1.05});
  }
}
