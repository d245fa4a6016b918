package dev.agon.engine;

import dev.agon.data.BatchSource;
import dev.agon.train.DiscriminatorTrainer;
import dev.agon.train.GeneratorTrainer;
import dev.agon.train.Schedule;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Owns the schedule of Goodfellow et al. 2014, Algorithm 1: k D updates per G update. It admits
 * every update before it may run — D update n only once G has reached version floor((n−1)/k) − s, G
 * update i only once D has reached k·i − s — and checks every report against those bounds, so
 * staleness is enforced and measured, not assumed. Tensors never pass through it: fakes go from
 * Generator to Discriminator, snapshots from Discriminator to Generator, real batches from
 * DataLoader to Discriminator.
 */
public final class Coordinator extends AbstractBehavior<Coordinator.Command> {
  /** The dispatcher of tensor-owning actors: one dedicated thread each (see DESIGN.md). */
  public static final String TENSOR_DISPATCHER = "agon.tensor-dispatcher";

  public sealed interface Command {}

  public record Start(ActorRef<Finished> replyTo) implements Command {}

  /** Finish the G update in progress (with its D updates), then stop. */
  public record Stop(String reason) implements Command {}

  public record DStepDone(Messages.DStepReport report) implements Command {}

  public record GStepDone(Messages.GStepReport report) implements Command {}

  private record FinalParams(Messages.Snapshot snapshot) implements Command {}

  private record RecorderFlushed(Recorder.Flushed flushed) implements Command {}

  /** The run's outcome: updates done, final parameters, and why it stopped early (or null). */
  public record Finished(
      long dSteps,
      long gSteps,
      INDArray generatorParams,
      INDArray discriminatorParams,
      String stopReason) {}

  /** How to build each actor's numeric state, on that actor's own thread. */
  public record Parts(
      Supplier<BatchSource> data,
      Supplier<GeneratorTrainer> generator,
      Supplier<DiscriminatorTrainer> discriminator,
      Behavior<Recorder.Command> recorder,
      StepHook hook) {
    public Parts(
        Supplier<BatchSource> data,
        Supplier<GeneratorTrainer> generator,
        Supplier<DiscriminatorTrainer> discriminator,
        Behavior<Recorder.Command> recorder) {
      this(data, generator, discriminator, recorder, StepHook.NONE);
    }
  }

  private final EngineSettings settings;
  private final Schedule schedule;
  private final ActorRef<Generator.Command> generator;
  private final ActorRef<Discriminator.Command> discriminator;
  private final ActorRef<Recorder.Command> recorder;
  private ActorRef<Finished> replyTo;
  private long lastIteration;
  private long dDone;
  private long gDone;
  private long dAdmitted;
  private long gAdmitted;
  private String stopReason;
  private boolean finishing;
  private INDArray finalG;
  private INDArray finalD;

  public static Behavior<Command> create(EngineSettings settings, Parts parts) {
    return Behaviors.setup(ctx -> new Coordinator(ctx, settings, parts));
  }

  private Coordinator(ActorContext<Command> ctx, EngineSettings settings, Parts parts) {
    super(ctx);
    this.settings = settings;
    this.schedule = settings.schedule();
    this.lastIteration = settings.iterations();
    DispatcherSelector pinned = DispatcherSelector.fromConfig(TENSOR_DISPATCHER);
    this.recorder = ctx.spawn(parts.recorder(), "recorder", DispatcherSelector.blocking());
    ActorRef<DataLoader.Command> data =
        ctx.spawn(
            DataLoader.create(parts.data(), settings.batchSize(), settings.prefetch(), 0),
            "data-loader",
            pinned);
    this.discriminator =
        ctx.spawn(
            Discriminator.create(
                parts.discriminator(), settings, data, ctx.getSelf(), parts.hook()),
            "discriminator",
            pinned);
    this.generator =
        ctx.spawn(
            Generator.create(
                parts.generator(), settings, discriminator, ctx.getSelf(), parts.hook()),
            "generator",
            pinned);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Start.class, this::onStart)
        .onMessage(Stop.class, this::onStop)
        .onMessage(DStepDone.class, this::onDStep)
        .onMessage(GStepDone.class, this::onGStep)
        .onMessage(FinalParams.class, this::onFinalParams)
        .onMessage(RecorderFlushed.class, this::onFlushed)
        .build();
  }

  private Behavior<Command> onStart(Start s) {
    replyTo = s.replyTo();
    admit();
    return this;
  }

  private Behavior<Command> onStop(Stop s) {
    if (!finishing && stopReason == null) {
      stopReason = s.reason();
      // Finish every D update already admitted (with staleness s, up to s cycles ahead) and the
      // G updates of those cycles, so the run stops at a whole iteration.
      long admittedCycles = (dAdmitted + settings.k() - 1) / settings.k();
      lastIteration = Math.min(lastIteration, Math.max(gDone + 1, admittedCycles));
      getContext()
          .getLog()
          .info("stop requested ({}): finishing iteration {}", s.reason(), lastIteration);
    }
    return this;
  }

  private Behavior<Command> onDStep(DStepDone m) {
    Messages.DStepReport r = m.report();
    check(r.step() == dDone + 1 && r.step() <= dAdmitted, "D update " + r.step() + " not admitted");
    check(
        r.generatorVersionUsed() == schedule.generatorVersionFor(r.step())
            && r.generatorVersionUsed() <= gDone,
        "D update " + r.step() + " used G version " + r.generatorVersionUsed());
    dDone = r.step();
    recorder.tell(new Recorder.Record(r));
    admitOrFinish();
    return this;
  }

  private Behavior<Command> onGStep(GStepDone m) {
    Messages.GStepReport r = m.report();
    check(r.step() == gDone + 1 && r.step() <= gAdmitted, "G update " + r.step() + " not admitted");
    check(
        r.discriminatorVersionUsed() == schedule.discriminatorVersionFor(r.step())
            && r.discriminatorVersionUsed() <= dDone,
        "G update " + r.step() + " used D version " + r.discriminatorVersionUsed());
    gDone = r.step();
    recorder.tell(new Recorder.Record(r));
    admitOrFinish();
    return this;
  }

  /** The run ends when both players have made every update of its last iteration. */
  private void admitOrFinish() {
    if (!finishing && gDone >= lastIteration && dDone >= settings.k() * lastIteration) {
      finish();
    } else {
      admit();
    }
  }

  /** Admits every update the staleness bound allows now, and none beyond the run's end. */
  private void admit() {
    if (replyTo == null || finishing) {
      return;
    }
    long dTarget = Math.min(schedule.lastAdmissibleDStep(gDone), settings.k() * lastIteration);
    if (dTarget > dAdmitted) {
      dAdmitted = dTarget;
      discriminator.tell(new Discriminator.Admit(dAdmitted));
    }
    long gTarget = Math.min(schedule.lastAdmissibleGStep(dDone), lastIteration);
    if (gTarget > gAdmitted) {
      gAdmitted = gTarget;
      generator.tell(new Generator.Admit(gAdmitted));
    }
  }

  private void finish() {
    finishing = true;
    ActorRef<Messages.Snapshot> params =
        getContext().messageAdapter(Messages.Snapshot.class, FinalParams::new);
    generator.tell(new Generator.GetParams(params));
    discriminator.tell(new Discriminator.GetParams(params));
  }

  private Behavior<Command> onFinalParams(FinalParams p) {
    if (p.snapshot().model().equals("generator")) {
      finalG = p.snapshot().params();
    } else {
      finalD = p.snapshot().params();
    }
    if (finalG != null && finalD != null) {
      recorder.tell(
          new Recorder.Flush(
              getContext().messageAdapter(Recorder.Flushed.class, RecorderFlushed::new)));
    }
    return this;
  }

  private Behavior<Command> onFlushed(RecorderFlushed f) {
    replyTo.tell(new Finished(dDone, gDone, finalG, finalD, stopReason));
    return Behaviors.stopped();
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalStateException("schedule violated: " + what);
    }
  }
}
