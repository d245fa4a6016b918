package dev.agon.engine;

import dev.agon.objective.GLoss;
import dev.agon.train.GeneratorTrainer;
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
 * Owns G's parameters and optimizer. After each update (and at start) it produces the k fake
 * batches of the next D cycle with its new version and sends them straight to the Discriminator; G
 * update i runs once admitted and once a D snapshot of version ≥ k·i − s has arrived.
 */
public final class Generator extends AbstractBehavior<Generator.Command> {
  public sealed interface Command {}

  /** The Coordinator admits G updates up to and including {@code upToStep}. */
  public record Admit(long upToStep) implements Command {}

  public record GetParams(ActorRef<Messages.Snapshot> replyTo) implements Command {}

  private record DSnapshot(Messages.Snapshot snapshot) implements Command {}

  private final GeneratorTrainer trainer;
  private final EngineSettings settings;
  private final StepHook hook;
  private final ActorRef<Discriminator.Command> discriminator;
  private final ActorRef<Coordinator.Command> coordinator;
  private final Schedule schedule;
  private final ArrayDeque<Messages.Snapshot> dSnapshots = new ArrayDeque<>();
  private long version;
  private long admitted;

  public static Behavior<Command> create(
      Supplier<GeneratorTrainer> trainer,
      EngineSettings settings,
      ActorRef<Discriminator.Command> discriminator,
      ActorRef<Coordinator.Command> coordinator,
      StepHook hook) {
    return Behaviors.setup(
        ctx -> new Generator(ctx, trainer.get(), settings, discriminator, coordinator, hook));
  }

  private Generator(
      ActorContext<Command> ctx,
      GeneratorTrainer trainer,
      EngineSettings settings,
      ActorRef<Discriminator.Command> discriminator,
      ActorRef<Coordinator.Command> coordinator,
      StepHook hook) {
    super(ctx);
    this.hook = hook;
    this.trainer = trainer;
    this.settings = settings;
    this.schedule = settings.schedule();
    this.discriminator = discriminator;
    this.coordinator = coordinator;
    discriminator.tell(
        new Discriminator.Connect(ctx.messageAdapter(Messages.Snapshot.class, DSnapshot::new)));
    produceFakes();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(DSnapshot.class, this::onSnapshot)
        .onMessage(Admit.class, this::onAdmit)
        .onMessage(GetParams.class, this::onGetParams)
        .build();
  }

  private Behavior<Command> onSnapshot(DSnapshot s) {
    dSnapshots.add(s.snapshot());
    return tryStep();
  }

  private Behavior<Command> onAdmit(Admit a) {
    admitted = Math.max(admitted, a.upToStep());
    return tryStep();
  }

  private Behavior<Command> onGetParams(GetParams g) {
    g.replyTo().tell(new Messages.Snapshot("generator", version, trainer.snapshot()));
    return this;
  }

  private Behavior<Command> tryStep() {
    while (version < admitted) {
      long i = version + 1;
      long need = schedule.discriminatorVersionFor(i);
      while (!dSnapshots.isEmpty() && dSnapshots.peek().version() < need) {
        dSnapshots.poll();
      }
      Messages.Snapshot d = dSnapshots.peek();
      if (d == null || d.version() != need) {
        return this;
      }
      hook.beforeStep("generator", i);
      long t0 = System.nanoTime();
      GLoss loss = trainer.step(i, d.params(), settings.batchSize());
      long nanos = System.nanoTime() - t0;
      version = i;
      coordinator.tell(
          new Coordinator.GStepDone(
              new Messages.GStepReport(i, d.version(), loss, nanos, System.currentTimeMillis())));
      produceFakes();
    }
    return this;
  }

  /** The fakes of every D update that trains on the current version. */
  private void produceFakes() {
    long[] range = schedule.fakesOfVersion(version);
    for (long n = range[0]; n <= range[1]; n++) {
      discriminator.tell(
          new Discriminator.Fake(
              new Messages.FakeBatch(n, version, trainer.fakes(n, settings.batchSize()))));
    }
  }
}
