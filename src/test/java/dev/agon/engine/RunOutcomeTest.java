package dev.agon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.config.Player;
import dev.agon.train.PlayerState;
import dev.agon.train.Schedule;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ChildFailed;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/** What the Coordinator reports at a run's end, and the texts of an abort's causes. */
class RunOutcomeTest extends ActorKitTest {
  /** A position of 4 G and 8 D updates (k = 2). */
  private static Admission at() {
    return new Admission(new Schedule(2, 0, 10), 0, 10, 4, 8);
  }

  private static CheckpointCapture.Pair pair() {
    PlayerState g =
        new PlayerState(
            Player.GENERATOR,
            4,
            Map.of(Player.GENERATOR.label(), Nd4j.ones(3), "generator_ema", Nd4j.zeros(3)),
            Map.of());
    PlayerState d =
        new PlayerState(
            Player.DISCRIMINATOR, 8, Map.of(Player.DISCRIMINATOR.label(), Nd4j.ones(2)), Map.of());
    return new CheckpointCapture.Pair(g, d);
  }

  @Test
  void theFirstStopNamesTheReason() {
    RunOutcome o = new RunOutcome();
    assertThat(o.stopping()).isFalse();
    o.stopRequested("signal");
    o.stopRequested("later");
    assertThat(o.stopping()).isTrue();
    TestProbe<Coordinator.Finished> probe = kit.createTestProbe();
    o.started(probe.getRef());
    o.tell(at(), Optional.of(new RunOutcome.Abort("x failed", false)));
    assertThat(probe.receiveMessage().stopReason()).isEqualTo("signal");
  }

  @Test
  void theRunEndsOnceTheFinalStateIsInAndItsWriteHasEnded() {
    RunOutcome o = new RunOutcome();
    assertThat(o.finalStateDone(false)).isFalse();
    o.finalState(pair());
    assertThat(o.finalStateDone(false)).isTrue();
    assertThat(o.finalStateDone(true)).isFalse();
    o.finalWritten(new Checkpointer.Written(4, 8, true, null, "disk full", 1, 0));
    assertThat(o.finalStateDone(true)).isTrue();
  }

  @Test
  void aFinishedRunReportsItsFinalStateAndCheckpoint() {
    RunOutcome o = new RunOutcome();
    TestProbe<Coordinator.Finished> probe = kit.createTestProbe();
    o.started(probe.getRef());
    o.finalState(pair());
    o.finalWritten(new Checkpointer.Written(4, 8, true, Path.of("/runs/r/ckpt-4"), null, 0, 5));
    o.tell(at(), Optional.empty());
    Coordinator.Finished f = probe.receiveMessage();
    assertThat(f.gSteps()).isEqualTo(4);
    assertThat(f.dSteps()).isEqualTo(8);
    assertThat(f.generatorParams()).isEqualTo(Nd4j.ones(3));
    assertThat(f.discriminatorParams()).isEqualTo(Nd4j.ones(2));
    assertThat(f.generatorEma()).isEqualTo(Nd4j.zeros(3));
    assertThat(f.checkpoint()).isEqualTo(Path.of("/runs/r/ckpt-4"));
    assertThat(f.checkpointError()).isNull();
    assertThat(f.failure()).isNull();
    assertThat(f.stopReason()).isNull();
  }

  @Test
  void anAbortedRunReportsItsCauseAndNeitherStateNorCheckpoint() {
    RunOutcome o = new RunOutcome();
    TestProbe<Coordinator.Finished> probe = kit.createTestProbe();
    o.started(probe.getRef());
    // A final state that came in before the abort is not reported: it may be bad.
    o.finalState(pair());
    o.tell(at(), Optional.of(RunOutcome.Abort.diverged(diverged())));
    Coordinator.Finished f = probe.receiveMessage();
    assertThat(f.failure()).isEqualTo("generator update 5: loss NaN");
    assertThat(f.diverged()).isTrue();
    assertThat(f.gSteps()).isEqualTo(4);
    assertThat(f.generatorParams()).isNull();
    assertThat(f.discriminatorParams()).isNull();
    assertThat(f.generatorEma()).isNull();
    assertThat(f.checkpoint()).isNull();
  }

  private static Coordinator.Diverged diverged() {
    return new Coordinator.Diverged(Player.GENERATOR, 5, "loss NaN");
  }

  @Test
  void aFailedOrStoppedChildIsNamedWithItsCause() {
    ActorRef<Void> loader = kit.spawn(Behaviors.empty(), "data-loader");
    RunOutcome.Abort failed =
        RunOutcome.Abort.stopped(
            new ChildFailed(loader.unsafeUpcast(), new IllegalStateException("no file")));
    assertThat(failed.cause()).isEqualTo("data-loader failed: IllegalStateException: no file");
    assertThat(failed.diverged()).isFalse();
    RunOutcome.Abort stopped = RunOutcome.Abort.stopped(new Terminated(loader.unsafeUpcast()));
    assertThat(stopped.cause()).isEqualTo("data-loader stopped unexpectedly");
    assertThat(stopped.diverged()).isFalse();
  }
}
