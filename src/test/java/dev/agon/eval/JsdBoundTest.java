package dev.agon.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class JsdBoundTest {
  @Test
  void aDiscriminatorAtOneHalfGivesMinusLogFourAndBoundZero() {
    JsdBound.Result r = JsdBound.fromLogits(new double[] {0, 0, 0}, new double[] {0, 0});
    assertThat(r.value()).isCloseTo(-Math.log(4), within(1e-15));
    assertThat(r.jsdLowerBound()).isCloseTo(0, within(1e-15));
  }

  @Test
  void aPerfectDiscriminatorApproachesLogTwoWithoutOverflow() {
    JsdBound.Result r = JsdBound.fromLogits(new double[] {1000, 800}, new double[] {-1000});
    assertThat(r.value()).isCloseTo(0, within(1e-300));
    assertThat(r.jsdLowerBound()).isCloseTo(Math.log(2), within(1e-15));
    JsdBound.Result wrong = JsdBound.fromLogits(new double[] {-1000}, new double[] {1000});
    assertThat(wrong.value()).isCloseTo(-2000, within(1e-9));
  }

  @Test
  void logitsAndProbabilitiesAgreeOnHandComputedValue() {
    // Real logits 0 and ln 3 → D = 1/2, 3/4; fake logit 0 → 1 − D = 1/2.
    double expected = (Math.log(0.5) + Math.log(0.75)) / 2 + Math.log(0.5);
    JsdBound.Result l = JsdBound.fromLogits(new double[] {0, Math.log(3)}, new double[] {0});
    JsdBound.Result p = JsdBound.fromProbabilities(new double[] {0.5, 0.75}, new double[] {0.5});
    assertThat(l.value()).isCloseTo(expected, within(1e-14));
    assertThat(p.value()).isCloseTo(expected, within(1e-14));
    assertThat(l.jsdLowerBound()).isCloseTo((expected + Math.log(4)) / 2, within(1e-14));
    assertThat(JsdBound.fromLogits(new float[] {0f}, new float[] {0f}).jsdLowerBound())
        .isCloseTo(0, within(1e-15));
  }

  @Test
  void rejectsEmptyOrInvalidInput() {
    assertThatThrownBy(() -> JsdBound.fromLogits(new double[0], new double[] {0}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> JsdBound.fromProbabilities(new double[] {1.5}, new double[] {0}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[0, 1]");
  }
}
