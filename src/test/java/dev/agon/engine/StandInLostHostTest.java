package dev.agon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.testing.Await;
import dev.agon.transport.Endpoint;
import dev.agon.transport.Transport;
import dev.agon.transport.TransportSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.ChildFailed;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A role's stand-in that has asked a host on another node to spawn the role, and lost that node
 * before the answer came, ends with {@link NodeLost} (the run pauses until the role is back), as it
 * does once the role runs: it must not wait out the find timeout and then fail as if no node had
 * ever answered (a restart), nor wait forever. The Evaluator is the role this happens to in
 * practice: training goes on without it, so a run can write checkpoints while its evaluator node
 * still starts, and be killed then (CI saw a run never pause after such a loss).
 *
 * <p>Two actor systems in this JVM form the cluster; the host on the second answers no Spawn, and
 * the first downs the second, as the coordinator's membership book downs an unreachable node.
 */
class StandInLostHostTest {
  /** Far beyond the test's wait: a stand-in that only ends at its find timeout fails the test. */
  static final Duration FIND_TIMEOUT = Duration.ofSeconds(120);

  @TempDir Path dir;

  private final List<ActorSystem<?>> systems = new CopyOnWriteArrayList<>();
  private Transport transport;

  @AfterEach
  void stop() throws Exception {
    for (ActorSystem<?> s : systems) {
      s.terminate();
      s.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    if (transport != null) {
      transport.close();
    }
  }

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void anEvaluatorStandInWhoseHostsNodeIsLostBeforeItAnsweredEndsWithNodeLost() throws Exception {
    transport =
        Transport.start(
            TransportSettings.defaults().withDriver(TransportSettings.DriverMode.EMBEDDED, dir));
    CompletableFuture<Throwable> failure = new CompletableFuture<>();
    CompletableFuture<Object> spawnAsked = new CompletableFuture<>();

    ActorSystem<Void> coordinator =
        ActorSystem.create(
            parent(transport, dir, failure), "agon", TestClusters.member(null, Map.of()));
    systems.add(coordinator);
    Address seed = Cluster.get(coordinator).selfMember().address();
    Cluster.get(coordinator).manager().tell(Join.create(seed));

    ActorSystem<Void> evaluatorNode =
        ActorSystem.create(silentHost(spawnAsked), "agon", TestClusters.member(seed, Map.of()));
    systems.add(evaluatorNode);
    Address lost = Cluster.get(evaluatorNode).selfMember().address();

    spawnAsked.get(60, TimeUnit.SECONDS);
    Cluster.get(coordinator).manager().tell(new Down(lost));

    Throwable cause;
    try {
      cause = failure.get(60, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError(
          "the stand-in did not end within 60 s of its host's node being downed", e);
    }
    assertThat(cause)
        .as("the stand-in's end")
        .isInstanceOf(NodeLost.class)
        .hasMessageContaining("evaluator node");
    assertThat(((NodeLost) cause).role).isEqualTo("evaluator");
    Await.until(
        Duration.ofSeconds(30),
        () -> evaluatorNode.getWhenTerminated().toCompletableFuture().isDone(),
        "the downed node's system ends");
  }

  /** Spawns the Evaluator's stand-in and records the cause it fails with. */
  private static Behavior<Void> parent(
      Transport transport, Path dir, CompletableFuture<Throwable> failure) {
    return Behaviors.<Void>setup(
            ctx -> {
              ActorRef<Evaluator.Ready> client = ctx.getSystem().ignoreRef();
              ActorRef<Messages.EvalReport> reports = ctx.getSystem().ignoreRef();
              ActorRef<Object> stand =
                  ctx.spawn(
                      RemoteService.evaluator(
                          transport,
                          Endpoint.ipc(),
                          dir,
                          client,
                          reports,
                          ctx.getSystem().ignoreRef(),
                          FIND_TIMEOUT,
                          line -> {}),
                      "evaluator",
                      DispatcherSelector.fromConfig(Coordinator.TENSOR_DISPATCHER));
              ctx.watch(stand);
              return Behaviors.receive(Void.class)
                  .onSignal(
                      ChildFailed.class,
                      f -> {
                        failure.complete(f.getCause());
                        return Behaviors.same();
                      })
                  .onSignal(
                      Terminated.class,
                      t -> {
                        failure.completeExceptionally(
                            new AssertionError("the stand-in stopped without failing"));
                        return Behaviors.same();
                      })
                  .build();
            })
        .narrow();
  }

  /** An evaluator host that takes a Spawn and never answers it (its node still starting). */
  private static Behavior<Void> silentHost(CompletableFuture<Object> spawnAsked) {
    return Behaviors.<Object>setup(
            ctx -> {
              ActorRef<RemoteService.HostCommand> self = ctx.getSelf().narrow();
              ctx.getSystem()
                  .receptionist()
                  .tell(Receptionist.register(RemoteService.EVALUATOR_HOST, self));
              return Behaviors.receiveMessage(
                  m -> {
                    spawnAsked.complete(m);
                    return Behaviors.same();
                  });
            })
        .narrow();
  }
}
