package dev.agon.engine;

import dev.agon.checkpoint.CheckpointException;
import dev.agon.checkpoint.CheckpointStore;
import dev.agon.config.AgonConfig;
import dev.agon.config.LoadedConfig;
import dev.agon.config.Player;
import dev.agon.engine.RemoteGenerator.Spawned;
import dev.agon.engine.TensorWire.Broken;
import dev.agon.engine.TensorWire.Poller;
import dev.agon.engine.serialization.TensorMessageSerializer;
import dev.agon.train.PlayerState;
import dev.agon.train.Schedule;
import dev.agon.transport.Endpoint;
import dev.agon.transport.TensorPublisher;
import dev.agon.transport.Transport;
import dev.agon.transport.TransportSettings;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * What a role on another JVM ({@link RemoteGenerator}, {@link RemoteDiscriminator}, the DataLoader
 * and Evaluator of {@link RemoteService}) has in common on the role's node: the host that answers
 * Spawn with a gate, the gate's control relay and Broken/Gone handling, and where the player starts
 * ({@link Start}). The coordinator side, the proxy that finds the host, asks it to spawn the role
 * and relays, is {@link RemoteProxy}. Each role supplies what differs: its service key and Spawn,
 * the actor its gate spawns, and which messages cross as tensors ({@link TensorWire}).
 */
final class RemotePlayer {
  private RemotePlayer() {}

  /** A tensor message from the player's node, handed to the proxy by its polling thread. */
  record Inbound(Object message) {}

  /** The other side (the gate for the proxy, the proxy for the gate) stopped or was lost. */
  record Gone() {}

  /** The role a stand-in of {@code player} ("Generator", "DataLoader") stands for. */
  static String role(String player) {
    return player.replaceAll("(?<=[a-z])(?=[A-Z])", "-").toLowerCase(Locale.ROOT);
  }

  /** What the host and gate need of a player's Spawn (its record accessors implement it). */
  interface Launch {
    long runId();

    byte[] token();

    String aeronDir();

    String checkpoint();

    double lrScale();

    ActorRef<Object> proxy();

    ActorRef<Spawned> replyTo();

    /** With {@code cluster.transport = udp}: the coordinator node's receiving end; null: IPC. */
    default RemoteGenerator.Udp udp() {
      return null;
    }
  }

  /** Makes one launch's gate on the player's node. */
  interface GateFactory<S> {
    Behavior<Object> create(ResumePoint point, Transport transport, S spawn);
  }

  /**
   * The role's node side: answers each Spawn with a gate (or the reason it could not start one).
   * Over IPC ({@code own} null) the node's Aeron client reaches the coordinator node's driver on
   * the first spawn and lives with the host (a new one if a later spawn names another driver); over
   * UDP ({@code own} not null) the node's own media driver, receiving at {@code data} (Spawned
   * names it): a player's state then comes over the transport (the gate's {@link Start}), never
   * from the run directory, and the gate factory gets a null point.
   */
  static <C, S extends C> Behavior<C> host(
      Class<C> commands,
      Class<S> spawns,
      String player,
      LoadedConfig loaded,
      Transport own,
      Endpoint data,
      GateFactory<S> gates) {
    return Behaviors.setup(
        ctx -> {
          Transport[] transport = new Transport[1];
          int[] launches = new int[1];
          return Behaviors.receive(commands)
              .onMessage(
                  spawns,
                  m -> {
                    Launch s = (Launch) m;
                    try {
                      if (s.udp() != null || own != null) {
                        if (s.udp() == null || own == null) {
                          throw new IllegalStateException(
                              "cluster.transport differs between this node and the coordinator's");
                        }
                        ActorRef<Object> gate =
                            ctx.spawn(gates.create(null, own, m), "gate-" + ++launches[0]);
                        s.replyTo().tell(new Spawned(gate, null, data.host(), data.port()));
                        return Behaviors.same();
                      }
                      if (transport[0] == null
                          || !transport[0].aeronDir().equals(Path.of(s.aeronDir()).toString())) {
                        if (transport[0] != null) {
                          transport[0].close();
                        }
                        transport[0] =
                            Transport.start(
                                TransportSettings.defaults()
                                    .withDriver(
                                        TransportSettings.DriverMode.EXTERNAL,
                                        Path.of(s.aeronDir())));
                      }
                      ResumePoint point =
                          new ResumePoint(
                              loaded.config(),
                              loaded.rendered(),
                              s.checkpoint() == null
                                  ? null
                                  : CheckpointStore.read(Path.of(s.checkpoint())),
                              s.lrScale());
                      ActorRef<Object> gate =
                          ctx.spawn(gates.create(point, transport[0], m), "gate-" + ++launches[0]);
                      s.replyTo().tell(new Spawned(gate, null, null, 0));
                    } catch (RuntimeException | CheckpointException e) {
                      ctx.getLog().error("cannot start the " + player, e);
                      s.replyTo().tell(new Spawned(null, String.valueOf(e.getMessage()), null, 0));
                    }
                    return Behaviors.same();
                  })
              .onSignal(
                  PostStop.class,
                  p -> {
                    if (transport[0] != null) {
                      transport[0].close();
                    }
                    return Behaviors.same();
                  })
              .build();
        });
  }

  /**
   * The gate's shared part, after its own handlers {@code own}: control to the player (state
   * replies through {@code outbound}), a broken stream fails the gate, the proxy's loss stops it;
   * watching the player and outbound makes their failure the gate's (death pact).
   */
  static Behavior<Object> gate(
      ActorContext<Object> ctx,
      BehaviorBuilder<Object> own,
      ActorRef<? super PlayerControl> player,
      ActorRef<Object> outbound,
      Launch s,
      Poller poller,
      TensorPublisher pub) {
    return roleGate(
        ctx,
        own.onMessage(
                PlayerControl.GetState.class,
                g -> {
                  player.tell(new PlayerControl.GetState(outbound.narrow()));
                  return Behaviors.same();
                })
            .onMessage(
                PlayerControl.class,
                m -> {
                  player.tell(m);
                  return Behaviors.same();
                }),
        player,
        outbound,
        s,
        poller,
        pub);
  }

  /**
   * The gate of any role (a player, the DataLoader, the Evaluator) after its own handlers {@code
   * own}: a broken stream fails the gate, the proxy's loss stops it; watching the role's actor and
   * its outbound adapter (null: none) makes their failure the gate's. {@code poller} and {@code
   * pub} (null: the role has no stream that way) close with the gate.
   */
  static Behavior<Object> roleGate(
      ActorContext<Object> ctx,
      BehaviorBuilder<Object> own,
      ActorRef<?> role,
      ActorRef<Object> outbound,
      Launch s,
      Poller poller,
      TensorPublisher pub) {
    ctx.watch(role);
    if (outbound != null) {
      ctx.watch(outbound);
    }
    ctx.watchWith(s.proxy(), new Gone());
    return own.onMessage(
            Broken.class,
            b -> {
              throw new IllegalStateException(
                  "the transport from the coordinator node failed: " + b.why());
            })
        .onMessage(Gone.class, g -> Behaviors.stopped())
        .onSignal(
            PostStop.class,
            p -> {
              if (poller != null) {
                poller.close();
              }
              if (pub != null) {
                pub.close();
              }
              return Behaviors.same();
            })
        .build();
  }

  /**
   * Where a gate's player starts: {@code point} (IPC: read from the checkpoint by this node), or
   * over UDP the state the proxy sends as the first frame message of the launch (none for the
   * initial state). The poller offers each message; the player's supplier waits for the state on
   * the player's own thread (its other messages queue in its mailbox meanwhile, in order).
   */
  static final class Start {
    private final ResumePoint point;
    private final AgonConfig config;
    private final Player player;
    private final RemoteGenerator.RemoteStart start;
    private final CompletableFuture<PlayerState> state = new CompletableFuture<>();
    private final long waitMs;

    Start(ResumePoint point, LoadedConfig loaded, Player player, Launch s) {
      this.point = point;
      this.config = loaded.config();
      this.player = player;
      this.start = s.udp() == null ? null : s.udp().start();
      if (start != null && !start.stateFollows()) {
        state.complete(null);
      }
      TransportSettings t = TransportSettings.defaults();
      this.waitMs = t.connectTimeoutMs() + t.sendTimeoutMs();
    }

    /** From the poller: true if {@code m} was the awaited state (not for the player). */
    boolean offer(Object m) {
      return point == null && m instanceof PlayerState p && state.complete(p);
    }

    /** The player's start; over UDP waits for its state (bounded: a send's deadlines). */
    ResumePoint point() {
      if (point != null) {
        return point;
      }
      try {
        return new ResumePoint(config, player, state.get(waitMs, TimeUnit.MILLISECONDS), start);
      } catch (TimeoutException e) {
        throw new IllegalStateException(
            "the " + player.label() + "'s state did not arrive within " + waitMs + " ms", e);
      } catch (ExecutionException e) {
        throw new IllegalStateException(e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for the state", e);
      }
    }
  }

  /**
   * What a player's gate (G's or D's) starts with: the tensor serializer, where the player starts,
   * the publisher towards the coordinator node on stream {@code toCoordinator}, the tensor
   * dispatcher, the config, one sample's shape and the device placement.
   */
  record Kit(
      TensorMessageSerializer ser,
      Start start,
      TensorPublisher pub,
      DispatcherSelector pinned,
      AgonConfig config,
      long[] shape,
      Placement place) {

    static Kit of(
        ActorContext<Object> ctx,
        LoadedConfig loaded,
        ResumePoint point,
        Transport transport,
        Launch s,
        Player player,
        int toCoordinator) {
      AgonConfig c = loaded.config();
      return new Kit(
          TensorWire.serializer(ctx),
          new Start(point, loaded, player, s),
          transport.publisher(coordinatorEnd(s), toCoordinator, s.runId(), s.token()),
          DispatcherSelector.fromConfig(Coordinator.TENSOR_DISPATCHER),
          c,
          dev.agon.train.Factory.data(c).sampleShape(),
          Placement.of(c.devices()));
    }

    /** The player's setup: reports to {@code coordinator}, real batches from {@code data}. */
    PlayerCore.Setup setup(
        Schedule schedule,
        int segment,
        ActorRef<Coordinator.Command> coordinator,
        ActorRef<DataLoader.Command> data) {
      return new PlayerCore.Setup(
          TrainRun.settings(config),
          schedule,
          segment,
          coordinator,
          data,
          FaultInjection.fromSystemProperties());
    }

    /**
     * The gate's polling thread on {@code stream} at {@code data}: the awaited state (UDP) goes to
     * {@link #start}, every other message to {@code to}; a broken stream to {@code self}.
     */
    Poller poll(
        Transport transport,
        Endpoint data,
        int stream,
        Launch s,
        Consumer<Object> to,
        ActorRef<Object> self) {
      return TensorWire.poll(
          transport,
          data,
          stream,
          s.runId(),
          s.token(),
          "agon-from-coordinator",
          ser,
          m -> {
            if (!start.offer(m)) {
              to.accept(m);
            }
          },
          self);
    }
  }

  /** Where a gate publishes towards the coordinator node: its UDP endpoint, or IPC. */
  static Endpoint coordinatorEnd(Launch s) {
    return s.udp() == null ? Endpoint.ipc() : Endpoint.udp(s.udp().host(), s.udp().port());
  }
}
