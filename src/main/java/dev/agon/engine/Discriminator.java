package dev.agon.engine;

import dev.agon.config.Player;
import dev.agon.engine.serialization.CborSerializable;
import dev.agon.engine.serialization.TensorMessage;
import dev.agon.objective.DLoss;
import dev.agon.train.DiscriminatorTrainer;
import dev.agon.train.PlayerState;
import java.util.ArrayDeque;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Owns D's parameters and optimizer. D update n runs once the Coordinator has admitted it, a real
 * batch is at hand (pulled from the DataLoader with {@code prefetch} credits) and the fakes of
 * update n have arrived from the Generator. It sends the Generator a detached snapshot of exactly
 * the versions the schedule has G train against (every k-th, shifted by the staleness). The
 * commands it shares with G ({@link PlayerControl}) go to its {@link PlayerCore}.
 */
public final class Discriminator extends AbstractBehavior<Discriminator.Command> {
  public sealed interface Command extends CborSerializable
      permits PlayerControl, Connect, Fake, Real {}

  /** The Generator, where D's snapshots and schedule changes go; sent by it when it starts. */
  public record Connect(ActorRef<Generator.Command> generator) implements Command {}

  public record Fake(Messages.FakeBatch batch) implements Command, TensorMessage {}

  private record Real(Messages.RealBatch batch) implements Command, TensorMessage {}

  private final DiscriminatorTrainer trainer;
  private final PlayerCore core;
  private final ActorRef<DataLoader.Command> data;
  private final ArrayDeque<Messages.RealBatch> reals;
  private final ArrayDeque<Messages.FakeBatch> fakes = new ArrayDeque<>();
  private final ActorRef<Messages.RealBatch> realAdapter;
  private ActorRef<Generator.Command> generator;

  /**
   * A Discriminator that starts where {@code setup} says, at its trainer's update count (a resumed
   * run's), and pulls its real batches from {@code setup.data()}.
   */
  static Behavior<Command> create(Supplier<DiscriminatorTrainer> trainer, PlayerCore.Setup setup) {
    return Behaviors.setup(ctx -> new Discriminator(ctx, trainer.get(), setup));
  }

  private Discriminator(
      ActorContext<Command> ctx, DiscriminatorTrainer trainer, PlayerCore.Setup setup) {
    super(ctx);
    this.trainer = trainer;
    this.data = setup.data();
    int prefetch = setup.settings().prefetch();
    this.core =
        new PlayerCore(
            Player.DISCRIMINATOR, setup, trainer.updates(), () -> PlayerState.of(trainer));
    this.reals = new ArrayDeque<>(prefetch);
    this.realAdapter = ctx.messageAdapter(Messages.RealBatch.class, Real::new);
    data.tell(new DataLoader.Request(prefetch, realAdapter));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Connect.class, this::onConnect)
        .onMessage(Real.class, this::onReal)
        .onMessage(Fake.class, this::onFake)
        .onMessage(PlayerControl.Reschedule.class, this::onReschedule)
        .onMessage(PlayerControl.class, c -> core.apply(c) ? tryStep() : this)
        .build();
  }

  private Behavior<Command> onConnect(Connect c) {
    generator = c.generator();
    publishIfUsed();
    return tryStep();
  }

  private Behavior<Command> onReal(Real r) {
    reals.add(Placement.arrived(r.batch()));
    return tryStep();
  }

  private Behavior<Command> onFake(Fake f) {
    // Fakes made for an earlier schedule segment were overtaken by a change: drop them.
    if (f.batch().segment() == core.segment()) {
      fakes.add(Placement.arrived(f.batch()));
    }
    return tryStep();
  }

  /** D's part of a schedule change: drop the old segment's fakes, then pass the change on to G. */
  private Behavior<Command> onReschedule(PlayerControl.Reschedule r) {
    core.apply(r);
    fakes.clear();
    publishIfUsed();
    generator.tell(r);
    return tryStep();
  }

  private Behavior<Command> tryStep() {
    while (core.admitsNext() && !reals.isEmpty() && !fakes.isEmpty() && generator != null) {
      long n = core.version() + 1;
      Messages.FakeBatch fake = fakes.poll();
      if (fake.dStep() != n || fake.generatorVersion() != core.schedule().generatorVersionFor(n)) {
        throw new IllegalStateException(
            "D update "
                + n
                + " got the fakes of update "
                + fake.dStep()
                + ", G version "
                + fake.generatorVersion());
      }
      Messages.RealBatch real = reals.poll();
      core.beforeStep(n, trainer.optimizer(), trainer::historicalAveraging);
      long t0 = System.nanoTime();
      DLoss loss = trainer.step(real.x(), fake.x(), real.labelled(), real.labels());
      long nanos = System.nanoTime() - t0;
      if (!core.completed(n, loss.loss(), trainer.params())) {
        return this;
      }
      data.tell(new DataLoader.Request(1, realAdapter));
      // Report first: the Coordinator must see version n before any G report that used it.
      core.report(
          new Coordinator.DStepDone(report(n, fake.generatorVersion(), real.index(), loss, nanos)));
      publishIfUsed();
    }
    return this;
  }

  /** Sends G a snapshot of the current version if the schedule has a G update train on it. */
  private void publishIfUsed() {
    if (generator != null && core.schedule().discriminatorVersionUsed(core.version())) {
      generator.tell(
          new Generator.DiscriminatorSnapshot(
              new Messages.Snapshot(Player.DISCRIMINATOR, core.version(), trainer.snapshot())));
    }
  }

  /**
   * The report of D update {@code n}, which trained on the fakes of G version {@code used} and on
   * real batch {@code realIndex}.
   */
  private Messages.DStepReport report(long n, long used, long realIndex, DLoss loss, long nanos) {
    return new Messages.DStepReport(
        n,
        used,
        core.schedule().algorithm1GeneratorVersionFor(n) - used,
        realIndex,
        loss,
        trainer.lastPenalty(),
        trainer.lastGradNorm(),
        trainer.lastLearningRate(),
        nanos,
        System.currentTimeMillis(),
        trainer.lastInfoLoss());
  }
}
