package dev.agon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.config.ConfigLoader;
import dev.agon.config.LoadedConfig;
import dev.agon.transport.Endpoint;
import dev.agon.transport.Transport;
import dev.agon.transport.TransportSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run whose Evaluator is on a node of its own starts training only once the Evaluator's stand-in
 * runs (its node's host answered): the run starts when every role is up. Training does not wait for
 * evaluations, so without this a run could write checkpoints before the stand-in had found the
 * evaluator node, and that node's loss then went unnoticed: there was no gate to watch, no pause,
 * only the find timeout minutes later (CI saw a run never pause after such a loss).
 *
 * <p>Three actor systems in this JVM: a seed, the run's (a cluster member, as {@code agon node
 * --run} makes it) and, later, the evaluator node's, whose host is registered only after the test
 * has seen the run not train while it was missing.
 */
class RemoteEvaluatorStartTest {
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
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void trainingWaitsForTheEvaluatorNodeAndThenRunsWithIt() throws Exception {
    transport =
        Transport.start(
            TransportSettings.defaults().withDriver(TransportSettings.DriverMode.EMBEDDED, dir));
    ActorSystem<Void> seed =
        ActorSystem.create(Behaviors.empty(), "agon", TestClusters.member(null, Map.of()));
    systems.add(seed);
    Address seedAddress = Cluster.get(seed).selfMember().address();
    Cluster.get(seed).manager().tell(Join.create(seedAddress));

    LoadedConfig loaded =
        ConfigLoader.load(
            Optional.of(TestConfigs.RING),
            List.of(
                "schedule.iterations=60",
                "schedule.batch-size=16",
                "model.latent-dim=4",
                "model.generator.hidden=[8]",
                "model.discriminator.hidden=[8]",
                "eval.every-steps=20",
                "eval.samples=200",
                "eval.plots=false",
                "seed=5"));
    Path runDir = dir.resolve("run");
    List<String> said = new CopyOnWriteArrayList<>();
    PlayerSites sites =
        PlayerSites.remote(
            transport,
            Endpoint.ipc(),
            Duration.ofSeconds(120),
            said::add,
            false,
            false,
            false,
            runDir.toAbsolutePath());
    TrainRun run =
        TrainRun.start(
            loaded,
            runDir,
            null,
            false,
            false,
            new TrainRun.Deployment(TestClusters.member(seedAddress, Map.of()), sites));

    // Without its Evaluator the run must not train at all. 5 s is long enough for these 60 ring
    // iterations many times over (well under a second here); a wait for nothing to happen.
    Path metrics = runDir.resolve("metrics.jsonl");
    Thread.sleep(5_000);
    assertThat(steps(metrics)).as("D updates before the evaluator node is up").isZero();

    ActorSystem<Void> evaluatorNode =
        ActorSystem.create(
            evaluatorHost(loaded), "agon", TestClusters.member(seedAddress, Map.of()));
    systems.add(evaluatorNode);

    TrainRun.Result r = run.await();
    assertThat(r.finished().failure()).isNull();
    assertThat(r.finished().gSteps()).isEqualTo(60);
    assertThat(said).anyMatch(l -> l.startsWith("the Evaluator runs on node "));
    assertThat(Files.readAllLines(metrics))
        .filteredOn(l -> l.contains("\"event\":\"eval\""))
        .anyMatch(l -> l.contains("\"step\":20,"))
        .anyMatch(l -> l.contains("\"final\":true"));
  }

  private static long steps(Path metrics) throws java.io.IOException {
    if (!Files.exists(metrics)) {
      return 0;
    }
    return Files.readAllLines(metrics).stream()
        .filter(l -> l.contains("\"event\":\"d_step\""))
        .count();
  }

  /** The evaluator node: its host, registered as agon node registers it. */
  private static Behavior<Void> evaluatorHost(LoadedConfig loaded) {
    return Behaviors.setup(
        ctx -> {
          var host =
              ctx.spawn(
                  RemoteService.evaluatorHost(loaded, null, Endpoint.ipc(), null),
                  "evaluator-host");
          ctx.getSystem()
              .receptionist()
              .tell(Receptionist.register(RemoteService.EVALUATOR_HOST, host));
          return Behaviors.empty();
        });
  }
}
