package dev.agon.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** {@link Init#uniform}: pylearn2's irange, as the 2014 GAN code initialised its layers. */
class InitTest {

  private static void assertUniformWithZeroBias(INDArray w, INDArray b, double range) {
    double max = w.amaxNumber().doubleValue();
    assertThat(max).as("|w| within the range").isLessThanOrEqualTo(range);
    // 2,400 draws from U(-r, r): the largest is above 0.99 r unless the draw is broken
    assertThat(max).as("the range is used").isGreaterThan(0.99 * range);
    assertThat(w.meanNumber().doubleValue())
        .isCloseTo(0.0, org.assertj.core.api.Assertions.within(range / 20));
    assertThat(b.amaxNumber().doubleValue()).as("biases are 0").isEqualTo(0.0);
  }

  @Test
  void linearWeightsAreUniformInTheRangeWithZeroBiases() {
    Sequential net =
        Sequential.builder(60).init(Init.uniform(0.05)).linear(40).build(DataType.FLOAT, 7);
    Linear l = (Linear) net.layer(0);
    assertUniformWithZeroBias(l.weight(), l.bias(), 0.05);
  }

  @Test
  void maxoutWeightsAreUniformInTheRangeWithZeroBiases() {
    Init init = Init.uniform(0.005);
    Sequential net =
        Sequential.builder(60).add((s, t) -> new Maxout(60, 8, 5, init)).build(DataType.FLOAT, 7);
    Maxout m = (Maxout) net.layer(0);
    assertUniformWithZeroBias(m.weight(), m.bias(), 0.005);
  }

  /** The draw is keyed by the seed alone: the same seed gives the same weights, another not. */
  @Test
  void drawsAreKeyedBySeed() {
    Sequential.Builder b = Sequential.builder(6).init(Init.uniform(0.05)).linear(4);
    assertThat(b.build(DataType.FLOAT, 3).params()).isEqualTo(b.build(DataType.FLOAT, 3).params());
    assertThat(b.build(DataType.FLOAT, 3).params())
        .isNotEqualTo(b.build(DataType.FLOAT, 4).params());
  }

  /** Maxout's default is still PyTorch's fan-in scheme: biases drawn, not zero. */
  @Test
  void maxoutDefaultIsPyTorchs() {
    Sequential net =
        Sequential.builder(16).add((s, t) -> new Maxout(16, 4, 2)).build(DataType.FLOAT, 7);
    Maxout m = (Maxout) net.layer(0);
    assertThat(m.weight().amaxNumber().doubleValue()).isLessThanOrEqualTo(0.25).isGreaterThan(0.2);
    assertThat(m.bias().amaxNumber().doubleValue()).isGreaterThan(0.0);
  }

  @Test
  void rejectsRangesThatAreNotPositiveAndFinite() {
    for (double r : new double[] {0.0, -0.05, Double.NaN, Double.POSITIVE_INFINITY}) {
      assertThatThrownBy(() -> Init.uniform(r))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("range");
    }
  }
}
