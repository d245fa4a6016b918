package dev.agon.engine;

import dev.agon.checkpoint.CheckpointException;
import dev.agon.checkpoint.CheckpointStore;
import dev.agon.config.LoadedConfig;
import dev.agon.config.Player;
import dev.agon.engine.RemoteGenerator.Broken;
import dev.agon.engine.RemoteGenerator.FindTimeout;
import dev.agon.engine.RemoteGenerator.Gone;
import dev.agon.engine.RemoteGenerator.Inbound;
import dev.agon.engine.RemoteGenerator.Poller;
import dev.agon.engine.RemoteGenerator.Spawned;
import dev.agon.engine.serialization.CborSerializable;
import dev.agon.engine.serialization.TensorMessageSerializer;
import dev.agon.train.PlayerState;
import dev.agon.train.Schedule;
import dev.agon.transport.Endpoint;
import dev.agon.transport.FrameKind;
import dev.agon.transport.TensorPublisher;
import dev.agon.transport.TensorSubscriber;
import dev.agon.transport.Transport;
import dev.agon.transport.TransportSettings;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * The Discriminator on another JVM of one host ({@code agon node --role discriminator}), the mirror
 * of {@link RemoteGenerator}: a proxy on the coordinator node stands where Crew would spawn D; on
 * the discriminator node a gate holds the real D. Tensors cross Aeron IPC only: fakes and real
 * batches (pulled from the coordinator node's DataLoader through the proxy) towards D; D's
 * snapshots and state replies back. D's snapshots reach the Generator through this proxy (and, with
 * a remote Generator, through its proxy too: two hops on one host, one copy each). Control
 * (admissions, GetState, D's schedule changes passed on to G, credits for real batches, D's
 * reports, which the proxy passes on before the snapshot of the same version) goes over Artery. A
 * lost gate or a transport failure fails the proxy, a child the Coordinator watches.
 */
public final class RemoteDiscriminator {
  private RemoteDiscriminator() {}

  /** The discriminator node's host, registered once the node is welcomed into the run. */
  public static final ServiceKey<HostCommand> HOST =
      ServiceKey.create(HostCommand.class, "agon-discriminator-host");

  private static final int TO_COORDINATOR = 1403;
  private static final int TO_DISCRIMINATOR = 1404;

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
      ActorRef<Spawned> replyTo)
      implements HostCommand {}

  /** From the gate: D wants {@code credits} more real batches. */
  public record MoreReal(int credits) implements CborSerializable {}

  /** From the gate: a schedule change D passes on to the Generator. */
  public record ToGenerator(PlayerControl.Reschedule change) implements CborSerializable {}

  private record Found(Set<ActorRef<HostCommand>> hosts) {}

  /** The coordinator side: D's stand-in. Spawn it on the tensor dispatcher. */
  static Behavior<Object> proxy(
      Transport transport,
      PlayerCore.Setup setup,
      Duration findTimeout,
      Consumer<String> say,
      Path checkpoint,
      double lrScale) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers ->
                    Behaviors.withStash(
                        100_000,
                        stash -> {
                          SecureRandom rnd = new SecureRandom();
                          long runId = rnd.nextLong();
                          byte[] token = new byte[32];
                          rnd.nextBytes(token);
                          TensorMessageSerializer ser = RemoteGenerator.serializer(ctx);
                          ActorRef<Object> self = ctx.getSelf();
                          TensorSubscriber sub =
                              transport.subscriber(
                                  Endpoint.ipc(),
                                  TO_COORDINATOR,
                                  runId,
                                  token,
                                  RemoteGenerator.inbound(
                                      ser, m -> self.tell(new Inbound(m)), self));
                          Poller poller = new Poller("agon-from-discriminator", sub);
                          TensorPublisher pub;
                          try {
                            pub =
                                transport.publisher(Endpoint.ipc(), TO_DISCRIMINATOR, runId, token);
                          } catch (RuntimeException e) {
                            poller.close();
                            throw e;
                          }
                          ctx.getSystem()
                              .receptionist()
                              .tell(
                                  Receptionist.subscribe(
                                      HOST,
                                      ctx.messageAdapter(
                                          Receptionist.Listing.class,
                                          l -> new Found(l.getServiceInstances(HOST)))));
                          timers.startSingleTimer(new FindTimeout(), findTimeout);
                          Spawn spawn =
                              new Spawn(
                                  runId,
                                  token,
                                  transport.aeronDir(),
                                  checkpoint == null
                                      ? null
                                      : checkpoint.toAbsolutePath().toString(),
                                  lrScale,
                                  setup.schedule(),
                                  setup.segment(),
                                  setup.coordinator(),
                                  self,
                                  self.narrow());
                          return new Proxy(stash, spawn, ser, pub, poller, setup, say, self)
                              .finding(findTimeout);
                        })));
  }

  private static final class Proxy {
    private final StashBuffer<Object> stash;
    private final Spawn spawn;
    private final TensorMessageSerializer ser;
    private final TensorPublisher pub;
    private final Poller poller;
    private final PlayerCore.Setup setup;
    private final Consumer<String> say;
    private final ActorRef<Object> self;
    private final ArrayDeque<ActorRef<PlayerState>> stateWaiters = new ArrayDeque<>();
    // D's snapshots wait here until the Generator has connected.
    private final ArrayDeque<Object> toGenerator = new ArrayDeque<>();
    // Snapshots newer than D's last report forwarded to the Coordinator, oldest first.
    private final ArrayDeque<Generator.DiscriminatorSnapshot> unreported = new ArrayDeque<>();
    // D's newest version reported to the Coordinator; the first snapshot (D's start version,
    // which no report precedes) sets it.
    private long reported = Long.MIN_VALUE;
    private ActorRef<Generator.Command> generator;
    private boolean asked;

    Proxy(
        StashBuffer<Object> stash,
        Spawn spawn,
        TensorMessageSerializer ser,
        TensorPublisher pub,
        Poller poller,
        PlayerCore.Setup setup,
        Consumer<String> say,
        ActorRef<Object> self) {
      this.stash = stash;
      this.spawn = spawn;
      this.ser = ser;
      this.pub = pub;
      this.poller = poller;
      this.setup = setup;
      this.say = say;
      this.self = self;
    }

    Behavior<Object> finding(Duration findTimeout) {
      return Behaviors.setup(
          ctx ->
              Behaviors.receive(Object.class)
                  .onMessage(
                      Found.class,
                      f -> {
                        if (!asked && !f.hosts().isEmpty()) {
                          asked = true;
                          f.hosts().iterator().next().tell(spawn);
                        }
                        return Behaviors.same();
                      })
                  .onMessage(
                      Spawned.class,
                      s -> {
                        if (s.gate() == null) {
                          throw new IllegalStateException(
                              "the discriminator node could not start the Discriminator: "
                                  + s.error());
                        }
                        ctx.watchWith(s.gate(), new Gone());
                        say.accept("the Discriminator runs on node " + s.gate().path().address());
                        return stash.unstashAll(running(s.gate()));
                      })
                  .onMessage(
                      FindTimeout.class,
                      t -> {
                        throw new IllegalStateException(
                            "no discriminator node answered within "
                                + findTimeout.toSeconds()
                                + " s");
                      })
                  .onMessage(Broken.class, this::onBroken)
                  .onSignal(PostStop.class, s -> close())
                  .onAnyMessage(
                      m -> {
                        stash.stash(m);
                        return Behaviors.same();
                      })
                  .build());
    }

    private Behavior<Object> running(ActorRef<Object> gate) {
      return Behaviors.receive(Object.class)
          .onMessage(
              Discriminator.Fake.class,
              f -> {
                RemoteGenerator.send(
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
                RemoteGenerator.send(ser, pub, FrameKind.REAL_BATCH, r.index(), r.epoch(), r);
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
              })
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
          .onMessage(
              Inbound.class,
              in -> {
                Object m = in.message();
                if (m instanceof Generator.DiscriminatorSnapshot s) {
                  if (reported == Long.MIN_VALUE) {
                    reported = s.snapshot().version();
                  }
                  if (s.snapshot().version() <= reported && unreported.isEmpty()) {
                    toG(s);
                  } else {
                    unreported.add(s);
                  }
                } else if (m instanceof PlayerState p) {
                  stateWaiters.remove().tell(p);
                } else {
                  throw new IllegalStateException(
                      "unexpected message from the discriminator node: " + m);
                }
                return Behaviors.same();
              })
          .onMessage(Broken.class, this::onBroken)
          .onMessage(Found.class, f -> Behaviors.same())
          .onMessage(FindTimeout.class, f -> Behaviors.same())
          .onMessage(
              Gone.class,
              g -> {
                throw new IllegalStateException(
                    "the Discriminator on node " + gate.path().address() + " stopped or was lost");
              })
          .onSignal(PostStop.class, s -> close())
          .build();
    }

    private void toG(Generator.Command m) {
      if (generator == null) {
        toGenerator.add(m);
      } else {
        generator.tell(m);
      }
    }

    private Behavior<Object> onBroken(Broken b) {
      throw new IllegalStateException(
          "the transport from the discriminator node failed: " + b.why());
    }

    private Behavior<Object> close() {
      poller.close();
      pub.close();
      return Behaviors.same();
    }
  }

  /** The discriminator node's side: answers {@link Spawn} with a gate holding D. */
  public static Behavior<HostCommand> host(LoadedConfig loaded) {
    return Behaviors.setup(
        ctx -> {
          Transport[] transport = new Transport[1];
          int[] launches = new int[1];
          return Behaviors.receive(HostCommand.class)
              .onMessage(
                  Spawn.class,
                  s -> {
                    try {
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
                          ctx.spawn(gate(loaded, point, transport[0], s), "gate-" + ++launches[0]);
                      s.replyTo().tell(new Spawned(gate, null));
                    } catch (RuntimeException | CheckpointException e) {
                      ctx.getLog().error("cannot start the Discriminator", e);
                      s.replyTo().tell(new Spawned(null, String.valueOf(e.getMessage())));
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
   * One launch's D with its outbound adapter (D's Generator and DataLoader: snapshots and state
   * over Aeron, credits and schedule changes to the proxy) and the polling thread that hands D its
   * fakes and real batches.
   */
  private static Behavior<Object> gate(
      LoadedConfig loaded, ResumePoint point, Transport transport, Spawn s) {
    return Behaviors.setup(
        ctx -> {
          TensorMessageSerializer ser = RemoteGenerator.serializer(ctx);
          TensorPublisher pub =
              transport.publisher(Endpoint.ipc(), TO_COORDINATOR, s.runId(), s.token());
          DispatcherSelector pinned = DispatcherSelector.fromConfig(Coordinator.TENSOR_DISPATCHER);
          // Where D's real batches go: set by D's first credit request, read by the poller.
          AtomicReference<ActorRef<Messages.RealBatch>> reals = new AtomicReference<>();
          ActorRef<Object> outbound =
              ctx.spawn(outbound(ser, pub, s.proxy(), reals), "to-coordinator", pinned);
          var c = loaded.config();
          long[] shape = dev.agon.train.Factory.data(c).sampleShape();
          PlayerCore.Setup setup =
              new PlayerCore.Setup(
                  TrainRun.settings(c),
                  s.schedule(),
                  s.segment(),
                  outbound.narrow(),
                  outbound.narrow(),
                  FaultInjection.fromSystemProperties());
          Placement place = Placement.of(c.devices());
          ActorRef<Discriminator.Command> discriminator =
              ctx.spawn(
                  place.on(
                      place.discriminator(),
                      Discriminator.create(() -> point.discriminator(shape), setup)),
                  Player.DISCRIMINATOR.label(),
                  pinned);
          discriminator.tell(new Discriminator.Connect(outbound.narrow()));
          ActorRef<Object> self = ctx.getSelf();
          TensorSubscriber sub =
              transport.subscriber(
                  Endpoint.ipc(),
                  TO_DISCRIMINATOR,
                  s.runId(),
                  s.token(),
                  RemoteGenerator.inbound(
                      ser,
                      m -> {
                        if (m instanceof Discriminator.Fake f) {
                          discriminator.tell(f);
                        } else if (m instanceof Messages.RealBatch r && reals.get() != null) {
                          reals.get().tell(r);
                        } else {
                          self.tell(new Broken("unexpected message " + m));
                        }
                      },
                      self));
          Poller poller = new Poller("agon-from-coordinator", sub);
          ctx.watch(discriminator);
          ctx.watch(outbound);
          ctx.watchWith(s.proxy(), new Gone());
          return Behaviors.receive(Object.class)
              .onMessage(
                  PlayerControl.GetState.class,
                  g -> {
                    discriminator.tell(new PlayerControl.GetState(outbound.narrow()));
                    return Behaviors.same();
                  })
              .onMessage(
                  PlayerControl.class,
                  m -> {
                    discriminator.tell(m);
                    return Behaviors.same();
                  })
              .onMessage(
                  Broken.class,
                  b -> {
                    throw new IllegalStateException(
                        "the transport from the coordinator node failed: " + b.why());
                  })
              .onMessage(Gone.class, g -> Behaviors.stopped())
              .onSignal(
                  PostStop.class,
                  p -> {
                    poller.close();
                    pub.close();
                    return Behaviors.same();
                  })
              .build();
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
              RemoteGenerator.send(ser, pub, FrameKind.D_SNAPSHOT, v, v, d);
              return Behaviors.same();
            })
        .onMessage(
            PlayerState.class,
            p -> {
              RemoteGenerator.send(ser, pub, FrameKind.PLAYER_STATE, 0, 0, p);
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
