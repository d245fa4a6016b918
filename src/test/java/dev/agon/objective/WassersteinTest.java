package dev.agon.objective;

import static dev.agon.objective.Columns.assertColumn;
import static dev.agon.objective.Columns.column;
import static dev.agon.objective.Columns.zeros;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class WassersteinTest {
  private static final Wasserstein W = new Wasserstein();

  @Test
  void handComputedCase() {
    // real = [2, -1, 5] (mean 2), fake = [-1, 3] (mean 1): L_D = 1 - 2 = -1
    INDArray gr = zeros(3);
    INDArray gf = zeros(2);
    DLoss d = W.discriminator(column(2, -1, 5), column(-1, 3), gr, gf);
    assertThat(d.loss()).isCloseTo(-1.0, within(Columns.tol(-1.0)));
    assertThat(d.meanDReal()).isCloseTo(2.0, within(Columns.tol(2.0)));
    assertThat(d.meanDFake()).isCloseTo(1.0, within(Columns.tol(1.0)));
    assertColumn(gr, 0, -1.0 / 3, -1.0 / 3, -1.0 / 3);
    assertColumn(gf, 0, 0.5, 0.5);
    INDArray g = zeros(2);
    GLoss gl = W.generator(column(-1, 3), g);
    assertThat(gl.loss()).isCloseTo(-1.0, within(Columns.tol(-1.0)));
    assertThat(gl.meanDFake()).isCloseTo(1.0, within(Columns.tol(1.0)));
    assertColumn(g, 0, -0.5, -0.5);
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    Columns.assertGradientsMatchFiniteDifferences(
        W, new double[] {-3, -0.5, 0.1, 1.2, 7}, new double[] {0.3, -2.2, 4, -0.05, 9});
  }
}
