package dev.agon.engine;

import dev.agon.config.BestMetric;
import dev.agon.config.Player;
import dev.agon.data.BatchSource;
import dev.agon.engine.serialization.CborSerializable;
import dev.agon.engine.serialization.TensorMessage;
import dev.agon.train.DiscriminatorTrainer;
import dev.agon.train.GeneratorTrainer;
import dev.agon.train.PlayerState;
import dev.agon.train.Schedule;
import dev.agon.train.Scorer;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Owns the schedule of Goodfellow et al. 2014, Algorithm 1: k D updates per G update, with the
 * fixed lag s of {@link Schedule}. It admits every update before it may run — D update n only once
 * G has reached the version n trains on, G update i once the D version it trains against is
 * admitted (G then waits for exactly that snapshot, so the Coordinator stays off the critical path)
 * — and checks every report against the schedule, so staleness is enforced and measured, not
 * assumed. Tensors never pass through it: fakes go from Generator to Discriminator, snapshots from
 * Discriminator to Generator, real batches from DataLoader to Discriminator.
 *
 * <p>Live changes: learning rates apply from each player's next update; a new k or s applies at a
 * barrier — admissions stop at the end of the last iteration already (partly) admitted, and once
 * both players are there a new schedule segment starts from that point. Both are logged and
 * recorded with the updates at which they took effect.
 *
 * <p>Checkpoints: at a checkpoint iteration B (every {@code everySteps} G updates, when {@code
 * everySeconds} have passed, on {@link CheckpointNow}, and at the end) admissions stop at B as at a
 * schedule barrier; once G has made update B and D update dStepsThrough(B), both players are idle
 * and hand over a detached copy of their complete state ({@link PlayerState}), admissions go on,
 * and the {@link Checkpointer} writes the copy on the blocking-I/O dispatcher. Training waits on
 * the disk only when a write outlasts a checkpoint interval: the next capture then waits for it, so
 * a crash loses at most the interval being written and the one after it. A failed write is answered
 * at once, so a full disk does not stop training. {@link Pause} stops admissions at such a barrier
 * too, until {@link Resume}.
 *
 * <p>This class is the protocol: its messages, outcome and parts. The behaviour is {@link
 * CoordinatorBehavior}; admissions are counted by {@link Admission}, checkpoints captured by {@link
 * CheckpointCapture}, evaluations scheduled by {@link EvaluationSchedule}, controls answered by
 * {@link RunControls}.
 */
public final class Coordinator {
  private Coordinator() {}

  /** The dispatcher of tensor-owning actors: one dedicated thread each (see DESIGN.md). */
  public static final String TENSOR_DISPATCHER = "agon.tensor-dispatcher";

  public sealed interface Command extends CborSerializable {}

  public record Start(ActorRef<Finished> replyTo) implements Command {}

  /**
   * The stand-in of {@code role} on another node runs (that node's host answered): training starts
   * once every role of {@link PlayerSites#startsAfter()} is up (the run starts when every role is).
   */
  public record RoleUp(String role) implements Command {}

  /** Finish the iterations already admitted, then stop (writing the final checkpoint). */
  public record Stop(String reason) implements Command {}

  /**
   * Checkpoint at the end of the last iteration already admitted; the reply comes once it is
   * written (or has failed).
   */
  public record CheckpointNow(ActorRef<Messages.ControlReply> replyTo) implements Command {}

  /** Stop admitting updates at the end of the last iteration already admitted, until resumed. */
  public record Pause(ActorRef<Messages.ControlReply> replyTo) implements Command {}

  /** Admit updates again after a {@link Pause}. */
  public record Resume(ActorRef<Messages.ControlReply> replyTo) implements Command {}

  /** Change k, s and the learning rates while running; absent values stay as they are. */
  public record ChangeSchedule(
      OptionalInt k,
      OptionalInt staleness,
      OptionalDouble generatorLr,
      OptionalDouble discriminatorLr,
      ActorRef<Messages.ControlReply> replyTo)
      implements Command {}

  public record DStepDone(Messages.DStepReport report) implements Command {}

  public record GStepDone(Messages.GStepReport report) implements Command {}

  /**
   * Set a player's historical-averaging policy (Salimans et al. 2016): weight λ (0: off) and the G
   * update from which it applies; {@code model} names the player.
   */
  public record ChangeAveraging(
      Player model, double weight, long start, ActorRef<Messages.ControlReply> replyTo)
      implements Command {}

  /** A player applied a learning rate change before update {@code step}. */
  public record LearningRateApplied(Player model, long step, double lr) implements Command {}

  /** A player applied a historical-averaging policy before update {@code step}. */
  public record AveragingApplied(Player model, long step, double weight, long start)
      implements Command {}

  record StateCaptured(PlayerState state) implements Command, TensorMessage {}

  record CheckpointWritten(Checkpointer.Written written) implements Command {}

  record RecorderFlushed(Recorder.Flushed flushed) implements Command {}

  record LogSynced(Recorder.Synced synced) implements Command {}

  record EvalReady(Evaluator.Ready ready) implements Command {}

  record EvalDone(Messages.EvalReport report) implements Command {}

  record EvalSnapshot(Generator.EvaluationSnapshot snapshot, long skipped)
      implements Command, TensorMessage {}

  /**
   * The run's outcome: updates done, final parameters (the generator's EMA, or null when it keeps
   * none), why it stopped early (or null), and the final checkpoint (null without checkpointing, or
   * when its write failed: then {@code checkpointError} says why). When the run was aborted, {@code
   * failure} says why (a divergence, with {@code diverged}, or a failed actor): then there are
   * neither final parameters nor a final checkpoint, and the newest checkpoint is the last good
   * state. {@code lost} names the player node whose loss aborted it (null otherwise): a pause.
   */
  public record Finished(
      long dSteps,
      long gSteps,
      INDArray generatorParams,
      INDArray discriminatorParams,
      INDArray generatorEma,
      String stopReason,
      Path checkpoint,
      String checkpointError,
      String failure,
      boolean diverged,
      Lost lost)
      implements TensorMessage {}

  /** A player node that was lost: its role ("generator") and {@code host:port}. */
  public record Lost(String role, String node) {}

  /**
   * A player's update {@code step} gave a non-finite loss or parameter ({@code what}): the run ends
   * at once without a checkpoint of that state, and {@link Finished#diverged()} says why.
   */
  public record Diverged(Player model, long step, String what) implements Command {}

  /**
   * Checkpointing of a run: the writer, when checkpoints fall due (every {@code everySteps} G
   * updates and/or {@code everySeconds}; 0: off), the metric that marks the best one, and scalars
   * written into every checkpoint as they are (seed, data cursor description...).
   */
  public record Checkpointing(
      Behavior<Checkpointer.Command> writer,
      long everySteps,
      long everySeconds,
      BestMetric bestMetric,
      Map<String, String> constants) {}

  /**
   * Where a resumed run starts: G and D have made {@code gDone} and {@code dDone} updates (their
   * trainers are restored to those versions by the parts' suppliers) under {@code schedule}, in
   * schedule segment {@code segment}; {@code from} names the checkpoint. {@code rescheduled}: the
   * resume changed k or s, so {@code schedule} is a new segment from this point, recorded as a live
   * change is.
   */
  public record StartState(
      long gDone, long dDone, Schedule schedule, int segment, String from, boolean rescheduled) {
    public StartState(long gDone, long dDone, Schedule schedule, int segment, String from) {
      this(gDone, dDone, schedule, segment, from, false);
    }
  }

  /**
   * Evaluation during the run: the scorer (built on the Evaluator's thread), and when an evaluation
   * falls due: every {@code everySteps} G updates and/or {@code everySeconds} since the last one
   * (0: off).
   */
  public record Evaluation(Supplier<? extends Scorer> scorer, long everySteps, long everySeconds) {}

  /**
   * How to build each actor's numeric state, on that actor's own thread (bound to its device by
   * {@code placement}); {@code evaluation} may be null (no Evaluator).
   */
  public record Parts(
      Supplier<BatchSource> data,
      Supplier<GeneratorTrainer> generator,
      Supplier<DiscriminatorTrainer> discriminator,
      Behavior<Recorder.Command> recorder,
      StepHook hook,
      Evaluation evaluation,
      Checkpointing checkpointing,
      StartState start,
      Placement placement,
      PlayerSites sites) {
    /** Both players in this JVM ({@link PlayerSites#LOCAL}). */
    public Parts(
        Supplier<BatchSource> data,
        Supplier<GeneratorTrainer> generator,
        Supplier<DiscriminatorTrainer> discriminator,
        Behavior<Recorder.Command> recorder,
        StepHook hook,
        Evaluation evaluation,
        Checkpointing checkpointing,
        StartState start,
        Placement placement) {
      this(
          data,
          generator,
          discriminator,
          recorder,
          hook,
          evaluation,
          checkpointing,
          start,
          placement,
          PlayerSites.LOCAL);
    }

    /** Every actor on device 0 ({@link Placement#DEFAULT}). */
    public Parts(
        Supplier<BatchSource> data,
        Supplier<GeneratorTrainer> generator,
        Supplier<DiscriminatorTrainer> discriminator,
        Behavior<Recorder.Command> recorder,
        StepHook hook,
        Evaluation evaluation,
        Checkpointing checkpointing,
        StartState start) {
      this(
          data,
          generator,
          discriminator,
          recorder,
          hook,
          evaluation,
          checkpointing,
          start,
          Placement.DEFAULT);
    }

    public Parts(
        Supplier<BatchSource> data,
        Supplier<GeneratorTrainer> generator,
        Supplier<DiscriminatorTrainer> discriminator,
        Behavior<Recorder.Command> recorder,
        StepHook hook,
        Evaluation evaluation) {
      this(data, generator, discriminator, recorder, hook, evaluation, null, null);
    }

    public Parts(
        Supplier<BatchSource> data,
        Supplier<GeneratorTrainer> generator,
        Supplier<DiscriminatorTrainer> discriminator,
        Behavior<Recorder.Command> recorder) {
      this(data, generator, discriminator, recorder, StepHook.NONE, null, null, null);
    }

    public Parts(
        Supplier<BatchSource> data,
        Supplier<GeneratorTrainer> generator,
        Supplier<DiscriminatorTrainer> discriminator,
        Behavior<Recorder.Command> recorder,
        StepHook hook) {
      this(data, generator, discriminator, recorder, hook, null, null, null);
    }
  }

  public static Behavior<Command> create(EngineSettings settings, Parts parts) {
    return CoordinatorBehavior.create(settings, parts);
  }
}
