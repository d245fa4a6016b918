package dev.agon.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.agon.config.ClusterConfig;
import dev.agon.engine.TrainRun;
import java.net.BindException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.JoinSeedNodes;

/**
 * One {@code agon node} process: an actor system with the cluster provider over Artery TCP (TLS
 * when configured), joined through its seed, keeping the membership book (coordinator) or joining
 * through the handshake (every other role). {@link #ending()} completes when the node should end: a
 * refusal, a missing role, an unreachable seed, the coordinator gone, or the cluster complete with
 * {@link NodeSettings#exitWhenComplete()}. Idle cost: cluster gossip and heartbeats, about 0.01
 * cores (Artery TCP, measured in the transport notes).
 */
public final class ClusterNode implements AutoCloseable {
  /** The actor system's name: every node of a run must use the same one to join. */
  public static final String SYSTEM = "agon";

  /** Thrown when the node cannot start: its address cannot be bound. */
  public static final class StartException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StartException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final ActorSystem<Void> system;
  private final CompletableFuture<Ending> ending;
  private final CompletableFuture<String> welcomed;
  private final CompletableFuture<Void> complete;
  private final NodeSettings settings;

  private ClusterNode(
      NodeSettings settings,
      ActorSystem<Void> system,
      CompletableFuture<Ending> ending,
      CompletableFuture<String> w,
      CompletableFuture<Void> complete) {
    this.system = system;
    this.ending = ending;
    this.welcomed = w;
    this.complete = complete;
    this.settings = settings;
  }

  /**
   * {@link #start(NodeSettings, Consumer, Consumer, Consumer)} hosting nothing beyond the role
   * holders, with no placement listener.
   */
  public static ClusterNode start(NodeSettings s, Consumer<String> say) {
    return start(s, say, ctx -> {}, placement -> {});
  }

  /**
   * Starts the node and its join; returns at once ({@link #ending()} says how it ends).
   *
   * @param say receives the node's reports (joined, complete, a role gone or back), one line each
   * @param hosts spawns and registers what this node's roles serve (the Generator's host), once the
   *     node is welcomed (on the coordinator node: at start)
   * @param onPlacement on the coordinator node, receives which node holds each role (role label to
   *     host:port, roles missing left out) at start and after every change, on the membership
   *     book's actor (it must not block)
   * @throws StartException when the address cannot be bound (a port in use, an unknown host)
   */
  public static ClusterNode start(
      NodeSettings s,
      Consumer<String> say,
      Consumer<ActorContext<?>> hosts,
      Consumer<Map<String, String>> onPlacement) {
    CompletableFuture<Ending> ending = new CompletableFuture<>();
    CompletableFuture<String> welcomed = new CompletableFuture<>();
    CompletableFuture<Void> complete = new CompletableFuture<>();
    Behavior<Void> guardian =
        Behaviors.setup(
            ctx -> {
              if (s.coordinator()) {
                ActorRef<Handshake.Command> book =
                    ctx.spawn(
                        Membership.create(s, say, ending, onPlacement, complete), "membership");
                ctx.getSystem()
                    .receptionist()
                    .tell(Receptionist.register(Handshake.COORDINATOR, book));
                for (Role role : s.roles()) {
                  ActorRef<Handshake.RoleCommand> holder =
                      ctx.spawn(Behaviors.empty(), "role-" + role.label());
                  ctx.getSystem()
                      .receptionist()
                      .tell(Receptionist.register(Handshake.roleKey(role), holder));
                }
                hosts.accept(ctx);
                welcomed.complete("self");
              } else {
                ctx.spawn(Joiner.create(s, say, welcomed, ending, hosts), "joiner");
              }
              return Behaviors.empty();
            });
    ActorSystem<Void> system;
    try {
      system = ActorSystem.create(guardian, SYSTEM, pekkoConfig(s));
    } catch (RuntimeException e) {
      throw new StartException(bindFailure(s, e), e);
    }
    ClusterNode node = new ClusterNode(s, system, ending, welcomed, complete);
    Cluster cluster = Cluster.get(system);
    Address seed =
        s.seedPort() == 0
            ? cluster.selfMember().address()
            : new Address("pekko", SYSTEM, s.seedHost(), s.seedPort());
    cluster.manager().tell(new JoinSeedNodes(List.of(seed)));
    int wait = s.cluster().joinTimeoutSeconds();
    CompletableFuture.delayedExecutor(wait, TimeUnit.SECONDS)
        .execute(
            () -> {
              MemberStatus status = cluster.selfMember().status();
              boolean up = status == MemberStatus.up() || status == MemberStatus.weaklyUp();
              if (!up) {
                ending.complete(
                    Ending.refused(
                        "could not join the cluster through seed "
                            + s.seedHost()
                            + ":"
                            + s.seedPort()
                            + " within "
                            + wait
                            + " s (cluster.join-timeout-seconds): is an agon node listening"
                            + " there?"));
              } else if (!welcomed.isDone()) {
                ending.complete(
                    Ending.refused(
                        "joined through seed "
                            + s.seedHost()
                            + ":"
                            + s.seedPort()
                            + " but no coordinator node answered within "
                            + wait
                            + " s (cluster.join-timeout-seconds)"));
              }
            });
    // A system that stops by itself (downed by the coordinator, a fatal error) ends the node.
    system
        .getWhenTerminated()
        .thenRun(
            () -> {
              // SIGTERM runs coordinated shutdown with the JVM-exit reason: a clean stop.
              boolean signalled =
                  CoordinatedShutdown.get(system)
                      .getShutdownReason()
                      .map(r -> r == CoordinatedShutdown.jvmExitReason())
                      .orElse(false);
              ending.complete(
                  signalled
                      ? Ending.done()
                      : new Ending(1, "this node left the cluster (removed by the coordinator?)"));
            });
    return node;
  }

  /** Completes when the node should end, with its exit status and reason. */
  public CompletableFuture<Ending> ending() {
    return ending;
  }

  /** Coordinator node: completes the first time every role is up. */
  public CompletableFuture<Void> complete() {
    return complete;
  }

  /** Completes with the coordinator's {@code host:port} once this node was welcomed. */
  public CompletableFuture<String> welcomed() {
    return welcomed;
  }

  /** This node's {@code host:port}. */
  public String address() {
    return Membership.node(Cluster.get(system).selfMember().address());
  }

  /**
   * Members in state Up or WeaklyUp as this node's cluster state shows them: a volatile read of the
   * current gossip snapshot, cheap enough for every scrape.
   */
  public int membersUp() {
    int n = 0;
    for (org.apache.pekko.cluster.Member m : Cluster.get(system).state().getMembers()) {
      if (m.status() == MemberStatus.up() || m.status() == MemberStatus.weaklyUp()) {
        n++;
      }
    }
    return n;
  }

  /** Leaves the cluster (gracefully, through coordinated shutdown) and stops the actor system. */
  @Override
  public void close() {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      // Ending anyway: the process exits after this.
    }
  }

  /**
   * The Pekko settings of the engine's own actor system on this node: a cluster member on a free
   * port of this node's host, joining through this node, so that the engine's actors reach the
   * other nodes' (and the Receptionist finds them); signals stay the engine's (as in agon train).
   */
  public Config engineConfig() {
    Address self = Cluster.get(system).selfMember().address();
    NodeSettings s = settings;
    Map<String, Object> m = new HashMap<>();
    m.put("pekko.remote.artery.canonical.port", 0);
    m.put(
        "pekko.cluster.seed-nodes",
        List.of("pekko://" + SYSTEM + "@" + self.getHost().get() + ":" + self.getPort().get()));
    m.put("pekko.jvm-shutdown-hooks", "off");
    m.put("pekko.coordinated-shutdown.run-by-jvm-shutdown-hook", "off");
    m.put("pekko.loglevel", "INFO");
    return ConfigFactory.parseMap(m).withFallback(pekkoConfig(s));
  }

  /** The engine's Pekko settings with the cluster provider and this node's address over them. */
  static Config pekkoConfig(NodeSettings s) {
    ClusterConfig c = s.cluster();
    Map<String, Object> m = new HashMap<>();
    m.put("pekko.actor.provider", "cluster");
    m.put("pekko.remote.artery.transport", c.tls().enabled() ? "tls-tcp" : "tcp");
    m.put("pekko.remote.artery.canonical.hostname", s.host());
    m.put("pekko.remote.artery.canonical.port", s.port());
    m.put("pekko.cluster.failure-detector.heartbeat-interval", c.heartbeatIntervalMs() + "ms");
    m.put(
        "pekko.cluster.failure-detector.acceptable-heartbeat-pause",
        c.acceptableHeartbeatPauseMs() + "ms");
    // The membership book downs unreachable members itself; no split-brain resolver.
    m.put("pekko.cluster.downing-provider-class", "");
    // Joins are bounded by cluster.join-timeout-seconds here, not by Pekko shutting down.
    m.put("pekko.cluster.shutdown-after-unsuccessful-join-seed-nodes", "off");
    m.put("pekko.cluster.jmx.enabled", "off");
    m.put("pekko.cluster.log-info", "off");
    // A node is a process of its own: SIGTERM leaves the cluster gracefully, and the process
    // exits when the command returns (the one-JVM engine handles its signals itself).
    m.put("pekko.jvm-shutdown-hooks", "on");
    m.put("pekko.coordinated-shutdown.run-by-jvm-shutdown-hook", "on");
    m.put("pekko.coordinated-shutdown.exit-jvm", "off");
    // Pekko's own warnings (a refused association, an unreachable member) are what the node
    // reports on stdout in its own words; errors still reach the log.
    m.put("pekko.loglevel", "ERROR");
    if (c.tls().enabled()) {
      String engine = "pekko.remote.artery.ssl.rotating-keys-engine.";
      m.put(
          "pekko.remote.artery.ssl.ssl-engine-provider",
          "org.apache.pekko.remote.artery.tcp.ssl.RotatingKeysSSLEngineProvider");
      m.put(engine + "key-file", c.tls().keyFile());
      m.put(engine + "cert-file", c.tls().certFile());
      m.put(engine + "ca-cert-file", c.tls().caCertFile());
    }
    return ConfigFactory.parseMap(m).withFallback(TrainRun.pekkoConfig()).resolve();
  }

  private static String bindFailure(NodeSettings s, Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException) {
        return "cannot listen on "
            + s.host()
            + ":"
            + s.port()
            + " (--host, --port): "
            + (t.getMessage() == null ? "address in use" : t.getMessage());
      }
    }
    return "cannot start the node on " + s.host() + ":" + s.port() + ": " + e.getMessage();
  }
}
