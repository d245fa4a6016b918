package dev.agon.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LogSumExpTest {
  @Test
  void isFiniteAndExactWhereTheNaiveSumOverflowsOrVanishes() {
    double[] v = {7, 1e4, 1e4, -1e4, -1e4, 0, Math.log(3)};
    assertThat(LogSumExp.of(v, 1, 2)).isCloseTo(1e4 + Math.log(2), within(1e-9));
    assertThat(LogSumExp.of(v, 3, 2)).isCloseTo(-1e4 + Math.log(2), within(1e-9));
    assertThat(LogSumExp.of(v, 5, 2)).isCloseTo(Math.log(4), within(1e-15)); // log(1 + 3)
    assertThat(LogSumExp.of(v, 0, 1)).isEqualTo(7.0);
  }
}
