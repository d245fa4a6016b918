package dev.agon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.config.AgonConfig;
import dev.agon.config.Player;
import dev.agon.objective.DLoss;
import dev.agon.objective.GLoss;
import dev.agon.tensor.Tensors;
import dev.agon.train.DiscriminatorTrainer;
import dev.agon.train.Factory;
import dev.agon.train.GeneratorTrainer;
import dev.agon.train.PlainLoop;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;

/**
 * Historical averaging as Coordinator policy: weights and start set while the engine runs take
 * effect from each player's next update, are recorded with that update, and the run equals a plain
 * loop that applies the same policy at the recorded updates; bad requests are refused.
 */
class AveragingPolicyChangeTest extends ActorKitTest {
  @Test
  void policyChangesApplyAtRecordedUpdatesAndMatchThePlainLoop() {
    AgonConfig c = TestConfigs.smallRing("schedule.iterations=50", "schedule.batch-size=32");
    EngineSettings settings = TrainRun.settings(c);
    EngineHarness h = new EngineHarness();
    TestProbe<Messages.ControlReply> replies = kit.createTestProbe();
    StepHook policy =
        (actor, step) -> {
          if (actor == Player.DISCRIMINATOR && step == 15) {
            h.coordinator
                .get()
                .tell(
                    new Coordinator.ChangeAveraging(
                        Player.DISCRIMINATOR, -0.1, 0, replies.getRef()));
            h.coordinator
                .get()
                .tell(
                    new Coordinator.ChangeAveraging(
                        Player.DISCRIMINATOR, 0.01, 0, replies.getRef()));
            h.coordinator
                .get()
                .tell(
                    new Coordinator.ChangeAveraging(Player.GENERATOR, 0.005, 30, replies.getRef()));
          }
        };
    Coordinator.Finished f = h.run(kit, c, settings, policy, null);

    assertThat(replies.receiveMessage(Duration.ofSeconds(5)).outcome())
        .isEqualTo(Messages.Outcome.REFUSED);
    assertThat(replies.receiveMessage(Duration.ofSeconds(5)).outcome())
        .isEqualTo(Messages.Outcome.ACCEPTED);
    assertThat(replies.receiveMessage(Duration.ofSeconds(5)).outcome())
        .isEqualTo(Messages.Outcome.ACCEPTED);
    Messages.ScheduleEvent d = event(h, Messages.ScheduleEvent.Change.DISCRIMINATOR_AVERAGING);
    Messages.ScheduleEvent g = event(h, Messages.ScheduleEvent.Change.GENERATOR_AVERAGING);
    assertThat(d.value()).isEqualTo(0.01);
    assertThat(g.start()).isEqualTo(30);
    // The penalty appears from the recorded update on, not before.
    for (Messages.Report r : h.reports) {
      if (r instanceof Messages.DStepReport dr) {
        assertThat(dr.penalty() > 0).isEqualTo(dr.step() > d.dStep());
      } else if (r instanceof Messages.GStepReport gr) {
        assertThat(gr.penalty() > 0).isEqualTo(gr.step() > Math.max(g.gStep(), 30));
      }
    }

    long[] dims = Factory.data(c).sampleShape();
    GeneratorTrainer gt = GeneratorTrainer.create(c, dims);
    DiscriminatorTrainer dt = DiscriminatorTrainer.create(c, dims);
    PlainLoop.run(
        gt,
        dt,
        Factory.data(c),
        settings.schedule(),
        settings.batchSize(),
        50,
        new PlainLoop.Listener() {
          @Override
          public void dStep(long n, DLoss loss, long nanos) {
            if (n == d.dStep() - 1) {
              dt.historicalAveraging(d.value(), d.start());
            }
          }

          @Override
          public void gStep(long i, GLoss loss, long nanos) {
            if (i == g.gStep() - 1) {
              gt.historicalAveraging(g.value(), g.start());
            }
          }
        });
    EngineVsPlainLoopTest.assertBitEqual(
        Tensors.toFloats(f.generatorParams()), Tensors.toFloats(gt.params()));
    EngineVsPlainLoopTest.assertBitEqual(
        Tensors.toFloats(f.discriminatorParams()), Tensors.toFloats(dt.params()));
  }

  private static Messages.ScheduleEvent event(
      EngineHarness h, Messages.ScheduleEvent.Change change) {
    return h.reports.stream()
        .filter(r -> r instanceof Messages.ScheduleEvent e && e.change() == change)
        .map(r -> (Messages.ScheduleEvent) r)
        .findFirst()
        .orElseThrow();
  }
}
