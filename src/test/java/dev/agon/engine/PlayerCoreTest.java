package dev.agon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.config.Player;
import dev.agon.nn.SgdMomentum;
import dev.agon.train.PlayerState;
import dev.agon.train.Schedule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The part G and D share, without the actors: admissions, the policy bracket around an update, the
 * halt after a divergence and the state reply. A probe stands in for the Coordinator.
 */
class PlayerCoreTest extends ActorKitTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final TestProbe<Coordinator.Command> coordinator = kit.createTestProbe();
  private final List<Long> hooked = new ArrayList<>();
  private final PlayerState state =
      new PlayerState(Player.DISCRIMINATOR, 4, Map.of(), Map.of("lr", "0.5"));

  private PlayerCore core(long version) {
    EngineSettings settings = new EngineSettings(2, 0, 10, 4, 1);
    return new PlayerCore(
        Player.DISCRIMINATOR,
        new PlayerCore.Setup(
            settings,
            settings.schedule(),
            3,
            coordinator.ref(),
            null,
            (player, step) -> hooked.add(step)),
        version,
        () -> state);
  }

  @Test
  void admissionsOnlyGrowAndNothingRunsPastThem() {
    PlayerCore core = core(4);
    assertThat(core.admitsNext()).isFalse();
    assertThat(core.apply(new PlayerControl.Admit(6))).isTrue();
    assertThat(core.admitsNext()).isTrue();
    // A late, smaller admission does not take back what was admitted.
    core.apply(new PlayerControl.Admit(5));
    assertThat(core.completed(5, 1.0, Nd4j.ones(DataType.FLOAT, 3))).isTrue();
    assertThat(core.completed(6, 1.0, Nd4j.ones(DataType.FLOAT, 3))).isTrue();
    assertThat(core.version()).isEqualTo(6);
    assertThat(core.admitsNext()).isFalse();
  }

  @Test
  void policyChangesWaitForTheNextUpdateAndAreReportedWithIt() {
    PlayerCore core = core(4);
    assertThat(core.apply(new PlayerControl.SetLearningRate(0.25))).isFalse();
    assertThat(core.apply(new PlayerControl.SetAveraging(0.5, 7))).isFalse();
    coordinator.expectNoMessage(Duration.ofMillis(100));
    SgdMomentum optimizer = new SgdMomentum(3, DataType.FLOAT, 1.0);
    double[] averaging = new double[2];
    core.beforeStep(5, optimizer, (w, s) -> averaging[0] = w);
    assertThat(optimizer.learningRate()).isEqualTo(0.25);
    assertThat(averaging[0]).isEqualTo(0.5);
    assertThat(hooked).containsExactly(5L);
    assertThat(coordinator.expectMessageClass(Coordinator.LearningRateApplied.class, WAIT))
        .isEqualTo(new Coordinator.LearningRateApplied(Player.DISCRIMINATOR, 5, 0.25));
    assertThat(coordinator.expectMessageClass(Coordinator.AveragingApplied.class, WAIT))
        .isEqualTo(new Coordinator.AveragingApplied(Player.DISCRIMINATOR, 5, 0.5, 7));
    // Applied once: the next update changes nothing more.
    optimizer.learningRate(1.0);
    core.beforeStep(6, optimizer, (w, s) -> averaging[1] = w);
    assertThat(optimizer.learningRate()).isEqualTo(1.0);
    assertThat(averaging[1]).isZero();
    coordinator.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void aDivergedUpdateHaltsThePlayerAndIsReported() {
    PlayerCore core = core(4);
    core.apply(new PlayerControl.Admit(9));
    assertThat(core.completed(5, Double.NaN, Nd4j.ones(DataType.FLOAT, 3))).isFalse();
    assertThat(core.version()).isEqualTo(4);
    assertThat(core.admitsNext()).isFalse();
    Coordinator.Diverged d = coordinator.expectMessageClass(Coordinator.Diverged.class, WAIT);
    assertThat(d.model()).isEqualTo(Player.DISCRIMINATOR);
    assertThat(d.step()).isEqualTo(5);
  }

  @Test
  void aRescheduleTakesTheNewSegmentAndGetStateAnswersTheState() {
    PlayerCore core = core(4);
    Schedule next = new Schedule(3, 1, 10);
    assertThat(core.apply(new PlayerControl.Reschedule(next, 4))).isTrue();
    assertThat(core.schedule()).isEqualTo(next);
    assertThat(core.segment()).isEqualTo(4);
    TestProbe<PlayerState> replies = kit.createTestProbe();
    assertThat(core.apply(new PlayerControl.GetState(replies.ref()))).isFalse();
    assertThat(replies.receiveMessage(WAIT)).isEqualTo(state);
  }
}
