package dev.agon.engine;

import dev.agon.config.Player;
import dev.agon.engine.serialization.CborSerializable;
import dev.agon.engine.serialization.TensorMessage;
import dev.agon.objective.GLoss;
import dev.agon.train.GeneratorTrainer;
import dev.agon.train.GeneratorWeights;
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
 * Owns G's parameters and optimizer. At start and after each update it makes the fake batches of
 * every D update that the schedule has train on its new version (with staleness s, up to s
 * iterations ahead) and sends them straight to the Discriminator. G update i runs once admitted and
 * once the D snapshot of the version the schedule prescribes has arrived; snapshots wait, oldest
 * first, until used. The commands it shares with D ({@link PlayerControl}) go to its {@link
 * PlayerCore}.
 */
public final class Generator extends AbstractBehavior<Generator.Command> {
  public sealed interface Command extends CborSerializable
      permits PlayerControl, DiscriminatorSnapshot, GetEvaluationSnapshot {}

  /** A D parameter snapshot, from the Discriminator. */
  public record DiscriminatorSnapshot(Messages.Snapshot snapshot)
      implements Command, TensorMessage {}

  /**
   * The weights an evaluation should score (the EMA when enabled and started, else G's) and the D
   * snapshot G's latest update trained against (null before G's first update in this actor).
   */
  public record GetEvaluationSnapshot(ActorRef<EvaluationSnapshot> replyTo) implements Command {}

  /** The answer to {@link GetEvaluationSnapshot}: immutable, detached copies. */
  public record EvaluationSnapshot(GeneratorWeights weights, Messages.Snapshot discriminator)
      implements TensorMessage {}

  private final GeneratorTrainer trainer;
  private final int batchSize;
  private final PlayerCore core;
  private final ActorRef<Discriminator.Command> discriminator;
  private final ArrayDeque<Messages.Snapshot> dSnapshots = new ArrayDeque<>();
  // Kept for the JSD bound of the next evaluation: one D-sized reference, no copy.
  private Messages.Snapshot lastDiscriminator;

  /**
   * A Generator that starts where {@code setup} says, at its trainer's version (a resumed run's),
   * and sends its fakes to {@code discriminator}.
   */
  static Behavior<Command> create(
      Supplier<GeneratorTrainer> trainer,
      PlayerCore.Setup setup,
      ActorRef<Discriminator.Command> discriminator) {
    return Behaviors.setup(ctx -> new Generator(ctx, trainer.get(), setup, discriminator));
  }

  private Generator(
      ActorContext<Command> ctx,
      GeneratorTrainer trainer,
      PlayerCore.Setup setup,
      ActorRef<Discriminator.Command> discriminator) {
    super(ctx);
    this.trainer = trainer;
    this.batchSize = setup.settings().batchSize();
    this.discriminator = discriminator;
    this.core =
        new PlayerCore(Player.GENERATOR, setup, trainer.version(), () -> PlayerState.of(trainer));
    discriminator.tell(new Discriminator.Connect(ctx.getSelf()));
    produceFakes();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(DiscriminatorSnapshot.class, this::onSnapshot)
        .onMessage(PlayerControl.Reschedule.class, this::onReschedule)
        .onMessage(PlayerControl.class, c -> core.apply(c) ? tryStep() : this)
        .onMessage(GetEvaluationSnapshot.class, this::onGetEvaluationSnapshot)
        .build();
  }

  private Behavior<Command> onSnapshot(DiscriminatorSnapshot s) {
    dSnapshots.add(Placement.arrived(s.snapshot()));
    return tryStep();
  }

  /** G's part of a schedule change: the fakes of the new segment. */
  private Behavior<Command> onReschedule(PlayerControl.Reschedule r) {
    core.apply(r);
    produceFakes();
    return tryStep();
  }

  private Behavior<Command> onGetEvaluationSnapshot(GetEvaluationSnapshot g) {
    g.replyTo().tell(new EvaluationSnapshot(trainer.evaluationSnapshot(), lastDiscriminator));
    return this;
  }

  private Behavior<Command> tryStep() {
    while (core.admitsNext()) {
      long i = core.version() + 1;
      long need = core.schedule().discriminatorVersionFor(i);
      while (!dSnapshots.isEmpty() && dSnapshots.peek().version() < need) {
        dSnapshots.poll();
      }
      Messages.Snapshot d = dSnapshots.peek();
      if (d == null || d.version() != need) {
        return this;
      }
      core.beforeStep(i, trainer.optimizer(), trainer::historicalAveraging);
      long t0 = System.nanoTime();
      GLoss loss = trainer.step(i, d.params(), batchSize);
      long nanos = System.nanoTime() - t0;
      if (!core.completed(i, loss.loss(), trainer.params())) {
        return this;
      }
      lastDiscriminator = d;
      core.report(new Coordinator.GStepDone(report(i, d.version(), loss, nanos)));
      produceFakes();
    }
    return this;
  }

  /** The fakes of every D update that trains on the current version, tagged with the segment. */
  private void produceFakes() {
    long[] range = core.schedule().fakesOfVersion(core.version());
    for (long n = range[0]; n <= range[1]; n++) {
      discriminator.tell(
          new Discriminator.Fake(
              new Messages.FakeBatch(
                  n, core.version(), core.segment(), trainer.fakes(n, batchSize))));
    }
  }

  /** The report of G update {@code i}, which trained against D version {@code used}. */
  private Messages.GStepReport report(long i, long used, GLoss loss, long nanos) {
    return new Messages.GStepReport(
        i,
        used,
        core.schedule().algorithm1DiscriminatorVersionFor(i) - used,
        loss,
        trainer.lastPenalty(),
        trainer.lastGradNorm(),
        trainer.lastLearningRate(),
        nanos,
        System.currentTimeMillis(),
        trainer.lastInfoLoss());
  }
}
