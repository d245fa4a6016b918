package dev.agon.engine;

import dev.agon.config.Player;
import dev.agon.engine.serialization.CborSerializable;
import dev.agon.engine.serialization.TensorMessage;
import dev.agon.objective.DLoss;
import dev.agon.train.DiscriminatorTrainer;
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
 * Owns D's parameters and optimizer. D update n runs once the Coordinator has admitted it, a real
 * batch is at hand (pulled from the DataLoader with {@code prefetch} credits) and the fakes of
 * update n have arrived from the Generator. It sends the Generator a detached snapshot of exactly
 * the versions the schedule has G train against (every k-th, shifted by the staleness).
 */
public final class Discriminator extends AbstractBehavior<Discriminator.Command> {
  public sealed interface Command extends CborSerializable {}

  /** The Generator, where D's snapshots and schedule changes go; sent by it when it starts. */
  public record Connect(ActorRef<Generator.Command> generator) implements Command {}

  public record Fake(Messages.FakeBatch batch) implements Command, TensorMessage {}

  /** The Coordinator admits D updates up to and including {@code upToStep}. */
  public record Admit(long upToStep) implements Command {}

  /** A new schedule segment from the barrier D is at; passed on to the Generator. */
  public record Reschedule(Schedule schedule, int segment) implements Command {}

  /** Use {@code lr} from the next update on. */
  public record SetLearningRate(double lr) implements Command {}

  /**
   * Use historical-averaging weight {@code weight} and start {@code start} from the next update.
   */
  public record SetAveraging(double weight, long start) implements Command {}

  private record Real(Messages.RealBatch batch) implements Command, TensorMessage {}

  private final DiscriminatorTrainer trainer;
  private final EngineSettings settings;
  private final StepHook hook;
  private final ActorRef<DataLoader.Command> data;
  private final ActorRef<Coordinator.Command> coordinator;
  private final ArrayDeque<Messages.RealBatch> reals;
  private final ArrayDeque<Messages.FakeBatch> fakes = new ArrayDeque<>();
  private final ActorRef<Messages.RealBatch> realAdapter;
  private Schedule schedule;
  private int segment;
  private ActorRef<Generator.Command> generator;
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
   * A Discriminator that starts under {@code schedule} in segment {@code segment} at its trainer's
   * update count (a resumed run's).
   */
  public static Behavior<Command> create(
      Supplier<DiscriminatorTrainer> trainer,
      EngineSettings settings,
      Schedule schedule,
      int segment,
      ActorRef<DataLoader.Command> data,
      ActorRef<Coordinator.Command> coordinator,
      StepHook hook) {
    return Behaviors.setup(
        ctx ->
            new Discriminator(
                ctx, trainer.get(), settings, schedule, segment, data, coordinator, hook));
  }

  private Discriminator(
      ActorContext<Command> ctx,
      DiscriminatorTrainer trainer,
      EngineSettings settings,
      Schedule schedule,
      int segment,
      ActorRef<DataLoader.Command> data,
      ActorRef<Coordinator.Command> coordinator,
      StepHook hook) {
    super(ctx);
    this.trainer = trainer;
    this.settings = settings;
    this.schedule = schedule;
    this.segment = segment;
    this.version = trainer.updates();
    this.admitted = version;
    this.hook = hook;
    this.data = data;
    this.coordinator = coordinator;
    this.policy = new PendingPolicy(Player.DISCRIMINATOR, coordinator);
    this.reals = new ArrayDeque<>(settings.prefetch());
    this.realAdapter = ctx.messageAdapter(Messages.RealBatch.class, Real::new);
    data.tell(new DataLoader.Request(settings.prefetch(), realAdapter));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Connect.class, this::onConnect)
        .onMessage(Real.class, this::onReal)
        .onMessage(Fake.class, this::onFake)
        .onMessage(Admit.class, this::onAdmit)
        .onMessage(Reschedule.class, this::onReschedule)
        .onMessage(SetLearningRate.class, this::onSetLearningRate)
        .onMessage(SetAveraging.class, this::onSetAveraging)
        .onMessage(GetState.class, this::onGetState)
        .build();
  }

  private Behavior<Command> onConnect(Connect c) {
    generator = c.generator();
    publishIfUsed();
    return tryStep();
  }

  private Behavior<Command> onReal(Real r) {
    reals.add(r.batch());
    return tryStep();
  }

  private Behavior<Command> onFake(Fake f) {
    // Fakes made for an earlier schedule segment were overtaken by a change: drop them.
    if (f.batch().segment() == segment) {
      fakes.add(f.batch());
    }
    return tryStep();
  }

  private Behavior<Command> onAdmit(Admit a) {
    admitted = Math.max(admitted, a.upToStep());
    return tryStep();
  }

  private Behavior<Command> onReschedule(Reschedule r) {
    schedule = r.schedule();
    segment = r.segment();
    fakes.clear();
    publishIfUsed();
    generator.tell(new Generator.Reschedule(r.schedule(), r.segment()));
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

  private Behavior<Command> tryStep() {
    while (!halted
        && version < admitted
        && !reals.isEmpty()
        && !fakes.isEmpty()
        && generator != null) {
      long n = version + 1;
      Messages.FakeBatch fake = fakes.poll();
      if (fake.dStep() != n || fake.generatorVersion() != schedule.generatorVersionFor(n)) {
        throw new IllegalStateException(
            "D update "
                + n
                + " got the fakes of update "
                + fake.dStep()
                + ", G version "
                + fake.generatorVersion());
      }
      Messages.RealBatch real = reals.poll();
      policy.applyBefore(n, trainer.optimizer(), trainer::historicalAveraging);
      hook.beforeStep(Player.DISCRIMINATOR, n);
      long t0 = System.nanoTime();
      DLoss loss = trainer.step(real.x(), fake.x());
      long nanos = System.nanoTime() - t0;
      String bad = Divergence.check(loss.loss(), trainer.params());
      if (bad != null) {
        halted = true;
        coordinator.tell(new Coordinator.Diverged(Player.DISCRIMINATOR, n, bad));
        return this;
      }
      version = n;
      data.tell(new DataLoader.Request(1, realAdapter));
      // Report first: the Coordinator must see version n before any G report that used it.
      coordinator.tell(
          new Coordinator.DStepDone(
              new Messages.DStepReport(
                  n,
                  fake.generatorVersion(),
                  schedule.algorithm1GeneratorVersionFor(n) - fake.generatorVersion(),
                  real.index(),
                  loss,
                  trainer.lastPenalty(),
                  trainer.lastGradNorm(),
                  nanos,
                  System.currentTimeMillis())));
      publishIfUsed();
    }
    return this;
  }

  /** Sends G a snapshot of the current version if the schedule has a G update train on it. */
  private void publishIfUsed() {
    if (generator != null && schedule.discriminatorVersionUsed(version)) {
      generator.tell(
          new Generator.DiscriminatorSnapshot(
              new Messages.Snapshot(Player.DISCRIMINATOR, version, trainer.snapshot())));
    }
  }
}
