package dev.agon.engine;

import dev.agon.config.LoadedConfig;
import dev.agon.config.Player;
import dev.agon.engine.RemoteGenerator.Spawned;
import dev.agon.engine.TensorWire.Broken;
import dev.agon.engine.TensorWire.Poller;
import dev.agon.engine.serialization.CborSerializable;
import dev.agon.engine.serialization.TensorMessageSerializer;
import dev.agon.train.PlayerState;
import dev.agon.train.Schedule;
import dev.agon.transport.Endpoint;
import dev.agon.transport.FrameKind;
import dev.agon.transport.TensorPublisher;
import dev.agon.transport.Transport;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * The Discriminator on another JVM ({@code agon node --role discriminator}), the mirror of {@link
 * RemoteGenerator}: a proxy on the coordinator node stands where Crew would spawn D; on the
 * discriminator node a gate holds the real D. Tensors cross Aeron (IPC, or UDP): fakes and real
 * batches (pulled from the coordinator node's DataLoader through the proxy) towards D; D's
 * snapshots and state replies back. D's snapshots reach the Generator through this proxy (and, with
 * a remote Generator, through its proxy too: two hops, one copy each). Control (admissions,
 * GetState, D's schedule changes passed on to G, credits for real batches, D's reports, which the
 * proxy passes on before the snapshot of the same version) goes over Artery. A lost discriminator
 * node ends the proxy with {@link NodeLost} (the run pauses until the role is back); a transport
 * failure or a D that stops on a live node fails the proxy, a child the Coordinator watches. What
 * it shares with the other stand-ins lives in {@link RemoteProxy}, {@link RemotePlayer} and {@link
 * TensorWire}.
 */
public final class RemoteDiscriminator {
  private RemoteDiscriminator() {}

  /** The discriminator node's host, registered once the node is welcomed into the run. */
  public static final ServiceKey<HostCommand> HOST =
      ServiceKey.create(HostCommand.class, "agon-discriminator-host");

  static final int TO_COORDINATOR = 1403;
  static final int TO_DISCRIMINATOR = 1404;

  /** Messages of the discriminator node's host. */
  public interface HostCommand extends CborSerializable {}

  /** Spawn a Discriminator for one engine launch (fields as {@link RemoteGenerator.Spawn}'s). */
  public record Spawn(
      long runId,
      byte[] token,
      String aeronDir,
      String checkpoint,
      double lrScale,
      Schedule schedule,
      int segment,
      ActorRef<Coordinator.Command> coordinator,
      ActorRef<Object> proxy,
      ActorRef<Spawned> replyTo,
      RemoteGenerator.Udp udp)
      implements HostCommand, RemotePlayer.Launch {}

  /** From the gate: D wants {@code credits} more real batches. */
  public record MoreReal(int credits) implements CborSerializable {}

  /** From the gate: a schedule change D passes on to the Generator. */
  public record ToGenerator(PlayerControl.Reschedule change) implements CborSerializable {}

  /**
   * The coordinator side: D's stand-in, receiving at {@code data} ({@link RemoteGenerator}'s proxy
   * says how for IPC and UDP). Spawn it on the tensor dispatcher.
   */
  static Behavior<Object> proxy(RemoteProxy.Wiring w, PlayerCore.Setup setup) {
    return RemoteProxy.behavior((ctx, timers, stash) -> new Proxy(ctx, timers, stash, w, setup));
  }

  private static final class Proxy extends RemoteProxy<HostCommand> {
    private final Spawn spawn;
    private final PlayerCore.Setup setup;
    private final ActorRef<Object> self;
    // D's snapshots wait here until the Generator has connected.
    private final ArrayDeque<Object> toGenerator = new ArrayDeque<>();
    // Snapshots newer than D's last report forwarded to the Coordinator, oldest first.
    private final ArrayDeque<Generator.DiscriminatorSnapshot> unreported = new ArrayDeque<>();
    // D's newest version reported to the Coordinator, from D's start version (which no report
    // precedes, and which D publishes only if G trains on it: a synchronous schedule's first
    // snapshot is v1, which must wait for D's report of v1). Unknown (MIN_VALUE) without the
    // launch's point: then the first snapshot sets it.
    private long reported;
    private ActorRef<Generator.Command> generator;

    Proxy(
        ActorContext<Object> ctx,
        TimerScheduler<Object> timers,
        StashBuffer<Object> stash,
        RemoteProxy.Wiring w,
        PlayerCore.Setup setup) {
      super(
          ctx,
          timers,
          stash,
          w,
          Player.DISCRIMINATOR,
          "Discriminator",
          HOST,
          TO_COORDINATOR,
          TO_DISCRIMINATOR);
      this.setup = setup;
      this.self = ctx.getSelf();
      ResumePoint point = w.point();
      this.reported =
          point == null
              ? Long.MIN_VALUE
              : point.startState() == null ? 0 : point.startState().dDone();
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
              self,
              self.narrow(),
              w.udpStart(Player.DISCRIMINATOR));
    }

    @Override
    HostCommand spawn() {
      return spawn;
    }

    @Override
    BehaviorBuilder<Object> running(BehaviorBuilder<Object> b, ActorRef<Object> gate) {
      return b.onMessage(
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
              Messages.RealBatch.class,
              r -> {
                TensorWire.send(ser, pub, FrameKind.REAL_BATCH, r.index(), r.epoch(), r);
                return Behaviors.same();
              })
          .onMessage(
              Discriminator.Connect.class,
              c -> {
                generator = c.generator();
                for (Object m; (m = toGenerator.poll()) != null; ) {
                  generator.tell((Generator.Command) m);
                }
                return Behaviors.same();
              })
          .onMessage(
              MoreReal.class,
              m -> {
                setup.data().tell(new DataLoader.Request(m.credits(), self.narrow()));
                return Behaviors.same();
              })
          .onMessage(
              ToGenerator.class,
              t -> {
                toG(t.change());
                return Behaviors.same();
              })
          .onMessage(
              // From the gate only: what D tells the Coordinator (reports, divergence, applied
              // policy) comes through here so that each snapshot waits until D's report of its
              // version has gone to the Coordinator: the order one JVM has (D reports, then
              // sends G the snapshot), on which the Coordinator's check of G's reports relies.
              Coordinator.Command.class,
              t -> {
                setup.coordinator().tell(t);
                if (t instanceof Coordinator.DStepDone d) {
                  reported = Math.max(reported, d.report().step());
                  while (!unreported.isEmpty()
                      && unreported.peek().snapshot().version() <= reported) {
                    toG(unreported.poll());
                  }
                }
                return Behaviors.same();
              });
    }

    @Override
    boolean onTensor(Object m) {
      if (!(m instanceof Generator.DiscriminatorSnapshot s)) {
        return false;
      }
      if (reported == Long.MIN_VALUE) {
        reported = s.snapshot().version();
      }
      if (s.snapshot().version() <= reported && unreported.isEmpty()) {
        toG(s);
      } else {
        unreported.add(s);
      }
      return true;
    }

    private void toG(Generator.Command m) {
      if (generator == null) {
        toGenerator.add(m);
      } else {
        generator.tell(m);
      }
    }
  }

  /** The discriminator node's side: answers {@link Spawn} with a gate holding D. */
  public static Behavior<HostCommand> host(LoadedConfig loaded) {
    return host(loaded, null, Endpoint.ipc());
  }

  /**
   * The host; with {@code own} over UDP ({@link RemoteGenerator#host(LoadedConfig, Transport,
   * Endpoint)}).
   */
  public static Behavior<HostCommand> host(LoadedConfig loaded, Transport own, Endpoint data) {
    return RemotePlayer.host(
        HostCommand.class,
        Spawn.class,
        "Discriminator",
        loaded,
        own,
        data,
        (point, transport, s) -> gate(loaded, point, transport, s, data));
  }

  /**
   * One launch's D with its outbound adapter (D's Generator and DataLoader: snapshots and state
   * over Aeron, credits and schedule changes to the proxy) and the polling thread that hands D its
   * fakes and real batches.
   */
  private static Behavior<Object> gate(
      LoadedConfig loaded, ResumePoint point, Transport transport, Spawn s, Endpoint data) {
    return Behaviors.setup(
        ctx -> {
          RemotePlayer.Kit kit =
              RemotePlayer.Kit.of(
                  ctx, loaded, point, transport, s, Player.DISCRIMINATOR, TO_COORDINATOR);
          // Where D's real batches go: set by D's first credit request, read by the poller.
          AtomicReference<ActorRef<Messages.RealBatch>> reals = new AtomicReference<>();
          ActorRef<Object> outbound =
              ctx.spawn(
                  outbound(kit.ser(), kit.pub(), s.proxy(), reals), "to-coordinator", kit.pinned());
          PlayerCore.Setup setup =
              kit.setup(s.schedule(), s.segment(), outbound.narrow(), outbound.narrow());
          ActorRef<Discriminator.Command> discriminator =
              ctx.spawn(
                  kit.place()
                      .on(
                          kit.place().discriminator(),
                          Discriminator.create(
                              () -> kit.start().point().discriminator(kit.shape()), setup)),
                  Player.DISCRIMINATOR.label(),
                  kit.pinned());
          discriminator.tell(new Discriminator.Connect(outbound.narrow()));
          ActorRef<Object> self = ctx.getSelf();
          Poller poller =
              kit.poll(
                  transport,
                  data,
                  TO_DISCRIMINATOR,
                  s,
                  m -> {
                    if (m instanceof Discriminator.Fake f) {
                      discriminator.tell(f);
                    } else if (m instanceof Messages.RealBatch r && reals.get() != null) {
                      reals.get().tell(r);
                    } else {
                      self.tell(new Broken("unexpected message " + m));
                    }
                  },
                  self);
          return RemotePlayer.gate(
              ctx, Behaviors.receive(Object.class), discriminator, outbound, s, poller, kit.pub());
        });
  }

  /**
   * D's Generator and DataLoader on the discriminator node: snapshots and state replies over Aeron;
   * credit requests and schedule changes to the proxy over Artery.
   */
  private static Behavior<Object> outbound(
      TensorMessageSerializer ser,
      TensorPublisher pub,
      ActorRef<Object> proxy,
      AtomicReference<ActorRef<Messages.RealBatch>> reals) {
    return Behaviors.receive(Object.class)
        .onMessage(
            Generator.DiscriminatorSnapshot.class,
            d -> {
              long v = d.snapshot().version();
              TensorWire.send(ser, pub, FrameKind.D_SNAPSHOT, v, v, d);
              return Behaviors.same();
            })
        .onMessage(
            PlayerState.class,
            p -> {
              TensorWire.send(ser, pub, FrameKind.PLAYER_STATE, 0, 0, p);
              return Behaviors.same();
            })
        .onMessage(
            DataLoader.Request.class,
            r -> {
              reals.set(r.replyTo());
              proxy.tell(new MoreReal(r.credits()));
              return Behaviors.same();
            })
        .onMessage(
            PlayerControl.Reschedule.class,
            r -> {
              proxy.tell(new ToGenerator(r));
              return Behaviors.same();
            })
        .onMessage(
            Coordinator.Command.class,
            c -> {
              proxy.tell(c);
              return Behaviors.same();
            })
        .build();
  }
}
