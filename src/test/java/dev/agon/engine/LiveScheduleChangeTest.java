package dev.agon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.config.AgonConfig;
import dev.agon.config.Player;
import dev.agon.objective.GLoss;
import dev.agon.tensor.Tensors;
import dev.agon.train.DiscriminatorTrainer;
import dev.agon.train.Factory;
import dev.agon.train.GeneratorTrainer;
import dev.agon.train.PlainLoop;
import dev.agon.train.Schedule;
import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;

/**
 * k, s and a learning rate changed while the engine runs: the change is accepted, takes effect at a
 * barrier that is recorded, every update before and after it follows its own schedule, and the
 * result equals a plain loop that applies the same changes at the recorded updates.
 */
class LiveScheduleChangeTest extends ActorKitTest {
  @Test
  void changeAppliesAtARecordedBarrierAndMatchesThePlainLoop() {
    AgonConfig c = TestConfigs.smallRing("schedule.iterations=60", "schedule.batch-size=32");
    EngineSettings settings = TrainRun.settings(c);
    EngineHarness h = new EngineHarness();
    TestProbe<Messages.ControlReply> replies = kit.createTestProbe();
    StepHook changeAtTen =
        (actor, step) -> {
          if (actor == Player.GENERATOR && step == 10) {
            h.coordinator
                .get()
                .tell(
                    new Coordinator.ChangeSchedule(
                        OptionalInt.of(0),
                        OptionalInt.empty(),
                        OptionalDouble.empty(),
                        OptionalDouble.empty(),
                        replies.getRef()));
            h.coordinator
                .get()
                .tell(
                    new Coordinator.ChangeSchedule(
                        OptionalInt.of(2),
                        OptionalInt.of(1),
                        OptionalDouble.of(5e-4),
                        OptionalDouble.empty(),
                        replies.getRef()));
          }
        };
    Coordinator.Finished f = h.run(kit, c, settings, changeAtTen, null);

    Messages.ControlReply rejected = replies.receiveMessage(Duration.ofSeconds(5));
    assertThat(rejected.outcome()).isEqualTo(Messages.Outcome.REFUSED);
    Messages.ControlReply accepted = replies.receiveMessage(Duration.ofSeconds(5));
    assertThat(accepted.outcome()).isEqualTo(Messages.Outcome.ACCEPTED);

    List<Messages.ScheduleEvent> events =
        h.reports.stream()
            .filter(r -> r instanceof Messages.ScheduleEvent)
            .map(r -> (Messages.ScheduleEvent) r)
            .toList();
    Messages.ScheduleEvent segment =
        events.stream()
            .filter(e -> e.change() == Messages.ScheduleEvent.Change.SCHEDULE)
            .findFirst()
            .orElseThrow();
    Messages.ScheduleEvent lr =
        events.stream()
            .filter(e -> e.change() == Messages.ScheduleEvent.Change.GENERATOR_LR)
            .findFirst()
            .orElseThrow();
    long barrierG = segment.gStep() - 1;
    long barrierD = segment.dStep() - 1;
    assertThat(barrierG).isGreaterThanOrEqualTo(9);
    assertThat(barrierD).isEqualTo(barrierG); // k was 1 up to the barrier
    assertThat(accepted.iteration()).as("the barrier the reply named").isEqualTo(barrierG);
    assertThat(segment.k()).isEqualTo(2);
    assertThat(segment.staleness()).isEqualTo(1);
    assertThat(lr.value()).isEqualTo(5e-4);

    Schedule before = settings.schedule();
    Schedule after = before.changedAt(barrierG, barrierD, 2, 1);
    for (Messages.Report r : h.reports) {
      if (r instanceof Messages.DStepReport d) {
        Schedule s = d.step() <= barrierD ? before : after;
        assertThat(d.generatorVersionUsed()).isEqualTo(s.generatorVersionFor(d.step()));
      } else if (r instanceof Messages.GStepReport g) {
        Schedule s = g.step() <= barrierG ? before : after;
        assertThat(g.discriminatorVersionUsed()).isEqualTo(s.discriminatorVersionFor(g.step()));
      }
    }
    assertThat(f.gSteps()).isEqualTo(60);
    assertThat(f.dSteps()).isEqualTo(after.dUpdates());

    int dims = Factory.data(c).dims();
    GeneratorTrainer g = GeneratorTrainer.create(c, dims);
    DiscriminatorTrainer d = DiscriminatorTrainer.create(c, dims);
    PlainLoop.Listener lrAt =
        new PlainLoop.Listener() {
          @Override
          public void gStep(long i, GLoss loss, long nanos) {
            if (i == lr.gStep() - 1) {
              g.optimizer().learningRate(lr.value());
            }
          }
        };
    PlainLoop.run(g, d, Factory.data(c), before, settings.batchSize(), barrierG, lrAt);
    PlainLoop.run(g, d, Factory.data(c), after, settings.batchSize(), 60, lrAt);
    EngineVsPlainLoopTest.assertBitEqual(
        Tensors.toFloats(f.generatorParams()), Tensors.toFloats(g.params()));
    EngineVsPlainLoopTest.assertBitEqual(
        Tensors.toFloats(f.discriminatorParams()), Tensors.toFloats(d.params()));
  }
}
