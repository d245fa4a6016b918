package dev.agon.engine;

import dev.agon.objective.GLoss;
import dev.agon.train.GeneratorTrainer;
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
  private final ActorRef<Discriminator.Command> discriminator;
  private final ActorRef<Coordinator.Command> coordinator;
  private Messages.Snapshot dSnapshot;
  private long version;
  private long admitted;

  public static Behavior<Command> create(
      Supplier<GeneratorTrainer> trainer,
      EngineSettings settings,
      ActorRef<Discriminator.Command> discriminator,
      ActorRef<Coordinator.Command> coordinator) {
    return Behaviors.setup(
        ctx -> new Generator(ctx, trainer.get(), settings, discriminator, coordinator));
  }

  private Generator(
      ActorContext<Command> ctx,
      GeneratorTrainer trainer,
      EngineSettings settings,
      ActorRef<Discriminator.Command> discriminator,
      ActorRef<Coordinator.Command> coordinator) {
    super(ctx);
    this.trainer = trainer;
    this.settings = settings;
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
    if (dSnapshot == null || s.snapshot().version() > dSnapshot.version()) {
      dSnapshot = s.snapshot();
    }
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
    while (version < admitted
        && dSnapshot != null
        && dSnapshot.version() >= settings.minDiscriminatorVersionFor(version + 1)) {
      long i = version + 1;
      long t0 = System.nanoTime();
      GLoss loss = trainer.step(i, dSnapshot.params(), settings.batchSize());
      long nanos = System.nanoTime() - t0;
      version = i;
      coordinator.tell(
          new Coordinator.GStepDone(
              new Messages.GStepReport(
                  i, dSnapshot.version(), loss, nanos, System.currentTimeMillis())));
      produceFakes();
    }
    return this;
  }

  /** The fakes of D updates version·k+1 .. version·k+k, all from the current version. */
  private void produceFakes() {
    if (version >= settings.iterations()) {
      return;
    }
    for (int j = 1; j <= settings.k(); j++) {
      long n = version * settings.k() + j;
      discriminator.tell(
          new Discriminator.Fake(
              new Messages.FakeBatch(n, version, trainer.fakes(n, settings.batchSize()))));
    }
  }
}
