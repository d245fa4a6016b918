package dev.agon.engine;

import dev.agon.config.Player;
import dev.agon.engine.serialization.CborSerializable;
import dev.agon.engine.serialization.TensorMessage;
import dev.agon.objective.GLoss;
import dev.agon.train.GeneratorTrainer;
import dev.agon.train.GeneratorWeights;
import dev.agon.train.PlayerState;
import dev.agon.train.Schedule;
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
 * first, until used.
 */
public final class Generator extends AbstractBehavior<Generator.Command> {
  public sealed interface Command extends CborSerializable {}

  /** The Coordinator admits G updates up to and including {@code upToStep}. */
  public record Admit(long upToStep) implements Command {}

  /** A D parameter snapshot, from the Discriminator. */
  public record DiscriminatorSnapshot(Messages.Snapshot snapshot)
      implements Command, TensorMessage {}

  /** A new schedule segment from the barrier G is at (passed on by the Discriminator). */
  public record Reschedule(Schedule schedule, int segment) implements Command {}

  /** Use {@code lr} from the next update on. */
  public record SetLearningRate(double lr) implements Command {}

  /**
   * Use historical-averaging weight {@code weight} and start {@code start} from the next update.
   */
  public record SetAveraging(double weight, long start) implements Command {}

  /**
   * The weights an evaluation should score (the EMA when enabled and started, else G's) and the D
   * snapshot G's latest update trained against (null before G's first update in this actor).
   */
  public record GetEvaluationSnapshot(ActorRef<EvaluationSnapshot> replyTo) implements Command {}

  /** The answer to {@link GetEvaluationSnapshot}: immutable, detached copies. */
  public record EvaluationSnapshot(GeneratorWeights weights, Messages.Snapshot discriminator)
      implements TensorMessage {}

  private final GeneratorTrainer trainer;
  private final EngineSettings settings;
  private final StepHook hook;
  private final ActorRef<Discriminator.Command> discriminator;
  private final ActorRef<Coordinator.Command> coordinator;
  private final ArrayDeque<Messages.Snapshot> dSnapshots = new ArrayDeque<>();
  // Kept for the JSD bound of the next evaluation: one D-sized reference, no copy.
  private Messages.Snapshot lastDiscriminator;
  private Schedule schedule;
  private int segment;
  private long version;
  private long admitted;
  private final PendingPolicy policy;

  /** Set after a divergence: no further update runs (the Coordinator ends the run). */
  private boolean halted;

  /**
   * A detached copy of the complete training state (parameters, optimizer, averages); asked for
   * only when the player is idle at a checkpoint barrier.
   */
  public record GetState(ActorRef<PlayerState> replyTo) implements Command {}

  /**
   * A Generator that starts under {@code schedule} in segment {@code segment} at its trainer's
   * version (a resumed run's).
   */
  public static Behavior<Command> create(
      Supplier<GeneratorTrainer> trainer,
      EngineSettings settings,
      Schedule schedule,
      int segment,
      ActorRef<Discriminator.Command> discriminator,
      ActorRef<Coordinator.Command> coordinator,
      StepHook hook) {
    return Behaviors.setup(
        ctx ->
            new Generator(
                ctx, trainer.get(), settings, schedule, segment, discriminator, coordinator, hook));
  }

  private Generator(
      ActorContext<Command> ctx,
      GeneratorTrainer trainer,
      EngineSettings settings,
      Schedule schedule,
      int segment,
      ActorRef<Discriminator.Command> discriminator,
      ActorRef<Coordinator.Command> coordinator,
      StepHook hook) {
    super(ctx);
    this.trainer = trainer;
    this.settings = settings;
    this.schedule = schedule;
    this.segment = segment;
    this.version = trainer.version();
    this.admitted = version;
    this.hook = hook;
    this.discriminator = discriminator;
    this.coordinator = coordinator;
    this.policy = new PendingPolicy(Player.GENERATOR, coordinator);
    discriminator.tell(new Discriminator.Connect(ctx.getSelf()));
    produceFakes();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(DiscriminatorSnapshot.class, this::onSnapshot)
        .onMessage(Admit.class, this::onAdmit)
        .onMessage(Reschedule.class, this::onReschedule)
        .onMessage(SetLearningRate.class, this::onSetLearningRate)
        .onMessage(SetAveraging.class, this::onSetAveraging)
        .onMessage(GetState.class, this::onGetState)
        .onMessage(GetEvaluationSnapshot.class, this::onGetEvaluationSnapshot)
        .build();
  }

  private Behavior<Command> onSnapshot(DiscriminatorSnapshot s) {
    dSnapshots.add(s.snapshot());
    return tryStep();
  }

  private Behavior<Command> onAdmit(Admit a) {
    admitted = Math.max(admitted, a.upToStep());
    return tryStep();
  }

  private Behavior<Command> onReschedule(Reschedule r) {
    schedule = r.schedule();
    segment = r.segment();
    produceFakes();
    return tryStep();
  }

  private Behavior<Command> onSetLearningRate(SetLearningRate s) {
    policy.learningRate(s.lr());
    return this;
  }

  private Behavior<Command> onSetAveraging(SetAveraging s) {
    policy.averaging(s.weight(), s.start());
    return this;
  }

  private Behavior<Command> onGetState(GetState g) {
    g.replyTo().tell(PlayerState.of(trainer));
    return this;
  }

  private Behavior<Command> onGetEvaluationSnapshot(GetEvaluationSnapshot g) {
    g.replyTo().tell(new EvaluationSnapshot(trainer.evaluationSnapshot(), lastDiscriminator));
    return this;
  }

  private Behavior<Command> tryStep() {
    while (version < admitted && !halted) {
      long i = version + 1;
      long need = schedule.discriminatorVersionFor(i);
      while (!dSnapshots.isEmpty() && dSnapshots.peek().version() < need) {
        dSnapshots.poll();
      }
      Messages.Snapshot d = dSnapshots.peek();
      if (d == null || d.version() != need) {
        return this;
      }
      policy.applyBefore(i, trainer.optimizer(), trainer::historicalAveraging);
      hook.beforeStep(Player.GENERATOR, i);
      long t0 = System.nanoTime();
      GLoss loss = trainer.step(i, d.params(), settings.batchSize());
      long nanos = System.nanoTime() - t0;
      String bad = Divergence.check(loss.loss(), trainer.params());
      if (bad != null) {
        halted = true;
        coordinator.tell(new Coordinator.Diverged(Player.GENERATOR, i, bad));
        return this;
      }
      version = i;
      lastDiscriminator = d;
      coordinator.tell(
          new Coordinator.GStepDone(
              new Messages.GStepReport(
                  i,
                  d.version(),
                  schedule.algorithm1DiscriminatorVersionFor(i) - d.version(),
                  loss,
                  trainer.lastPenalty(),
                  trainer.lastGradNorm(),
                  nanos,
                  System.currentTimeMillis())));
      produceFakes();
    }
    return this;
  }

  /** The fakes of every D update that trains on the current version, tagged with the segment. */
  private void produceFakes() {
    long[] range = schedule.fakesOfVersion(version);
    for (long n = range[0]; n <= range[1]; n++) {
      discriminator.tell(
          new Discriminator.Fake(
              new Messages.FakeBatch(n, version, segment, trainer.fakes(n, settings.batchSize()))));
    }
  }
}
