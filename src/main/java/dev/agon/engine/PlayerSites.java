package dev.agon.engine;

import dev.agon.config.Player;
import dev.agon.transport.Endpoint;
import dev.agon.transport.Transport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * Where the players (and the DataLoader and Evaluator) run: in this JVM ({@link #LOCAL}, {@code
 * agon train}), or each on a node of its own behind a stand-in ({@link #remote}, {@code agon
 * node}). Crew asks it for the players' refs; the other actors cannot tell the difference.
 */
public interface PlayerSites {
  /**
   * The Generator's ref, spawned as {@code ctx}'s child named "generator" (watched by Crew).
   *
   * @param local the Generator this JVM would run
   * @param setup where it starts and whom it works with
   * @param discriminator the Discriminator it sends its fakes to
   */
  ActorRef<Generator.Command> generator(
      ActorContext<Coordinator.Command> ctx,
      Behavior<Generator.Command> local,
      PlayerCore.Setup setup,
      ActorRef<Discriminator.Command> discriminator);

  /** The Discriminator's ref, spawned as {@code ctx}'s child named "discriminator". */
  ActorRef<Discriminator.Command> discriminator(
      ActorContext<Coordinator.Command> ctx,
      Behavior<Discriminator.Command> local,
      PlayerCore.Setup setup);

  /**
   * The DataLoader's ref serving real batches from {@code firstIndex}, spawned as {@code ctx}'s
   * child named "data-loader" (watched by Crew); {@code local} is the DataLoader this JVM would
   * run.
   */
  default ActorRef<DataLoader.Command> dataLoader(
      ActorContext<Coordinator.Command> ctx, Behavior<DataLoader.Command> local, long firstIndex) {
    return ctx.spawn(
        local, "data-loader", DispatcherSelector.fromConfig(Coordinator.TENSOR_DISPATCHER));
  }

  /**
   * The Evaluator's ref, spawned as {@code ctx}'s child named "evaluator"; {@code local} is the one
   * this JVM would run, crediting {@code client} and reporting to {@code reports}.
   */
  default ActorRef<Evaluator.Command> evaluator(
      ActorContext<Coordinator.Command> ctx,
      Behavior<Evaluator.Command> local,
      ActorRef<Evaluator.Ready> client,
      ActorRef<Messages.EvalReport> reports) {
    return ctx.spawn(
        local, "evaluator", DispatcherSelector.fromConfig(Coordinator.TENSOR_DISPATCHER));
  }

  /**
   * These sites for a launch from {@code checkpoint} (null: the initial state) with learning rates
   * scaled by {@code lrScale}: what a player elsewhere must load itself (this JVM's players get
   * their trainers from Crew).
   */
  default PlayerSites from(Path checkpoint, double lrScale) {
    return this;
  }

  /**
   * The roles on other nodes whose stand-in must run before training starts (role labels): those
   * training would not wait for, the Evaluator's. Were it left to catch up, a run could checkpoint
   * before its stand-in had found the evaluator node, and that node's loss would pause nothing.
   */
  default Set<String> startsAfter() {
    return Set.of();
  }

  /**
   * {@link #from(Path, double)}, with the launch's {@code point} (for UDP: the players' states go
   * to their nodes over Aeron, read here from the checkpoint).
   */
  default PlayerSites from(Path checkpoint, double lrScale, ResumePoint point) {
    return from(checkpoint, lrScale);
  }

  /** Both players in this JVM, each on its pinned thread. */
  PlayerSites LOCAL =
      new Sites(
          null, null, null, new Remote(false, false, false, null), null, 1.0, Endpoint.ipc(), null);

  /**
   * Every role's site: the Generator, the Discriminator and the DataLoader on nodes of their own
   * when their flags say so, the Evaluator when {@code evaluatorRunDir} (the run directory, where
   * its plots go over IPC) is not null; found through the Receptionist within {@code findTimeout},
   * with tensors over {@code transport} received at {@code data}: IPC (every node on this node's
   * embedded media driver; a launch from a checkpoint sends its directory and each node loads its
   * player's state from it), or this node's UDP endpoint ({@code cluster.transport = udp}, each
   * node its own driver; this node reads the checkpoint and sends each remote player's state over
   * Aeron; the DataLoader's and the Evaluator's nodes likewise send and receive at their own
   * endpoints). {@code say} hears where each runs, one line.
   */
  static PlayerSites remote(
      Transport transport,
      Endpoint data,
      Duration findTimeout,
      Consumer<String> say,
      boolean remoteGenerator,
      boolean remoteDiscriminator,
      boolean remoteData,
      Path evaluatorRunDir) {
    return new Sites(
        transport,
        findTimeout,
        say,
        new Remote(remoteGenerator, remoteDiscriminator, remoteData, evaluatorRunDir),
        null,
        1.0,
        data,
        null);
  }

  /**
   * Which roles run on nodes of their own: the players, the DataLoader, and the Evaluator when
   * {@code evaluatorRunDir} (where its plots go over IPC) is not null.
   */
  record Remote(boolean generator, boolean discriminator, boolean data, Path evaluatorRunDir) {}

  /** The one implementation: each role local or remote . */
  record Sites(
      Transport transport,
      Duration findTimeout,
      Consumer<String> say,
      Remote remote,
      Path checkpoint,
      double lrScale,
      Endpoint data,
      ResumePoint point)
      implements PlayerSites {
    private RemoteProxy.Wiring wiring() {
      return new RemoteProxy.Wiring(transport, data, point, findTimeout, say, checkpoint, lrScale);
    }

    @Override
    public ActorRef<Generator.Command> generator(
        ActorContext<Coordinator.Command> ctx,
        Behavior<Generator.Command> local,
        PlayerCore.Setup setup,
        ActorRef<Discriminator.Command> discriminator) {
      DispatcherSelector pinned = DispatcherSelector.fromConfig(Coordinator.TENSOR_DISPATCHER);
      if (!remote.generator()) {
        return ctx.spawn(local, Player.GENERATOR.label(), pinned);
      }
      return ctx.<Object>spawn(
              RemoteGenerator.proxy(wiring(), setup, discriminator),
              Player.GENERATOR.label(),
              pinned)
          .narrow();
    }

    @Override
    public ActorRef<Discriminator.Command> discriminator(
        ActorContext<Coordinator.Command> ctx,
        Behavior<Discriminator.Command> local,
        PlayerCore.Setup setup) {
      DispatcherSelector pinned = DispatcherSelector.fromConfig(Coordinator.TENSOR_DISPATCHER);
      if (!remote.discriminator()) {
        return ctx.spawn(local, Player.DISCRIMINATOR.label(), pinned);
      }
      return ctx.<Object>spawn(
              RemoteDiscriminator.proxy(wiring(), setup), Player.DISCRIMINATOR.label(), pinned)
          .narrow();
    }

    @Override
    public ActorRef<DataLoader.Command> dataLoader(
        ActorContext<Coordinator.Command> ctx,
        Behavior<DataLoader.Command> local,
        long firstIndex) {
      if (!remote.data()) {
        return PlayerSites.super.dataLoader(ctx, local, firstIndex);
      }
      return ctx.<Object>spawn(
              RemoteService.dataLoader(transport, data, firstIndex, findTimeout, say),
              "data-loader",
              DispatcherSelector.fromConfig(Coordinator.TENSOR_DISPATCHER))
          .narrow();
    }

    @Override
    public ActorRef<Evaluator.Command> evaluator(
        ActorContext<Coordinator.Command> ctx,
        Behavior<Evaluator.Command> local,
        ActorRef<Evaluator.Ready> client,
        ActorRef<Messages.EvalReport> reports) {
      if (remote.evaluatorRunDir() == null) {
        return PlayerSites.super.evaluator(ctx, local, client, reports);
      }
      return ctx.<Object>spawn(
              RemoteService.evaluator(
                  transport,
                  data,
                  remote.evaluatorRunDir(),
                  client,
                  reports,
                  ctx.getSelf(),
                  findTimeout,
                  say),
              "evaluator",
              DispatcherSelector.fromConfig(Coordinator.TENSOR_DISPATCHER))
          .narrow();
    }

    @Override
    public Set<String> startsAfter() {
      return remote.evaluatorRunDir() == null
          ? Set.of()
          : Set.of(RemotePlayer.role(RemoteService.EVALUATOR.role()));
    }

    @Override
    public PlayerSites from(Path at, double scale) {
      return from(at, scale, null);
    }

    @Override
    public PlayerSites from(Path at, double scale, ResumePoint p) {
      return new Sites(transport, findTimeout, say, remote, at, scale, data, p);
    }
  }
}
