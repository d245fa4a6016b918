package dev.agon.engine;

import dev.agon.config.Player;
import dev.agon.engine.RemoteGenerator.Spawned;
import dev.agon.engine.RemotePlayer.Gone;
import dev.agon.engine.RemotePlayer.Inbound;
import dev.agon.engine.TensorWire.Broken;
import dev.agon.engine.TensorWire.Poller;
import dev.agon.engine.serialization.TensorMessageSerializer;
import dev.agon.train.PlayerState;
import dev.agon.transport.Endpoint;
import dev.agon.transport.FrameKind;
import dev.agon.transport.TensorPublisher;
import dev.agon.transport.Transport;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Set;
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
 * The coordinator side of one launch of a role on another JVM (see {@link RemotePlayer}): owns the
 * launch's run id, token and two Aeron streams (a publisher towards the role, a polling thread from
 * it), finds the role's host through the Receptionist, asks it to spawn the role, stashes until the
 * gate answers, then relays control to the gate; subclasses add the role's own messages. A lost
 * gate's node ends it with {@link NodeLost} (the run pauses until a node with the role joins again,
 * {@link Recovery}); a gate that stops on a live node, a broken stream or no host within the find
 * timeout fail it (a restart).
 *
 * @param <H> the host's message type
 */
abstract class RemoteProxy<H> {
  record FindTimeout() {}

  private record Found<T>(Set<ActorRef<T>> hosts) {}

  /** Makes one launch's proxy inside its actor (stash and timers set up). */
  interface Factory {
    RemoteProxy<?> create(
        ActorContext<Object> ctx, TimerScheduler<Object> timers, StashBuffer<Object> stash);
  }

  /** A proxy behaviour: finding the host, then running. Spawn it on the tensor dispatcher. */
  static Behavior<Object> behavior(Factory make) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers ->
                    Behaviors.withStash(
                        100_000, stash -> make.create(ctx, timers, stash).finding())));
  }

  /**
   * How a player's proxy (G's or D's) is wired for one launch: the transport, where the coordinator
   * node receives ({@code data}: IPC, or its UDP endpoint), where the players start ({@code point},
   * null: the initial state), how long to look for the host, where to say what it waits for, the
   * checkpoint an IPC player reads and the launch's learning-rate scale.
   */
  record Wiring(
      Transport transport,
      Endpoint data,
      ResumePoint point,
      Duration findTimeout,
      Consumer<String> say,
      Path checkpoint,
      double lrScale) {

    boolean udp() {
      return !data.isIpc();
    }

    /** The media driver directory an IPC player attaches to; null over UDP. */
    String aeronDir() {
      return udp() ? null : transport.aeronDir();
    }

    /** The checkpoint an IPC player reads (absolute); null over UDP or for the initial state. */
    String checkpointPath() {
      return udp() || checkpoint == null ? null : checkpoint.toAbsolutePath().toString();
    }

    /** Over UDP: where the coordinator node receives and how {@code player} starts; IPC: null. */
    RemoteGenerator.Udp udpStart(Player player) {
      return udp()
          ? new RemoteGenerator.Udp(
              data.host(), data.port(), RemoteGenerator.start(point, player, lrScale))
          : null;
    }
  }

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
  // The host asked to spawn the role (null until the Receptionist lists one).
  private ActorRef<Object> host;

  /**
   * A player's proxy wired by {@code w} (over UDP {@code role}'s state goes first); {@code player}
   * names it in messages ("Generator").
   */
  RemoteProxy(
      ActorContext<Object> ctx,
      TimerScheduler<Object> timers,
      StashBuffer<Object> stash,
      Wiring w,
      Player role,
      String player,
      ServiceKey<H> key,
      int fromPlayer,
      int toPlayer) {
    this(
        ctx,
        timers,
        stash,
        w.transport(),
        w.data(),
        w.point() == null ? null : w.point().state(role),
        key,
        fromPlayer,
        toPlayer,
        player,
        w.findTimeout(),
        w.say());
  }

  /**
   * Opens the streams ({@code fromPlayer} polled at {@code data}, {@code toPlayer} published: for
   * IPC at once, for UDP to the endpoint Spawned names, {@code state} first when not null: a
   * player's; null for the DataLoader and the Evaluator), subscribes to {@code key}'s listing and
   * starts the find timeout.
   */
  RemoteProxy(
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
    this.node = RemotePlayer.role(player) + " node";
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

  /** Takes a tensor message from the player's node other than a state reply; false: unexpected. */
  abstract boolean onTensor(Object m);

  /** The gate answered: the role runs. Nothing by default. */
  void onRunning() {}

  Behavior<Object> finding() {
    return Behaviors.receive(Object.class)
        .onMessage(
            Found.class,
            f -> {
              if (host == null && !f.hosts().isEmpty()) {
                host = ((ActorRef<?>) f.hosts().iterator().next()).unsafeUpcast();
                // Its node may die before it answers (an evaluator node still starting while
                // training goes on): the watch turns that into a pause, not a wait for the find
                // timeout.
                ctx.watchWith(host, new Gone());
                host.tell(spawn());
              }
              return Behaviors.same();
            })
        .onMessage(
            Gone.class,
            g -> {
              throw lostOr(
                  host,
                  "the "
                      + node
                      + " at "
                      + host.path().address()
                      + " was lost before it started the "
                      + player);
            })
        .onMessage(
            Spawned.class,
            s -> {
              if (s.gate() == null) {
                throw new IllegalStateException(
                    "the " + node + " could not start the " + player + ": " + s.error());
              }
              ctx.unwatch(host); // the gate's watch takes over (same node)
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
              onRunning();
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

  /** {@link NodeLost} if the node of {@code on} (the host or gate) is gone, else {@code why}. */
  private RuntimeException lostOr(ActorRef<Object> on, String why) {
    return NodeLost.orFailure(
        ctx.getSystem(), on.path().address(), RemotePlayer.role(player), node, why);
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
