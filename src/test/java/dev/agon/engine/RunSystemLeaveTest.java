package dev.agon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import dev.agon.config.ConfigLoader;
import dev.agon.testing.Await;
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
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.Subscribe;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run's actor system that is a cluster member (as {@code agon node --run} makes it) leaves the
 * cluster gracefully when the run ends: its coordinated shutdown takes it through Leaving and
 * Exiting while its remoting still works, so the other members see it exit and remove it, never
 * unreachable. A system whose remoting stops before its leave has converged cannot hear that it is
 * Exiting nor confirm it: its coordinated shutdown then times out phase after phase (and with TLS
 * was seen never to terminate), and the other members find it unreachable.
 *
 * <p>The leader moves a Leaving member on only every {@code leader-actions-interval}; 3 s here (1 s
 * by default) makes the leave take longer than stopping the remoting does, as a loaded machine did
 * in CI, so the outcome does not depend on timing luck.
 */
class RunSystemLeaveTest {
  @TempDir Path dir;

  private ActorSystem<ClusterEvent.ClusterDomainEvent> seed;

  /** The seed's cluster events, in order. */
  private final List<ClusterEvent.ClusterDomainEvent> events = new CopyOnWriteArrayList<>();

  @AfterEach
  void stopSeed() throws Exception {
    if (seed != null) {
      seed.terminate();
      seed.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void aFinishedRunsSystemExitsTheClusterInsteadOfBecomingUnreachable() throws Exception {
    seed = ActorSystem.create(watcher(), "agon", cluster(null));
    Cluster.get(seed).manager().tell(Join.create(Cluster.get(seed).selfMember().address()));
    Address seedAddress = Cluster.get(seed).selfMember().address();

    TrainRun running =
        TrainRun.start(
            ConfigLoader.load(
                Optional.of(TestConfigs.RING),
                List.of(
                    "schedule.iterations=1000000",
                    "schedule.batch-size=16",
                    "model.latent-dim=4",
                    "model.generator.hidden=[8]",
                    "model.discriminator.hidden=[8]",
                    "eval.every-steps=0",
                    "eval.plots=false",
                    "seed=5")),
            dir.resolve("run"),
            null,
            false,
            false,
            new TrainRun.Deployment(cluster(seedAddress), PlayerSites.LOCAL));
    // Only a system that has joined has a leave to make: end the run once the seed sees it Up (a
    // run of a fixed length could end before the leader, acting every 3 s, moved it Up; so it did
    // once in CI).
    Await.until(
        Duration.ofSeconds(60),
        () ->
            events.stream()
                .anyMatch(
                    e ->
                        e instanceof ClusterEvent.MemberUp u
                            && !u.member().address().equals(seedAddress)),
        "the seed sees the run's system Up: " + events);
    running.stop("the test saw the run's system Up");
    TrainRun.Result r = running.await();
    assertThat(r.finished().gSteps()).isPositive();

    Address run = runMember(seedAddress);
    Await.until(
        Duration.ofSeconds(60),
        () -> events.stream().anyMatch(e -> removed(e, run) || unreachable(e, run)),
        "the seed sees the run's system removed or unreachable: " + events);
    assertThat(events)
        .as("the seed's cluster events")
        .noneMatch(e -> unreachable(e, run))
        .anyMatch(
            e ->
                removed(e, run)
                    && ((ClusterEvent.MemberRemoved) e).previousStatus() == MemberStatus.exiting());
  }

  /** The address of the member that joined besides the seed: the run's system. */
  private Address runMember(Address seedAddress) {
    return events.stream()
        .filter(e -> e instanceof ClusterEvent.MemberEvent)
        .map(e -> ((ClusterEvent.MemberEvent) e).member().address())
        .filter(a -> !a.equals(seedAddress))
        .findFirst()
        .orElseThrow(() -> new AssertionError("the run's system never joined: " + events));
  }

  private static boolean removed(ClusterEvent.ClusterDomainEvent e, Address a) {
    return e instanceof ClusterEvent.MemberRemoved m && m.member().address().equals(a);
  }

  private static boolean unreachable(ClusterEvent.ClusterDomainEvent e, Address a) {
    return e instanceof ClusterEvent.UnreachableMember u && u.member().address().equals(a);
  }

  /** Records every cluster event the seed sees. */
  private Behavior<ClusterEvent.ClusterDomainEvent> watcher() {
    return Behaviors.setup(
        ctx -> {
          Cluster.get(ctx.getSystem())
              .subscriptions()
              .tell(Subscribe.create(ctx.getSelf(), ClusterEvent.ClusterDomainEvent.class));
          return Behaviors.receiveMessage(
              e -> {
                events.add(e);
                return Behaviors.same();
              });
        });
  }

  /**
   * A cluster member joining {@code seed} (null: none), the leader acting every 3 s; a member is
   * unreachable after 10 s without heartbeats, well after a leaving member that confirmed its exit
   * is removed (one leader tick).
   */
  private static Config cluster(Address seed) {
    return TestClusters.member(
        seed,
        Map.of(
            "pekko.cluster.leader-actions-interval", "3s",
            "pekko.cluster.failure-detector.acceptable-heartbeat-pause", "10s"));
  }
}
