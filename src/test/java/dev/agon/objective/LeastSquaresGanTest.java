package dev.agon.objective;

import static dev.agon.objective.Columns.assertColumn;
import static dev.agon.objective.Columns.column;
import static dev.agon.objective.Columns.zeros;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class LeastSquaresGanTest {
  private static final LeastSquaresGan LS = new LeastSquaresGan();

  @Test
  void handComputedCase() {
    // real = [2, -1], fake = [-1, 3]
    // L_D = 1/2 ((2-1)^2 + (-1-1)^2) / 2 + 1/2 ((-1)^2 + 3^2) / 2 = 1/2 * 5/2 + 1/2 * 10/2 = 3.75
    INDArray gr = zeros(2);
    INDArray gf = zeros(2);
    DLoss d = LS.discriminator(column(2, -1), column(-1, 3), gr, gf);
    assertThat(d.loss()).isEqualTo(3.75);
    assertThat(d.meanDReal()).isEqualTo(0.5);
    assertThat(d.meanDFake()).isEqualTo(1.0);
    assertColumn(gr, 0, 0.5, -1.0); // (D - 1) / B
    assertColumn(gf, 0, -0.5, 1.5); // D / B
    // L_G = 1/2 ((-1-1)^2 + (3-1)^2) / 2 = 2
    INDArray g = zeros(2);
    GLoss gl = LS.generator(column(-1, 3), g);
    assertThat(gl.loss()).isEqualTo(2.0);
    assertThat(gl.meanDFake()).isEqualTo(1.0);
    assertColumn(g, 0, -1.0, 1.0);
  }

  @Test
  void zeroAtTheTargets() {
    INDArray gr = zeros(3);
    INDArray gf = zeros(2);
    assertThat(LS.discriminator(column(1, 1, 1), column(0, 0), gr, gf).loss()).isZero();
    assertColumn(gr, 0, 0, 0, 0);
    assertColumn(gf, 0, 0, 0);
    assertThat(LS.generator(column(1, 1), gf).loss()).isZero();
  }

  @Test
  void floatOutputs() {
    INDArray gr = Nd4j.create(DataType.FLOAT, 2, 1);
    INDArray gf = Nd4j.create(DataType.FLOAT, 1, 1);
    DLoss d = LS.discriminator(column(DataType.FLOAT, 0.5, 3), column(DataType.FLOAT, -2), gr, gf);
    // 1/2 (0.25 + 4) / 2 + 1/2 * 4 = 1.0625 + 2
    assertThat(d.loss()).isCloseTo(3.0625, within(Columns.tol(3.0625)));
    assertColumn(gr, 0, -0.25, 1.0);
    assertColumn(gf, 0, -2.0);
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    Columns.assertGradientsMatchFiniteDifferences(
        LS, new double[] {-3, -0.5, 0.1, 1.2, 7}, new double[] {0.3, -2.2, 4, -0.05});
  }
}
