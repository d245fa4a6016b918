package dev.agon.engine;

import dev.agon.checkpoint.CheckpointException;
import dev.agon.checkpoint.CheckpointStore;
import dev.agon.config.LoadedConfig;
import dev.agon.engine.serialization.CborSerializable;
import dev.agon.engine.serialization.TensorMessageSerializer;
import dev.agon.train.PlayerState;
import dev.agon.train.Schedule;
import dev.agon.transport.Dtype;
import dev.agon.transport.Endpoint;
import dev.agon.transport.FrameKind;
import dev.agon.transport.ReceivedTensor;
import dev.agon.transport.TensorPublisher;
import dev.agon.transport.TensorSubscriber;
import dev.agon.transport.Transport;
import dev.agon.transport.TransportException;
import dev.agon.transport.TransportSettings;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.function.Consumer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * The Generator on another JVM of one host ({@code agon node --role generator}), with the actors
 * unaware of it: on the coordinator's side a proxy stands where Crew would spawn the Generator (the
 * same {@code ActorRef<Generator.Command>}); on the generator node a host spawns the real Generator
 * behind a gate. Control messages (admissions, schedule changes, GetState) go over Artery as
 * Jackson CBOR; tensor messages (fakes G to D, D's snapshots D to G, G's state and evaluation
 * snapshot replies) never do: each side has a publisher and a polling thread on Aeron IPC streams
 * of the media driver the coordinator node embeds (its directory travels in {@link Spawn}). A
 * tensor message crosses as one frame message of {@link Dtype#BYTES}: the engine's tensor
 * serializer's bytes (raw little-endian tensors plus the message's steps and versions), so the
 * receiving actor gets the same record the sender made. Cost per message: one serialization copy
 * and Aeron's copy out, one assembly copy and one decode copy in. A transport failure or a lost
 * generator node fails the proxy, a child the Coordinator watches, so the run ends as a failure
 * (never a hang).
 */
public final class RemoteGenerator {
  private RemoteGenerator() {}

  /** The generator node's host, registered once the node is welcomed into the run. */
  public static final ServiceKey<HostCommand> HOST =
      ServiceKey.create(HostCommand.class, "agon-generator-host");

  // Aeron stream ids: towards the coordinator node (fakes, replies) and towards the generator.
  private static final int TO_COORDINATOR = 1401;
  private static final int TO_GENERATOR = 1402;

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
      ActorRef<Spawned> replyTo)
      implements HostCommand {}

  /** The answer to {@link Spawn}: the gate, or null with the reason it could not start. */
  public record Spawned(ActorRef<Object> gate, String error) implements CborSerializable {}

  private record Found(Set<ActorRef<HostCommand>> hosts) {}

  record Inbound(Object message) {}

  record Broken(String why) {}

  record Gone() {}

  record FindTimeout() {}

  /**
   * The coordinator side: a Generator stand-in that finds the generator host through the
   * Receptionist, has it spawn the Generator, then relays. Spawn it on the tensor dispatcher: it
   * serializes and publishes D's snapshots.
   */
  static Behavior<Object> proxy(
      Transport transport,
      PlayerCore.Setup setup,
      ActorRef<Discriminator.Command> discriminator,
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
                          TensorMessageSerializer ser = serializer(ctx);
                          ActorRef<Object> self = ctx.getSelf();
                          TensorSubscriber sub =
                              transport.subscriber(
                                  Endpoint.ipc(),
                                  TO_COORDINATOR,
                                  runId,
                                  token,
                                  inbound(ser, m -> self.tell(new Inbound(m)), self));
                          Poller poller = new Poller("agon-from-generator", sub);
                          TensorPublisher pub;
                          try {
                            pub = transport.publisher(Endpoint.ipc(), TO_GENERATOR, runId, token);
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
                          // D sends its snapshots and passes schedule changes on to this proxy.
                          discriminator.tell(new Discriminator.Connect(self.narrow()));
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
                                  discriminator,
                                  self,
                                  self.narrow());
                          return new Proxy(ctx, stash, spawn, ser, pub, poller, discriminator, say)
                              .finding(findTimeout);
                        })));
  }

  private static final class Proxy {
    private final ActorContext<Object> ctx;
    private final StashBuffer<Object> stash;
    private final Spawn spawn;
    private final TensorMessageSerializer ser;
    private final TensorPublisher pub;
    private final Poller poller;
    private final ActorRef<Discriminator.Command> discriminator;
    // Replies come back over Aeron in the order asked (the Generator answers in order).
    private final ArrayDeque<ActorRef<PlayerState>> stateWaiters = new ArrayDeque<>();
    private final ArrayDeque<ActorRef<Generator.EvaluationSnapshot>> evalWaiters =
        new ArrayDeque<>();
    private final Consumer<String> say;
    private boolean asked;

    Proxy(
        ActorContext<Object> ctx,
        StashBuffer<Object> stash,
        Spawn spawn,
        TensorMessageSerializer ser,
        TensorPublisher pub,
        Poller poller,
        ActorRef<Discriminator.Command> discriminator,
        Consumer<String> say) {
      this.ctx = ctx;
      this.say = say;
      this.stash = stash;
      this.spawn = spawn;
      this.ser = ser;
      this.pub = pub;
      this.poller = poller;
      this.discriminator = discriminator;
    }

    Behavior<Object> finding(Duration findTimeout) {
      return Behaviors.receive(Object.class)
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
                      "the generator node could not start the Generator: " + s.error());
                }
                ctx.watchWith(s.gate(), new Gone());
                say.accept("the Generator runs on node " + s.gate().path().address());
                return stash.unstashAll(running(s.gate()));
              })
          .onMessage(
              FindTimeout.class,
              t -> {
                throw new IllegalStateException(
                    "no generator node answered within " + findTimeout.toSeconds() + " s");
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
      return Behaviors.receive(Object.class)
          .onMessage(
              Generator.DiscriminatorSnapshot.class,
              s -> {
                long v = s.snapshot().version();
                send(ser, pub, FrameKind.D_SNAPSHOT, v, v, s);
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
              Generator.GetEvaluationSnapshot.class,
              g -> {
                evalWaiters.add(g.replyTo());
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
          .onMessage(Broken.class, this::onBroken)
          .onMessage(Found.class, f -> Behaviors.same())
          .onMessage(FindTimeout.class, f -> Behaviors.same())
          .onMessage(
              Gone.class,
              g -> {
                throw new IllegalStateException(
                    "the Generator on node " + gate.path().address() + " stopped or was lost");
              })
          .onSignal(PostStop.class, s -> close())
          .build();
    }

    private Behavior<Object> onInbound(Inbound in) {
      Object m = in.message();
      if (m instanceof Discriminator.Fake f) {
        discriminator.tell(f);
      } else if (m instanceof PlayerState p) {
        stateWaiters.remove().tell(p);
      } else if (m instanceof Generator.EvaluationSnapshot e) {
        evalWaiters.remove().tell(e);
      } else {
        throw new IllegalStateException("unexpected message from the generator node: " + m);
      }
      return Behaviors.same();
    }

    private Behavior<Object> onBroken(Broken b) {
      throw new IllegalStateException("the transport from the generator node failed: " + b.why());
    }

    private Behavior<Object> close() {
      poller.close();
      pub.close();
      return Behaviors.same();
    }
  }

  /**
   * The generator node's side: answers {@link Spawn} with a gate holding the Generator. The node's
   * Aeron client reaches the coordinator node's driver on the first spawn and lives with the host.
   */
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
                      var c = loaded.config();
                      ResumePoint point =
                          new ResumePoint(
                              c,
                              loaded.rendered(),
                              s.checkpoint() == null
                                  ? null
                                  : CheckpointStore.read(Path.of(s.checkpoint())),
                              s.lrScale());
                      ActorRef<Object> gate =
                          ctx.spawn(gate(loaded, point, transport[0], s), "gate-" + ++launches[0]);
                      s.replyTo().tell(new Spawned(gate, null));
                    } catch (RuntimeException | CheckpointException e) {
                      ctx.getLog().error("cannot start the Generator", e);
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
   * Holds one launch's Generator and its two adapters: the outbound one (the Generator's
   * Discriminator: fakes and replies over Aeron) and the polling thread that hands D's snapshots to
   * the Generator. A failed child fails the gate (death pact); the proxy watches the gate.
   */
  private static Behavior<Object> gate(
      LoadedConfig loaded, ResumePoint point, Transport transport, Spawn s) {
    return Behaviors.setup(
        ctx -> {
          TensorMessageSerializer ser = serializer(ctx);
          TensorPublisher pub =
              transport.publisher(Endpoint.ipc(), TO_COORDINATOR, s.runId(), s.token());
          DispatcherSelector pinned = DispatcherSelector.fromConfig(Coordinator.TENSOR_DISPATCHER);
          ActorRef<Object> outbound = ctx.spawn(outbound(ser, pub), "to-coordinator", pinned);
          var c = loaded.config();
          long[] shape = dev.agon.train.Factory.data(c).sampleShape();
          PlayerCore.Setup setup =
              new PlayerCore.Setup(
                  TrainRun.settings(c),
                  s.schedule(),
                  s.segment(),
                  s.coordinator(),
                  null,
                  FaultInjection.fromSystemProperties());
          Placement place = Placement.of(c.devices());
          ActorRef<Generator.Command> generator =
              ctx.spawn(
                  place.on(
                      place.generator(),
                      Generator.create(() -> point.generator(shape), setup, outbound.narrow())),
                  dev.agon.config.Player.GENERATOR.label(),
                  pinned);
          ActorRef<Object> self = ctx.getSelf();
          TensorSubscriber sub =
              transport.subscriber(
                  Endpoint.ipc(),
                  TO_GENERATOR,
                  s.runId(),
                  s.token(),
                  inbound(
                      ser,
                      m -> {
                        if (m instanceof Generator.DiscriminatorSnapshot d) {
                          generator.tell(d);
                        } else {
                          self.tell(new Broken("unexpected message " + m));
                        }
                      },
                      self));
          Poller poller = new Poller("agon-from-coordinator", sub);
          ctx.watch(generator);
          ctx.watch(outbound);
          ctx.watchWith(s.proxy(), new Gone());
          return Behaviors.receive(Object.class)
              .onMessage(
                  PlayerControl.GetState.class,
                  g -> {
                    generator.tell(new PlayerControl.GetState(outbound.narrow()));
                    return Behaviors.same();
                  })
              .onMessage(
                  Generator.GetEvaluationSnapshot.class,
                  g -> {
                    generator.tell(new Generator.GetEvaluationSnapshot(outbound.narrow()));
                    return Behaviors.same();
                  })
              .onMessage(
                  PlayerControl.class,
                  m -> {
                    generator.tell(m);
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

  /** Publishes the Generator's tensor messages; Connect is the proxy's business, so dropped. */
  private static Behavior<Object> outbound(TensorMessageSerializer ser, TensorPublisher pub) {
    return Behaviors.receive(Object.class)
        .onMessage(
            Discriminator.Fake.class,
            f -> {
              send(
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
              send(ser, pub, FrameKind.PLAYER_STATE, 0, 0, p);
              return Behaviors.same();
            })
        .onMessage(
            Generator.EvaluationSnapshot.class,
            e -> {
              send(ser, pub, FrameKind.EVALUATION_SNAPSHOT, 0, 0, e);
              return Behaviors.same();
            })
        .onMessage(Discriminator.Connect.class, c -> Behaviors.same())
        .build();
  }

  static TensorMessageSerializer serializer(ActorContext<?> ctx) {
    return new TensorMessageSerializer((ExtendedActorSystem) ctx.getSystem().classicSystem());
  }

  /**
   * Sends {@code m} as one frame message; a transport failure (not connected, closed, the send
   * timeout) fails the calling actor with the reason.
   */
  static void send(
      TensorMessageSerializer ser,
      TensorPublisher pub,
      FrameKind kind,
      long step,
      long version,
      Object m) {
    byte[] bytes = ser.toBinary(m);
    try {
      pub.send(kind, step, version, Dtype.BYTES, new long[] {bytes.length}, ByteBuffer.wrap(bytes));
    } catch (TransportException e) {
      throw new IllegalStateException("cannot send " + kind + ": " + e.getMessage(), e);
    }
  }

  /** A subscriber's handler: rebuilds each message and hands it on; a bad one is a failure. */
  static dev.agon.transport.TensorHandler inbound(
      TensorMessageSerializer ser, Consumer<Object> to, ActorRef<Object> failures) {
    return (ReceivedTensor t) -> {
      try {
        byte[] bytes = new byte[(int) t.payloadBytes()];
        t.payload().getBytes(0, bytes);
        to.accept(ser.fromBinary(bytes, manifest(t.kind())));
      } catch (Exception e) {
        failures.tell(new Broken("cannot read a " + t.kind() + " message: " + e.getMessage()));
      }
    };
  }

  static String manifest(FrameKind kind) {
    return switch (kind) {
      case FAKE_BATCH -> Discriminator.Fake.class.getName();
      case D_SNAPSHOT -> Generator.DiscriminatorSnapshot.class.getName();
      case PLAYER_STATE -> PlayerState.class.getName();
      case EVALUATION_SNAPSHOT -> Generator.EvaluationSnapshot.class.getName();
      case REAL_BATCH -> Messages.RealBatch.class.getName();
      default -> throw new IllegalArgumentException("no engine message is sent as " + kind);
    };
  }

  /**
   * Polls one subscriber on its own thread with a backoff idle strategy (spins a little, yields,
   * then parks up to 1 ms: never a busy spin on shared cores); closes it when done.
   */
  static final class Poller implements AutoCloseable {
    private final TensorSubscriber sub;
    private final Thread thread;
    private volatile boolean running = true;

    Poller(String name, TensorSubscriber sub) {
      this.sub = sub;
      this.thread =
          new Thread(
              () -> {
                IdleStrategy idle = new BackoffIdleStrategy(10, 10, 1_000, 1_000_000);
                while (running) {
                  idle.idle(sub.poll(16));
                }
              },
              name);
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void close() {
      running = false;
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      sub.close();
    }
  }
}
