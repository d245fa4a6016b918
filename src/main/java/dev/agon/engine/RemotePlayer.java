package dev.agon.engine;

import dev.agon.checkpoint.CheckpointException;
import dev.agon.checkpoint.CheckpointStore;
import dev.agon.config.LoadedConfig;
import dev.agon.engine.RemoteGenerator.Spawned;
import dev.agon.engine.TensorWire.Broken;
import dev.agon.engine.TensorWire.Poller;
import dev.agon.engine.serialization.TensorMessageSerializer;
import dev.agon.train.PlayerState;
import dev.agon.transport.Endpoint;
import dev.agon.transport.FrameKind;
import dev.agon.transport.TensorPublisher;
import dev.agon.transport.Transport;
import dev.agon.transport.TransportSettings;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * What a role on another JVM ({@link RemoteGenerator}, {@link RemoteDiscriminator}, the DataLoader
 * and Evaluator of {@link RemoteService}) has in common: the coordinator-side proxy that finds the
 * player's host through the Receptionist, asks it to spawn the player, stashes until the gate
 * answers and fails on a lost gate or a broken stream; the host that answers Spawn with a gate; and
 * the gate's control relay and Broken/Gone handling. Each player supplies what differs: its service
 * key and Spawn, the actor its gate spawns, and which messages cross as tensors ({@link
 * TensorWire}).
 */
final class RemotePlayer {
  private RemotePlayer() {}

  /** A tensor message from the player's node, handed to the proxy by its polling thread. */
  record Inbound(Object message) {}

  /** The other side (the gate for the proxy, the proxy for the gate) stopped or was lost. */
  record Gone() {}

  record FindTimeout() {}

  private record Found<H>(Set<ActorRef<H>> hosts) {}

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

  /** Makes one launch's proxy inside its actor (stash and timers set up). */
  interface ProxyFactory {
    Proxy<?> create(
        ActorContext<Object> ctx, TimerScheduler<Object> timers, StashBuffer<Object> stash);
  }

  /** A proxy behaviour: finding the host, then running. Spawn it on the tensor dispatcher. */
  static Behavior<Object> proxy(ProxyFactory make) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers ->
                    Behaviors.withStash(
                        100_000, stash -> make.create(ctx, timers, stash).finding())));
  }

  /**
   * The coordinator side of one launch: owns the launch's run id, token and two Aeron streams (a
   * publisher towards the player, a polling thread from it), finds the host and relays control to
   * the gate; subclasses add the player's own messages.
   *
   * @param <H> the host's message type
   */
  abstract static class Proxy<H> {
    final ActorContext<Object> ctx;
    final long runId;
    final byte[] token;
    final TensorMessageSerializer ser;
    // Towards the player: opened at once for IPC; for UDP once Spawned names the node's endpoint.
    TensorPublisher pub;
    private final Transport transport;
    private final int toPlayer;
    // UDP only: the player's state, sent as the first frame once the publisher is open.
    private PlayerState stateToSend;
    private final StashBuffer<Object> stash;
    private final Poller poller;
    private final String player;
    private final String node;
    private final Duration findTimeout;
    private final Consumer<String> say;
    // Replies come back over Aeron in the order asked (the player answers in order).
    private final ArrayDeque<ActorRef<PlayerState>> stateWaiters = new ArrayDeque<>();
    private boolean asked;

    /** As the other constructor, over IPC: every node on this host. */
    Proxy(
        ActorContext<Object> ctx,
        TimerScheduler<Object> timers,
        StashBuffer<Object> stash,
        Transport transport,
        ServiceKey<H> key,
        int fromPlayer,
        int toPlayer,
        String player,
        Duration findTimeout,
        Consumer<String> say) {
      this(
          ctx,
          timers,
          stash,
          transport,
          Endpoint.ipc(),
          null,
          key,
          fromPlayer,
          toPlayer,
          player,
          findTimeout,
          say);
    }

    /**
     * Opens the streams ({@code fromPlayer} polled at {@code data}, {@code toPlayer} published: for
     * IPC at once, for UDP to the endpoint Spawned names, {@code state} first when not null),
     * subscribes to {@code key}'s listing and starts the find timeout.
     */
    Proxy(
        ActorContext<Object> ctx,
        TimerScheduler<Object> timers,
        StashBuffer<Object> stash,
        Transport transport,
        Endpoint data,
        PlayerState state,
        ServiceKey<H> key,
        int fromPlayer,
        int toPlayer,
        String player,
        Duration findTimeout,
        Consumer<String> say) {
      this.ctx = ctx;
      this.transport = transport;
      this.toPlayer = toPlayer;
      this.stateToSend = data.isIpc() ? null : state;
      this.stash = stash;
      this.player = player;
      // "DataLoader" -> "data-loader node", as the role's label.
      this.node = player.replaceAll("(?<=[a-z])(?=[A-Z])", "-").toLowerCase(Locale.ROOT) + " node";
      this.findTimeout = findTimeout;
      this.say = say;
      SecureRandom rnd = new SecureRandom();
      runId = rnd.nextLong();
      token = new byte[32];
      rnd.nextBytes(token);
      ser = TensorWire.serializer(ctx);
      ActorRef<Object> self = ctx.getSelf();
      poller =
          TensorWire.poll(
              transport,
              data,
              fromPlayer,
              runId,
              token,
              "agon-from-" + node.replace(" node", ""),
              ser,
              m -> self.tell(new Inbound(m)),
              self);
      if (data.isIpc()) {
        try {
          pub = transport.publisher(Endpoint.ipc(), toPlayer, runId, token);
        } catch (RuntimeException e) {
          poller.close();
          throw e;
        }
      }
      ctx.getSystem()
          .receptionist()
          .tell(
              Receptionist.subscribe(
                  key,
                  ctx.messageAdapter(
                      Receptionist.Listing.class, l -> new Found<>(l.getServiceInstances(key)))));
      timers.startSingleTimer(new FindTimeout(), findTimeout);
    }

    /** The Spawn the host gets (built once the streams are open). */
    abstract H spawn();

    /** The running proxy's own handlers, tried before the shared ones. */
    abstract BehaviorBuilder<Object> running(BehaviorBuilder<Object> b, ActorRef<Object> gate);

    /**
     * Takes a tensor message from the player's node other than a state reply; false: unexpected.
     */
    abstract boolean onTensor(Object m);

    Behavior<Object> finding() {
      return Behaviors.receive(Object.class)
          .onMessage(
              Found.class,
              f -> {
                if (!asked && !f.hosts().isEmpty()) {
                  asked = true;
                  ActorRef<?> host = (ActorRef<?>) f.hosts().iterator().next();
                  host.<Object>unsafeUpcast().tell(spawn());
                }
                return Behaviors.same();
              })
          .onMessage(
              Spawned.class,
              s -> {
                if (s.gate() == null) {
                  throw new IllegalStateException(
                      "the " + node + " could not start the " + player + ": " + s.error());
                }
                ctx.watchWith(s.gate(), new Gone());
                if (pub == null) {
                  // UDP: the player's node receives on its own endpoint; its state goes first
                  // (one frame message, ahead of every tensor of the run on this stream).
                  pub =
                      transport.publisher(
                          Endpoint.udp(s.dataHost(), s.dataPort()), toPlayer, runId, token);
                  if (stateToSend != null) {
                    TensorWire.send(ser, pub, FrameKind.PLAYER_STATE, 0, 0, stateToSend);
                    stateToSend = null;
                  }
                }
                say.accept("the " + player + " runs on node " + s.gate().path().address());
                return stash.unstashAll(running(s.gate()));
              })
          .onMessage(
              FindTimeout.class,
              t -> {
                throw new IllegalStateException(
                    "no " + node + " answered within " + findTimeout.toSeconds() + " s");
              })
          .onMessage(Broken.class, this::onBroken)
          .onSignal(PostStop.class, s -> close())
          .onAnyMessage(
              m -> {
                stash.stash(m);
                return Behaviors.same();
              })
          .build();
    }

    private Behavior<Object> running(ActorRef<Object> gate) {
      return running(Behaviors.receive(Object.class), gate)
          .onMessage(
              PlayerControl.GetState.class,
              g -> {
                stateWaiters.add(g.replyTo());
                gate.tell(g);
                return Behaviors.same();
              })
          .onMessage(
              PlayerControl.class,
              c -> {
                gate.tell(c);
                return Behaviors.same();
              })
          .onMessage(Inbound.class, this::onInbound)
          .onMessage(
              Broken.class,
              b -> {
                throw lostOr(gate, "the transport from the " + node + " failed: " + b.why());
              })
          .onMessage(Found.class, f -> Behaviors.same())
          .onMessage(FindTimeout.class, f -> Behaviors.same())
          .onMessage(
              Gone.class,
              g -> {
                throw lostOr(
                    gate,
                    "the " + player + " on node " + gate.path().address() + " stopped or was lost");
              })
          .onSignal(PostStop.class, s -> close())
          .build();
    }

    private Behavior<Object> onInbound(Inbound in) {
      Object m = in.message();
      if (m instanceof PlayerState p) {
        stateWaiters.remove().tell(p);
      } else if (!onTensor(m)) {
        throw new IllegalStateException("unexpected message from the " + node + ": " + m);
      }
      return Behaviors.same();
    }

    /** {@link NodeLost} if the gate's node is gone, else the failure {@code why}. */
    private RuntimeException lostOr(ActorRef<Object> gate, String why) {
      return NodeLost.orFailure(ctx.getSystem(), gate.path().address(), role(player), node, why);
    }

    private Behavior<Object> onBroken(Broken b) {
      throw new IllegalStateException("the transport from the " + node + " failed: " + b.why());
    }

    private Behavior<Object> close() {
      poller.close();
      if (pub != null) {
        pub.close();
      }
      return Behaviors.same();
    }
  }

  /** Makes one launch's gate on the player's node. */
  interface GateFactory<S> {
    Behavior<Object> create(ResumePoint point, Transport transport, S spawn);
  }

  /**
   * The player's node side: answers each Spawn with a gate (or the reason it could not start one).
   * The node's Aeron client reaches the coordinator node's driver on the first spawn and lives with
   * the host (a new one if a later spawn names another driver).
   */
  static <C, S extends C> Behavior<C> host(
      Class<C> commands,
      Class<S> spawns,
      String player,
      LoadedConfig loaded,
      GateFactory<S> gates) {
    return host(commands, spawns, player, loaded, null, Endpoint.ipc(), gates);
  }

  /**
   * {@link #host(Class, Class, String, LoadedConfig, GateFactory)} over UDP when {@code own} is not
   * null: the node's own media driver, receiving at {@code data} (Spawned names it); the player's
   * state then comes over the transport (the gate's {@link Start}), never from the run directory,
   * and the gate factory gets a null point.
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
    private final dev.agon.config.AgonConfig config;
    private final dev.agon.config.Player player;
    private final RemoteGenerator.RemoteStart start;
    private final CompletableFuture<PlayerState> state = new CompletableFuture<>();
    private final long waitMs;

    Start(ResumePoint point, LoadedConfig loaded, dev.agon.config.Player player, Launch s) {
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

  /** Where a gate publishes towards the coordinator node: its UDP endpoint, or IPC. */
  static Endpoint coordinatorEnd(Launch s) {
    return s.udp() == null ? Endpoint.ipc() : Endpoint.udp(s.udp().host(), s.udp().port());
  }
}
