package dev.agon.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.agon.config.LrScheduleConfig;
import dev.agon.config.MomentumRampConfig;
import dev.agon.config.OptimizerConfig;
import dev.agon.config.OptimizerKind;
import dev.agon.nn.Adam;
import dev.agon.nn.SgdMomentum;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The momentum ramp's values at given updates, worked out by hand (update n has n - 1 before). */
class MomentumRampTest {
  /** The 2014 recipe's shape, short: 0.5 until 10 updates are done, 0.7 after 10 more. */
  private static final MomentumRamp RAMP = new MomentumRamp(0.5, 0.7, 10, 20);

  @Test
  void momentumAtUpdate() {
    assertThat(RAMP.at(1)).isEqualTo(0.5);
    assertThat(RAMP.at(11)).isEqualTo(0.5); // 10 updates before it: the ramp starts here
    assertThat(RAMP.at(16)).isCloseTo(0.5 + 0.2 * 5 / 20, within(1e-15));
    assertThat(RAMP.at(21)).isCloseTo(0.6, within(1e-15));
    assertThat(RAMP.at(31)).isCloseTo(0.7, within(1e-15));
    assertThat(RAMP.at(1_000_000)).isCloseTo(0.7, within(1e-15));
    // downwards works the same way
    assertThat(new MomentumRamp(0.9, 0.0, 0, 4).at(3)).isCloseTo(0.45, within(1e-15));
  }

  @Test
  void ofConfigIsNullWithoutARamp() {
    assertThat(MomentumRamp.of(sgd(MomentumRampConfig.OFF))).isNull();
    assertThat(MomentumRamp.of(sgd(new MomentumRampConfig(0.7, 500, 124500))))
        .isEqualTo(new MomentumRamp(0.5, 0.7, 500, 124500));
  }

  private static OptimizerConfig sgd(MomentumRampConfig ramp) {
    return new OptimizerConfig(
        OptimizerKind.SGD, 0.1, 0.5, 0.999, 1e-8, 0.5, false, ramp, LrScheduleConfig.CONSTANT);
  }

  /**
   * Applied before each step, the ramp changes the factor the buffer decays by and keeps the
   * buffer: p = 1, lr 0.1, g = 1 every step, momentum 0.5 then 0.7.
   */
  @Test
  void appliedMomentumDrivesTheNextStep() {
    SgdMomentum sgd = new SgdMomentum(1, DataType.DOUBLE, 0.1, 0.5, false);
    INDArray p = Nd4j.ones(DataType.DOUBLE, 1, 1);
    INDArray g = Nd4j.ones(DataType.DOUBLE, 1, 1);
    MomentumRamp ramp = new MomentumRamp(0.5, 0.7, 0, 1);
    MomentumRamp.apply(ramp, sgd, 1);
    assertThat(sgd.momentum()).isEqualTo(0.5);
    sgd.step(p, g); // buf = 1, p = 0.9
    MomentumRamp.apply(ramp, sgd, 2);
    assertThat(sgd.momentum()).isCloseTo(0.7, within(1e-15));
    sgd.step(p, g); // buf = 0.7 + 1 = 1.7, p = 0.9 - 0.17
    assertThat(p.getDouble(0)).isCloseTo(0.73, within(1e-15));
  }

  @Test
  void nullRampAndAdamAreLeftAlone() {
    SgdMomentum sgd = new SgdMomentum(1, DataType.DOUBLE, 0.1, 0.5, false);
    MomentumRamp.apply(null, sgd, 50);
    assertThat(sgd.momentum()).isEqualTo(0.5);
    Adam adam = new Adam(1, DataType.DOUBLE, 1e-3, 0.5, 0.999, 1e-8);
    MomentumRamp.apply(RAMP, adam, 50); // no momentum to set; nothing thrown
    assertThat(adam.learningRate()).isEqualTo(1e-3);
  }

  @Test
  void rejectsImpossibleRamps() {
    assertThatThrownBy(() -> new MomentumRamp(0.5, 1.0, 0, 10))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new MomentumRamp(0.5, 0.7, -1, 10))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new MomentumRamp(0.5, 0.7, 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RAMP.at(0)).isInstanceOf(IllegalArgumentException.class);
    SgdMomentum nesterov = new SgdMomentum(1, DataType.DOUBLE, 0.1, 0.5, true);
    assertThatThrownBy(() -> nesterov.momentum(0.0)).isInstanceOf(IllegalArgumentException.class);
  }
}
