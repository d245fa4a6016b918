package dev.agon.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agon.config.LrScheduleConfig;
import dev.agon.config.LrScheduleKind;
import dev.agon.nn.Optimizer;
import dev.agon.nn.SgdMomentum;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The schedules' values at given updates, worked out by hand (update n has n - 1 before it). */
class LearningRateScheduleTest {
  private static final LearningRateSchedule LINEAR =
      new LearningRateSchedule(LrScheduleKind.LINEAR, 1e-4, 100, 1, 1);
  private static final LearningRateSchedule COSINE =
      new LearningRateSchedule(LrScheduleKind.COSINE, 1e-4, 100, 1, 1);
  private static final LearningRateSchedule STEP =
      new LearningRateSchedule(LrScheduleKind.STEP, 1e-4, 1, 10, 0.5);

  static Stream<Arguments> table() {
    return Stream.of(
        // schedule, base, update, expected rate
        Arguments.of(LearningRateSchedule.CONSTANT, 1e-3, 1L, 1e-3),
        Arguments.of(LearningRateSchedule.CONSTANT, 1e-3, 1_000_000L, 1e-3),
        Arguments.of(LINEAR, 1e-3, 1L, 1e-3),
        Arguments.of(LINEAR, 1e-3, 26L, 1e-4 + 9e-4 * 0.75),
        Arguments.of(LINEAR, 1e-3, 51L, 1e-4 + 9e-4 * 0.5),
        Arguments.of(LINEAR, 1e-3, 101L, 1e-4),
        Arguments.of(LINEAR, 1e-3, 5000L, 1e-4),
        Arguments.of(COSINE, 1e-3, 1L, 1e-3),
        Arguments.of(COSINE, 1e-3, 26L, 1e-4 + 9e-4 * (1 + Math.sqrt(0.5)) / 2),
        Arguments.of(COSINE, 1e-3, 51L, 1e-4 + 9e-4 * 0.5),
        Arguments.of(COSINE, 1e-3, 76L, 1e-4 + 9e-4 * (1 - Math.sqrt(0.5)) / 2),
        Arguments.of(COSINE, 1e-3, 101L, 1e-4),
        Arguments.of(COSINE, 1e-3, 200L, 1e-4),
        Arguments.of(STEP, 1e-3, 1L, 1e-3),
        Arguments.of(STEP, 1e-3, 10L, 1e-3),
        Arguments.of(STEP, 1e-3, 11L, 5e-4),
        Arguments.of(STEP, 1e-3, 21L, 2.5e-4),
        Arguments.of(STEP, 1e-3, 31L, 1.25e-4),
        Arguments.of(STEP, 1e-3, 41L, 1e-4), // 6.25e-5 is below the floor
        Arguments.of(STEP, 1e-3, 1_000_001L, 1e-4),
        // a live change below the floor is taken as asked: the floor never raises the base
        Arguments.of(LINEAR, 5e-5, 1L, 5e-5),
        Arguments.of(LINEAR, 5e-5, 101L, 5e-5),
        Arguments.of(STEP, 5e-5, 31L, 5e-5),
        // a live change re-bases the curve at the schedule's current position
        Arguments.of(LINEAR, 2e-3, 51L, 1e-4 + 1.9e-3 * 0.5));
  }

  @ParameterizedTest(name = "{0} base {1} update {2}")
  @MethodSource("table")
  void rateAtUpdate(LearningRateSchedule s, double base, long n, double expected) {
    assertThat(s.at(base, n)).isCloseTo(expected, org.assertj.core.api.Assertions.within(1e-18));
  }

  /** The 2014 recipe: divide by 1.000004 after every update, floor 1e-6. */
  @Test
  void goodfellowDecayPerUpdate() {
    LearningRateSchedule s =
        new LearningRateSchedule(LrScheduleKind.STEP, 1e-6, 1, 1, 1 / 1.000004);
    assertThat(s.at(0.1, 1)).isEqualTo(0.1);
    // the factor 1/1.000004 is rounded once and raised to the 1000th power: ~1000 ulps
    assertThat(s.at(0.1, 1001)).isCloseTo(0.1 / Math.pow(1.000004, 1000), within(1e-13));
    assertThat(s.at(0.1, 10_000_001)).isEqualTo(1e-6);
  }

  /** The config's decay length is used as is (not the run's length, which a resume may change). */
  @Test
  void fromConfig() {
    LearningRateSchedule s =
        LearningRateSchedule.of(new LrScheduleConfig(LrScheduleKind.LINEAR, 0.0, 3000, 1, 1.0));
    assertThat(s.updates()).isEqualTo(3000);
    assertThat(s.at(1e-3, 1501)).isCloseTo(5e-4, within(1e-18));
    assertThat(s.at(1e-3, 3001)).isZero();
    assertThat(LearningRateSchedule.of(LrScheduleConfig.CONSTANT).at(1e-3, 99)).isEqualTo(1e-3);
  }

  /**
   * A scheduled step runs the optimizer at the schedule's rate and leaves its rate at the base, the
   * value live changes, rollbacks and checkpoints read and write.
   */
  @Test
  void stepUsesTheScheduledRateAndKeepsTheBase() {
    Optimizer sgd = new SgdMomentum(2, DataType.DOUBLE, 1e-3);
    INDArray p = Nd4j.createFromArray(new double[][] {{1.0, 2.0}});
    INDArray g = Nd4j.createFromArray(new double[][] {{1.0, 1.0}});
    double used = STEP.step(sgd, 11, p, g);
    assertThat(used).isEqualTo(5e-4);
    assertThat(sgd.learningRate()).isEqualTo(1e-3);
    assertThat(p.getDouble(0, 0)).isEqualTo(1.0 - 5e-4);
  }

  /**
   * In a trainer: the optimizer's rate stays the base (what a checkpoint saves), each update runs
   * at the schedule's rate, and a live change (PendingPolicy sets the optimizer's rate) replaces
   * the base from the next update on while the schedule keeps its position.
   */
  @Test
  void aLiveChangeRebasesTheTrainersSchedule() throws Exception {
    dev.agon.config.AgonConfig c =
        dev.agon.config.ConfigLoader.load(
                java.util.Optional.of(java.nio.file.Path.of("config", "ring.conf")),
                java.util.List.of(
                    "schedule.batch-size=8",
                    "model.latent-dim=4",
                    "model.generator.hidden=[4]",
                    "model.discriminator.hidden=[4]",
                    "optim.discriminator.schedule.kind=step",
                    "optim.discriminator.schedule.every=2",
                    "optim.discriminator.schedule.factor=0.5"))
            .config();
    DiscriminatorTrainer d = DiscriminatorTrainer.create(c, 2);
    INDArray real = Nd4j.rand(d.network().dtype(), 8, 2);
    INDArray fake = Nd4j.rand(d.network().dtype(), 8, 2);
    double[] used = new double[5];
    for (int n = 1; n <= 5; n++) {
      if (n == 4) {
        d.optimizer().learningRate(1e-3);
      }
      d.step(real, fake);
      used[n - 1] = d.lastLearningRate();
    }
    assertThat(used).containsExactly(1e-4, 1e-4, 5e-5, 5e-4, 2.5e-4);
    assertThat(d.optimizer().learningRate()).isEqualTo(1e-3);
    assertThat(PlayerState.of(d).scalars()).containsEntry("lr", "0.001");
  }

  @Test
  void refusesBadShapes() {
    assertThatThrownBy(() -> new LearningRateSchedule(LrScheduleKind.STEP, 0, 1, 0, 0.5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LearningRateSchedule(LrScheduleKind.STEP, 0, 1, 1, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LearningRateSchedule(LrScheduleKind.LINEAR, -1, 1, 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LINEAR.at(1e-3, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  private static org.assertj.core.data.Offset<Double> within(double d) {
    return org.assertj.core.api.Assertions.within(d);
  }
}
