package dev.agon.objective;

import static dev.agon.objective.Columns.column;
import static dev.agon.objective.Columns.zeros;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.agon.objective.StandardGan.GeneratorLoss;
import org.junit.jupiter.api.Test;

/** D's accuracy at each objective's decision threshold, counted by hand. */
class AccuracyTest {
  private static DLoss d(GanObjective o, double[] real, double[] fake) {
    return o.discriminator(column(real), column(fake), zeros(real.length), zeros(fake.length));
  }

  @Test
  void standardGanThresholdsLogitsAtZero() {
    // real right 2/3 (logits 2, 3), fake right 1/2 (logit -2)
    DLoss l =
        d(
            new StandardGan(GeneratorLoss.NON_SATURATING),
            new double[] {2, -1, 3},
            new double[] {-2, 1});
    assertThat(l.accuracy())
        .isCloseTo(0.5 * (2.0 / 3 + 0.5), within(Columns.tol(0.5 * (2.0 / 3 + 0.5))));
    // label smoothing changes the loss, not what counts as right
    DLoss s =
        d(
            new StandardGan(GeneratorLoss.NON_SATURATING, 0.9),
            new double[] {2, -1, 3},
            new double[] {-2, 1});
    assertThat(s.accuracy()).isEqualTo(l.accuracy());
  }

  @Test
  void leastSquaresThresholdsAtOneHalfHingeAtZeroWassersteinHasNone() {
    assertThat(
            d(new LeastSquaresGan(), new double[] {0.9, 0.2}, new double[] {0.1, 0.7}).accuracy())
        .isEqualTo(0.5);
    assertThat(d(new HingeGan(), new double[] {0.5, -0.5}, new double[] {-1, -2}).accuracy())
        .isEqualTo(0.75);
    assertThat(d(new HingeGan(), new double[] {3}, new double[] {-3}).accuracy()).isEqualTo(1.0);
    assertThat(d(new Wasserstein(), new double[] {5}, new double[] {-5}).accuracy()).isNaN();
  }
}
