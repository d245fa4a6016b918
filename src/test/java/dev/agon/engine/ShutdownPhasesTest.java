package dev.agon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;

/** The phases TrainRun's termination warning names: those that ran out their timeout. */
class ShutdownPhasesTest {
  @Test
  void namesThePhasesThatTimedOutAndOnlyThose() throws Exception {
    ActorSystem<Void> system =
        ActorSystem.create(
            Behaviors.empty(),
            "phases",
            ConfigFactory.parseString(
                    "pekko.coordinated-shutdown.phases.service-stop.timeout = 200ms\n"
                        + "pekko.coordinated-shutdown.phases.cluster-leave.timeout = 300ms")
                .withFallback(TrainRun.pekkoConfig()));
    ShutdownPhases phases = ShutdownPhases.watch(system);
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    // Two phases whose task never completes; cluster-leave exists without the cluster too.
    for (String phase :
        new String[] {
          CoordinatedShutdown.PhaseServiceStop(), CoordinatedShutdown.PhaseClusterLeave()
        }) {
      shutdown.addTask(phase, "never", CompletableFuture<Done>::new);
    }
    assertThat(phases.begun()).isFalse();
    assertThat(phases.timedOut()).isEmpty();

    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);

    assertThat(phases.begun()).isTrue();
    assertThat(phases.timedOut()).containsExactly("service-stop", "cluster-leave");
  }

  /**
   * TrainRun stops waiting for a system once Pekko gave up on its last phase: the signal comes when
   * actor-system-terminate has run for its timeout, not before the shutdown reached it.
   */
  @Test
  void signalsWhenTheLastPhaseHasRunForItsTimeout() throws Exception {
    ActorSystem<Void> system =
        ActorSystem.create(
            Behaviors.empty(),
            "phases",
            ConfigFactory.parseString(
                    "pekko.coordinated-shutdown.phases.actor-system-terminate.timeout = 300ms")
                .withFallback(TrainRun.pekkoConfig()));
    ShutdownPhases phases = ShutdownPhases.watch(system);
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseActorSystemTerminate(), "never", CompletableFuture<Done>::new);
    assertThat(phases.lastPhaseOverdue()).isNotDone();

    system.terminate();
    phases.lastPhaseOverdue().get(30, TimeUnit.SECONDS);
    assertThat(phases.timedOut()).containsExactly("actor-system-terminate");
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
