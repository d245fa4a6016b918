package dev.agon.engine;

import dev.agon.config.LoadedConfig;
import dev.agon.config.Player;
import dev.agon.engine.TensorWire.Broken;
import dev.agon.engine.TensorWire.Poller;
import dev.agon.engine.serialization.CborSerializable;
import dev.agon.engine.serialization.TensorMessageSerializer;
import dev.agon.train.PlayerState;
import dev.agon.train.Schedule;
import dev.agon.transport.Dtype;
import dev.agon.transport.Endpoint;
import dev.agon.transport.FrameKind;
import dev.agon.transport.TensorPublisher;
import dev.agon.transport.Transport;
import java.util.ArrayDeque;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * The Generator on another JVM ({@code agon node --role generator}), with the actors unaware of it:
 * on the coordinator's side a proxy stands where Crew would spawn the Generator (the same {@code
 * ActorRef<Generator.Command>}); on the generator node a host spawns the real Generator behind a
 * gate. Control messages (admissions, schedule changes, GetState) go over Artery as Jackson CBOR;
 * tensor messages (fakes G to D, D's snapshots D to G, G's state and evaluation snapshot replies)
 * never do: each side has a publisher and a polling thread on Aeron streams, IPC through the media
 * driver the coordinator node embeds (its directory travels in {@link Spawn}) or, with {@code
 * cluster.transport = udp}, UDP between the nodes' own drivers. A tensor message crosses as one
 * frame message of {@link Dtype#BYTES}: the engine's tensor serializer's bytes (raw little-endian
 * tensors plus the message's steps and versions), so the receiving actor gets the same record the
 * sender made ({@link TensorWire}). Cost per message: one serialization copy and Aeron's copy out,
 * one assembly copy and one decode copy in. A lost generator node ends the proxy with {@link
 * NodeLost}: the run pauses until a node with the role joins again ({@link Recovery}); a transport
 * failure, or a Generator that stops while its node stays up, fails the proxy, a child the
 * Coordinator watches (a restart, never a hang). What the proxy shares with the other stand-ins
 * lives in {@link RemoteProxy}, what host and gate share in {@link RemotePlayer}; this file holds
 * the Generator's own part.
 */
public final class RemoteGenerator {
  private RemoteGenerator() {}

  /** The generator node's host, registered once the node is welcomed into the run. */
  public static final ServiceKey<HostCommand> HOST =
      ServiceKey.create(HostCommand.class, "agon-generator-host");

  // Aeron stream ids: towards the coordinator node (fakes, replies) and towards the generator.
  static final int TO_COORDINATOR = 1401;
  static final int TO_GENERATOR = 1402;

  /** Messages of the generator node's host. */
  public interface HostCommand extends CborSerializable {}

  /**
   * Spawn a Generator for one engine launch.
   *
   * @param runId stamped on every frame of this launch (frames of an older launch are dropped)
   * @param token the launch's 32-byte frame token
   * @param aeronDir the coordinator node's media driver directory (IPC: same host)
   * @param checkpoint the checkpoint directory G's state is loaded from (absolute, same host);
   *     null: the initial state
   * @param lrScale the learning-rate scale of this launch (a rollback's)
   * @param schedule the schedule of the segment the run starts in
   * @param segment that segment's number
   * @param coordinator where step reports go
   * @param discriminator the real Discriminator (its tensor messages go over Aeron instead)
   * @param proxy the coordinator-side proxy; the gate stops when it does
   * @param replyTo where {@link Spawned} goes
   * @param udp with {@code cluster.transport = udp}: where the coordinator node receives and how
   *     the player starts (its state follows over Aeron; {@code aeronDir} and {@code checkpoint}
   *     are then null); null: IPC
   */
  public record Spawn(
      long runId,
      byte[] token,
      String aeronDir,
      String checkpoint,
      double lrScale,
      Schedule schedule,
      int segment,
      ActorRef<Coordinator.Command> coordinator,
      ActorRef<Discriminator.Command> discriminator,
      ActorRef<Object> proxy,
      ActorRef<Spawned> replyTo,
      Udp udp)
      implements HostCommand, RemotePlayer.Launch {}

  /**
   * The answer to {@link Spawn}: the gate, or null with the reason it could not start; with UDP the
   * player node's receiving endpoint ({@code dataHost}:{@code dataPort}; null and 0 for IPC).
   */
  public record Spawned(ActorRef<Object> gate, String error, String dataHost, int dataPort)
      implements CborSerializable {}

  /**
   * A UDP launch's coordinator side: the endpoint the coordinator node receives on (its {@code
   * --host} and {@code --data-port}) and how the player starts.
   */
  public record Udp(String host, int port, RemoteStart start) {}

  /**
   * How a player on a node starts from the state the proxy sends over Aeron (the coordinator read
   * the checkpoint): whether a state follows (false: the initial state), the launch's learning-rate
   * scale, whether the checkpoint's learning rate stays, and whether the config's averaging weight
   * and start replace the checkpoint's ({@link ResumePoint}).
   */
  public record RemoteStart(
      boolean stateFollows, double lrScale, boolean keepLr, boolean newWeight, boolean newStart) {}

  /**
   * The coordinator side: a Generator stand-in that finds the generator host through the
   * Receptionist, has it spawn the Generator, then relays; it receives at {@code data} (IPC, or for
   * UDP the coordinator node's endpoint, when {@code point}, null for the initial state, gives G's
   * state, sent over Aeron instead of a checkpoint path). Spawn it on the tensor dispatcher: it
   * serializes and publishes D's snapshots.
   */
  static Behavior<Object> proxy(
      RemoteProxy.Wiring w, PlayerCore.Setup setup, ActorRef<Discriminator.Command> discriminator) {
    return RemoteProxy.behavior(
        (ctx, timers, stash) -> new Proxy(ctx, timers, stash, w, setup, discriminator));
  }

  private static final class Proxy extends RemoteProxy<HostCommand> {
    private final Spawn spawn;
    private final ActorRef<Discriminator.Command> discriminator;
    // Replies come back over Aeron in the order asked (the Generator answers in order).
    private final ArrayDeque<ActorRef<Generator.EvaluationSnapshot>> evalWaiters =
        new ArrayDeque<>();

    Proxy(
        ActorContext<Object> ctx,
        TimerScheduler<Object> timers,
        StashBuffer<Object> stash,
        RemoteProxy.Wiring w,
        PlayerCore.Setup setup,
        ActorRef<Discriminator.Command> discriminator) {
      super(
          ctx, timers, stash, w, Player.GENERATOR, "Generator", HOST, TO_COORDINATOR, TO_GENERATOR);
      this.discriminator = discriminator;
      ActorRef<Object> self = ctx.getSelf();
      // D sends its snapshots and passes schedule changes on to this proxy.
      discriminator.tell(new Discriminator.Connect(self.narrow()));
      this.spawn =
          new Spawn(
              runId,
              token,
              w.aeronDir(),
              w.checkpointPath(),
              w.lrScale(),
              setup.schedule(),
              setup.segment(),
              setup.coordinator(),
              discriminator,
              self,
              self.narrow(),
              w.udpStart(Player.GENERATOR));
    }

    @Override
    HostCommand spawn() {
      return spawn;
    }

    @Override
    BehaviorBuilder<Object> running(BehaviorBuilder<Object> b, ActorRef<Object> gate) {
      return b.onMessage(
              Generator.DiscriminatorSnapshot.class,
              s -> {
                long v = s.snapshot().version();
                TensorWire.send(ser, pub, FrameKind.D_SNAPSHOT, v, v, s);
                return Behaviors.same();
              })
          .onMessage(
              Generator.GetEvaluationSnapshot.class,
              g -> {
                evalWaiters.add(g.replyTo());
                gate.tell(g);
                return Behaviors.same();
              });
    }

    @Override
    boolean onTensor(Object m) {
      if (m instanceof Discriminator.Fake f) {
        discriminator.tell(f);
      } else if (m instanceof Generator.EvaluationSnapshot e) {
        evalWaiters.remove().tell(e);
      } else {
        return false;
      }
      return true;
    }
  }

  /**
   * The generator node's side: answers {@link Spawn} with a gate holding the Generator. The node's
   * Aeron client reaches the coordinator node's driver on the first spawn and lives with the host.
   */
  public static Behavior<HostCommand> host(LoadedConfig loaded) {
    return host(loaded, null, Endpoint.ipc());
  }

  /**
   * The host; with {@code own} (not null) over UDP: this node's media driver, receiving at {@code
   * data}, G's state coming over Aeron.
   */
  public static Behavior<HostCommand> host(LoadedConfig loaded, Transport own, Endpoint data) {
    return RemotePlayer.host(
        HostCommand.class,
        Spawn.class,
        "Generator",
        loaded,
        own,
        data,
        (point, transport, s) -> gate(loaded, point, transport, s, data));
  }

  /** How a UDP launch's player starts from {@code point} (null: the initial state). */
  static RemoteStart start(ResumePoint point, Player player, double lrScale) {
    return point == null
        ? new RemoteStart(false, lrScale, true, false, false)
        : point.remoteStart(player);
  }

  /**
   * Holds one launch's Generator and its two adapters: the outbound one (the Generator's
   * Discriminator: fakes and replies over Aeron) and the polling thread that hands D's snapshots to
   * the Generator. A failed child fails the gate (death pact); the proxy watches the gate.
   */
  private static Behavior<Object> gate(
      LoadedConfig loaded, ResumePoint point, Transport transport, Spawn s, Endpoint data) {
    return Behaviors.setup(
        ctx -> {
          RemotePlayer.Kit kit =
              RemotePlayer.Kit.of(
                  ctx, loaded, point, transport, s, Player.GENERATOR, TO_COORDINATOR);
          ActorRef<Object> outbound =
              ctx.spawn(outbound(kit.ser(), kit.pub()), "to-coordinator", kit.pinned());
          PlayerCore.Setup setup = kit.setup(s.schedule(), s.segment(), s.coordinator(), null);
          ActorRef<Generator.Command> generator =
              ctx.spawn(
                  kit.place()
                      .on(
                          kit.place().generator(),
                          Generator.create(
                              () -> kit.start().point().generator(kit.shape()),
                              setup,
                              outbound.narrow())),
                  Player.GENERATOR.label(),
                  kit.pinned());
          ActorRef<Object> self = ctx.getSelf();
          Poller poller =
              kit.poll(
                  transport,
                  data,
                  TO_GENERATOR,
                  s,
                  m -> {
                    if (m instanceof Generator.DiscriminatorSnapshot d) {
                      generator.tell(d);
                    } else {
                      self.tell(new Broken("unexpected message " + m));
                    }
                  },
                  self);
          BehaviorBuilder<Object> own =
              Behaviors.receive(Object.class)
                  .onMessage(
                      Generator.GetEvaluationSnapshot.class,
                      g -> {
                        generator.tell(new Generator.GetEvaluationSnapshot(outbound.narrow()));
                        return Behaviors.same();
                      });
          return RemotePlayer.gate(ctx, own, generator, outbound, s, poller, kit.pub());
        });
  }

  /** Publishes the Generator's tensor messages; Connect is the proxy's business, so dropped. */
  private static Behavior<Object> outbound(TensorMessageSerializer ser, TensorPublisher pub) {
    return Behaviors.receive(Object.class)
        .onMessage(
            Discriminator.Fake.class,
            f -> {
              TensorWire.send(
                  ser,
                  pub,
                  FrameKind.FAKE_BATCH,
                  f.batch().dStep(),
                  f.batch().generatorVersion(),
                  f);
              return Behaviors.same();
            })
        .onMessage(
            PlayerState.class,
            p -> {
              TensorWire.send(ser, pub, FrameKind.PLAYER_STATE, 0, 0, p);
              return Behaviors.same();
            })
        .onMessage(
            Generator.EvaluationSnapshot.class,
            e -> {
              TensorWire.send(ser, pub, FrameKind.EVALUATION_SNAPSHOT, 0, 0, e);
              return Behaviors.same();
            })
        .onMessage(Discriminator.Connect.class, c -> Behaviors.same())
        .build();
  }
}
