package dev.agon.engine;

import dev.agon.config.LoadedConfig;
import dev.agon.data.Mixture2d;
import dev.agon.engine.RemoteDiscriminator.MoreReal;
import dev.agon.engine.RemoteGenerator.Spawned;
import dev.agon.engine.TensorWire.Broken;
import dev.agon.engine.TensorWire.Poller;
import dev.agon.engine.serialization.CborSerializable;
import dev.agon.engine.serialization.TensorMessageSerializer;
import dev.agon.train.Factory;
import dev.agon.train.ImageScorer;
import dev.agon.train.ModeScorer;
import dev.agon.transport.Endpoint;
import dev.agon.transport.FrameKind;
import dev.agon.transport.TensorPublisher;
import dev.agon.transport.Transport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * The roles without training state on nodes of their own, each behind a stand-in on {@link
 * RemotePlayer}'s plumbing, the actors unaware of it: on one host over Aeron IPC (the coordinator
 * node's media driver), or with {@code cluster.transport = udp} on any host, over UDP between the
 * nodes' own drivers (the node's Spawned names its endpoint, as a player's node does).
 *
 * <p>The <b>DataLoader</b> ({@code agon node --role data-loader}) reads the data set there (the
 * config's path, on that node's file system). D's credit requests reach its gate over Artery; the
 * real batches come back over Aeron (one frame message each, {@link TensorWire}) and the proxy
 * hands them to the requester (D, or D's proxy when D is remote: one more hop). Its cursor needs no
 * state of its own: a launch starts at real batch {@code dDone} (D update n trains on batch n - 1),
 * so checkpoints and resumes stay exact.
 *
 * <p>The <b>Evaluator</b> ({@code --role evaluator}) gets each snapshot to score ({@link
 * Evaluator.Evaluate}: G's weights and the D they trained against) over Aeron; its credits ({@link
 * Evaluator.Ready}) and reports ({@link Messages.EvalReport}: the scores) come back over Artery as
 * CBOR to the proxy, which hands them to the Coordinator, so the Recorder on the coordinator node
 * records them as in one JVM. The scorer is built on the node from the same config and writes its
 * sample plots into the run directory over IPC (its absolute path travels in {@link Spawn}); over
 * UDP the node may be on another host, so into the directory its {@code agon node --plots} names (a
 * record's plot names the file, the same name either way).
 *
 * <p>Cost per batch or snapshot: {@link TensorWire}'s copies (one serialization copy out, one
 * assembly and one decode copy in), twice for a batch to a remote D (through the coordinator node).
 */
public final class RemoteService {
  private RemoteService() {}

  /** Messages of a data-loader or evaluator node's host. */
  public interface HostCommand extends CborSerializable {}

  /** The data-loader node's host, registered once the node is welcomed into the run. */
  public static final ServiceKey<HostCommand> DATA_LOADER_HOST =
      ServiceKey.create(HostCommand.class, "agon-data-loader-host");

  /** The evaluator node's host, registered once the node is welcomed into the run. */
  public static final ServiceKey<HostCommand> EVALUATOR_HOST =
      ServiceKey.create(HostCommand.class, "agon-evaluator-host");

  /**
   * A role's way in: its host's key and its Aeron stream ids, towards the coordinator node ({@code
   * from}) and towards the role's node ({@code to}).
   */
  record Wire(ServiceKey<HostCommand> key, int from, int to, String role) {}

  static final Wire DATA_LOADER = new Wire(DATA_LOADER_HOST, 1405, 1406, "DataLoader");
  static final Wire EVALUATOR = new Wire(EVALUATOR_HOST, 1407, 1408, "Evaluator");

  /**
   * Spawn the role's actor for one engine launch: a DataLoader serving batches {@code firstIndex,
   * firstIndex + 1, ...}, or an Evaluator whose plots go to {@code runDir} (absolute; used over IPC
   * only, one host). The other fields as {@link RemoteGenerator.Spawn}'s; {@code checkpoint} is
   * null and {@code lrScale} 1 (these roles keep no training state); {@code udp}, with {@code
   * cluster.transport = udp}, names where the coordinator node receives ({@code aeronDir} then
   * null; its {@code start} is null: no state follows).
   */
  public record Spawn(
      long firstIndex,
      String runDir,
      long runId,
      byte[] token,
      String aeronDir,
      String checkpoint,
      double lrScale,
      ActorRef<Object> proxy,
      ActorRef<Spawned> replyTo,
      RemoteGenerator.Udp udp)
      implements HostCommand, RemotePlayer.Launch {}

  /** What differs between the roles' stand-ins: one per launch (it may keep state). */
  private interface Part {
    /** The role's own handlers of the running stand-in {@code stand}. */
    BehaviorBuilder<Object> running(Stand stand, BehaviorBuilder<Object> b, ActorRef<Object> gate);

    /** Takes a tensor message from the role's node; false: unexpected. */
    boolean onTensor(Object m);

    /** The role's gate answered. */
    default void up() {}
  }

  /**
   * One launch of a role: the transport and where this node receives on it ({@code data}: IPC, or
   * its UDP endpoint), where to find the role's host and within how long, who hears where it runs,
   * and the Spawn's own fields.
   */
  private record Launch(
      Transport transport,
      Endpoint data,
      Wire wire,
      Duration findTimeout,
      Consumer<String> say,
      long firstIndex,
      String runDir) {}

  /** A role's stand-in: the same Spawn for both roles, the rest the role's {@link Part}. */
  private static final class Stand extends RemoteProxy<HostCommand> {
    private final Part part;
    private final Launch launch;

    Stand(
        ActorContext<Object> ctx,
        TimerScheduler<Object> timers,
        StashBuffer<Object> stash,
        Launch l,
        Part part) {
      super(
          ctx,
          timers,
          stash,
          l.transport(),
          l.data(),
          null,
          l.wire().key(),
          l.wire().from(),
          l.wire().to(),
          l.wire().role(),
          l.findTimeout(),
          l.say());
      this.part = part;
      this.launch = l;
    }

    /** Built when the host is found (once a launch). */
    @Override
    HostCommand spawn() {
      ActorRef<Object> self = ctx.getSelf();
      Endpoint data = launch.data();
      return new Spawn(
          launch.firstIndex(),
          launch.runDir(),
          runId,
          token,
          data.isIpc() ? launch.transport().aeronDir() : null,
          null,
          1.0,
          self,
          self.narrow(),
          data.isIpc() ? null : new RemoteGenerator.Udp(data.host(), data.port(), null));
    }

    @Override
    BehaviorBuilder<Object> running(BehaviorBuilder<Object> b, ActorRef<Object> gate) {
      return part.running(this, b, gate);
    }

    @Override
    boolean onTensor(Object m) {
      return part.onTensor(m);
    }

    @Override
    void onRunning() {
      part.up();
    }
  }

  private static Behavior<Object> stand(Launch launch, Supplier<Part> part) {
    return RemoteProxy.behavior(
        (ctx, timers, stash) -> new Stand(ctx, timers, stash, launch, part.get()));
  }

  /**
   * The coordinator side: the DataLoader's stand-in, receiving at {@code data} (IPC, or this node's
   * UDP endpoint). Spawn it on the tensor dispatcher.
   */
  static Behavior<Object> dataLoader(
      Transport transport,
      Endpoint data,
      long firstIndex,
      Duration findTimeout,
      Consumer<String> say) {
    return stand(
        new Launch(transport, data, DATA_LOADER, findTimeout, say, firstIndex, null),
        LoaderPart::new);
  }

  /** Credits to the DataLoader's node, its batches to the last requester (D or D's proxy). */
  private static final class LoaderPart implements Part {
    private ActorRef<Messages.RealBatch> consumer;

    @Override
    public BehaviorBuilder<Object> running(
        Stand stand, BehaviorBuilder<Object> b, ActorRef<Object> gate) {
      return b.onMessage(
          DataLoader.Request.class,
          r -> {
            consumer = r.replyTo();
            return relay(gate, new MoreReal(r.credits()));
          });
    }

    @Override
    public boolean onTensor(Object m) {
      if (m instanceof Messages.RealBatch r && consumer != null) {
        consumer.tell(r);
        return true;
      }
      return false;
    }
  }

  /**
   * The coordinator side: the Evaluator's stand-in, passing its credits to {@code client} and its
   * reports to {@code reports}; over IPC its plots go to {@code runDir}. Spawn it on the tensor
   * dispatcher: it serializes the snapshots.
   */
  static Behavior<Object> evaluator(
      Transport transport,
      Endpoint data,
      Path runDir,
      ActorRef<Evaluator.Ready> client,
      ActorRef<Messages.EvalReport> reports,
      ActorRef<Coordinator.Command> coordinator,
      Duration findTimeout,
      Consumer<String> say) {
    String dir = runDir.toAbsolutePath().toString();
    return stand(
        new Launch(transport, data, EVALUATOR, findTimeout, say, 0, dir),
        () -> new EvaluatorPart(client, reports, coordinator));
  }

  /**
   * Snapshots to the evaluator node over Aeron; its credits and reports to the Coordinator, which
   * hears when the Evaluator's gate is up (training waits for it).
   */
  private record EvaluatorPart(
      ActorRef<Evaluator.Ready> client,
      ActorRef<Messages.EvalReport> reports,
      ActorRef<Coordinator.Command> coordinator)
      implements Part {
    @Override
    public void up() {
      coordinator.tell(new Coordinator.RoleUp(RemotePlayer.role(EVALUATOR.role())));
    }

    @Override
    public BehaviorBuilder<Object> running(
        Stand stand, BehaviorBuilder<Object> b, ActorRef<Object> gate) {
      return b.onMessage(
              Evaluator.Evaluate.class,
              e -> {
                TensorWire.send(
                    stand.ser, stand.pub, FrameKind.G_SNAPSHOT, e.step(), e.gVersion(), e);
                return Behaviors.same();
              })
          .onMessage(Evaluator.GetStats.class, g -> relay(gate, g))
          .onMessage(Evaluator.Ready.class, r -> relay(client, r))
          .onMessage(Messages.EvalReport.class, r -> relay(reports, r));
    }

    @Override
    public boolean onTensor(Object m) {
      return false; // the Evaluator sends nothing tensor-sized
    }
  }

  private static <T> Behavior<Object> relay(ActorRef<T> to, T m) {
    to.tell(m);
    return Behaviors.same();
  }

  /**
   * The data-loader node's side: answers {@link Spawn} with a gate holding the DataLoader; with
   * {@code own} (not null) over UDP: this node's media driver, receiving at {@code data}.
   */
  public static Behavior<HostCommand> dataLoaderHost(
      LoadedConfig loaded, Transport own, Endpoint data) {
    return RemotePlayer.host(
        HostCommand.class,
        Spawn.class,
        DATA_LOADER.role(),
        loaded,
        own,
        data,
        (point, transport, s) -> dataLoaderGate(loaded, transport, s));
  }

  /**
   * The evaluator node's side: answers {@link Spawn} with a gate holding the Evaluator; with {@code
   * own} (not null) over UDP: this node's media driver, receiving at {@code data}, its plots under
   * {@code plots} (null: none, eval.plots is false) instead of the coordinator's run directory.
   */
  public static Behavior<HostCommand> evaluatorHost(
      LoadedConfig loaded, Transport own, Endpoint data, Path plots) {
    return RemotePlayer.host(
        HostCommand.class,
        Spawn.class,
        EVALUATOR.role(),
        loaded,
        own,
        data,
        (point, transport, s) ->
            evaluatorGate(
                loaded, transport, data, s, s.udp() == null ? Path.of(s.runDir()) : plots));
  }

  /**
   * One launch's DataLoader (on the Discriminator's device, as in one JVM), credits from the proxy
   * and its batches published over Aeron by an outbound adapter.
   */
  private static Behavior<Object> dataLoaderGate(
      LoadedConfig loaded, Transport transport, Spawn s) {
    return Behaviors.setup(
        ctx -> {
          TensorMessageSerializer ser = TensorWire.serializer(ctx);
          TensorPublisher pub =
              transport.publisher(
                  RemotePlayer.coordinatorEnd(s), DATA_LOADER.from(), s.runId(), s.token());
          DispatcherSelector pinned = DispatcherSelector.fromConfig(Coordinator.TENSOR_DISPATCHER);
          ActorRef<Object> outbound =
              ctx.spawn(
                  Behaviors.receive(Object.class)
                      .onMessage(
                          Messages.RealBatch.class,
                          r -> {
                            TensorWire.send(
                                ser, pub, FrameKind.REAL_BATCH, r.index(), r.epoch(), r);
                            return Behaviors.same();
                          })
                      .build(),
                  "to-coordinator",
                  pinned);
          var c = loaded.config();
          EngineSettings settings = TrainRun.settings(c);
          Placement place = Placement.of(c.devices());
          ActorRef<DataLoader.Command> loader =
              ctx.spawn(
                  place.on(
                      place.discriminator(),
                      DataLoader.create(
                          () -> Factory.data(c),
                          settings.batchSize(),
                          settings.prefetch(),
                          s.firstIndex())),
                  "data-loader",
                  pinned);
          BehaviorBuilder<Object> own =
              Behaviors.receive(Object.class)
                  .onMessage(
                      MoreReal.class,
                      m -> relay(loader, new DataLoader.Request(m.credits(), outbound.narrow())));
          return RemotePlayer.roleGate(ctx, own, loader, outbound, s, null, pub);
        });
  }

  /**
   * One launch's Evaluator (its scorer built on its thread, as in one JVM, plotting under {@code
   * runDir}), crediting and reporting straight to the proxy, with the polling thread that hands it
   * its snapshots, received at {@code data}.
   */
  private static Behavior<Object> evaluatorGate(
      LoadedConfig loaded, Transport transport, Endpoint data, Spawn s, Path runDir) {
    return Behaviors.setup(
        ctx -> {
          var c = loaded.config();
          boolean mixture = Factory.data(c) instanceof Mixture2d;
          Placement place = Placement.of(c.devices());
          ActorRef<Evaluator.Command> evaluator =
              ctx.spawn(
                  place.on(
                      place.evaluator(),
                      Evaluator.create(
                          mixture
                              ? () -> ModeScorer.create(c, runDir)
                              : () -> ImageScorer.create(c, runDir),
                          s.proxy().narrow(),
                          s.proxy().narrow())),
                  "evaluator",
                  DispatcherSelector.fromConfig(Coordinator.TENSOR_DISPATCHER));
          ActorRef<Object> self = ctx.getSelf();
          Poller poller =
              TensorWire.poll(
                  transport,
                  data,
                  EVALUATOR.to(),
                  s.runId(),
                  s.token(),
                  "agon-from-coordinator",
                  TensorWire.serializer(ctx),
                  m -> {
                    if (m instanceof Evaluator.Evaluate e) {
                      evaluator.tell(e);
                    } else {
                      self.tell(new Broken("unexpected message " + m));
                    }
                  },
                  self);
          BehaviorBuilder<Object> own =
              Behaviors.receive(Object.class)
                  .onMessage(Evaluator.GetStats.class, g -> relay(evaluator, g));
          return RemotePlayer.roleGate(ctx, own, evaluator, null, s, poller, null);
        });
  }
}
