package dev.agon.engine;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.agon.config.Player;
import dev.agon.data.BatchSource;
import dev.agon.engine.serialization.CborSerializable;
import dev.agon.engine.serialization.TensorMessage;
import dev.agon.objective.DLoss;
import dev.agon.objective.GLoss;
import dev.agon.train.Scorer;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The tensor-carrying messages and step reports exchanged by the actors. Every tensor is a detached
 * copy owned by the message (never a live parameter or workspace array) and carries the version of
 * the model that produced it; versions count the updates applied to that model.
 */
public final class Messages {
  private Messages() {}

  /**
   * Real minibatch {@code index} (0-based position in the data order) of {@code epoch}; with {@code
   * data.labels} other than none, {@code labels} holds the class of each image of x, and with N per
   * class or all, {@code labelled} a minibatch of the labelled set (see {@link BatchSource.Batch}).
   * Both are null otherwise, and in a message from a build without them: absent fields read as
   * null, so the added fields keep the wire readable both ways.
   */
  public record RealBatch(
      long index, long epoch, INDArray x, int[] labels, BatchSource.Labelled labelled)
      implements TensorMessage {
    /** A batch without labels. */
    public RealBatch(long index, long epoch, INDArray x) {
      this(index, epoch, x, null, null);
    }

    /** The message of a data source's batch {@code b}. */
    public static RealBatch of(BatchSource.Batch b) {
      return new RealBatch(b.index(), b.epoch(), b.x(), b.labels(), b.labelled());
    }
  }

  /**
   * The fakes of D update {@code dStep} (1-based), produced by G at {@code generatorVersion} for
   * schedule segment {@code segment} (0 until a live change of k or s starts another).
   */
  public record FakeBatch(long dStep, long generatorVersion, int segment, INDArray x)
      implements TensorMessage {}

  /** A flat parameter snapshot of {@code model} after {@code version} updates. */
  public record Snapshot(Player model, long version, INDArray params) implements TensorMessage {}

  /** How the run answered a control request. */
  public enum Outcome {
    /** Done, or will be at {@link ControlReply#iteration()}. */
    ACCEPTED,
    /** Not taken in the run's present state (stopping, not paused, not started...). */
    REFUSED,
    /** Taken but it did not succeed (a checkpoint that could not be written). */
    FAILED
  }

  /**
   * The answer to a control request ({@code Pause}, {@code Resume}, {@code CheckpointNow}, {@code
   * ChangeSchedule}, {@code ChangeAveraging}): its {@code outcome}; {@code iteration}, the G
   * iteration at whose end it takes or took effect (the pause point, the checkpoint, a k/s barrier,
   * the last iteration before a resume; -1 when none, e.g. a change from each player's next
   * update); {@code message} for people only, never parsed.
   */
  public record ControlReply(Outcome outcome, long iteration, String message)
      implements CborSerializable {
    public static ControlReply accepted(long iteration, String message) {
      return new ControlReply(Outcome.ACCEPTED, iteration, message);
    }

    public static ControlReply refused(String message) {
      return new ControlReply(Outcome.REFUSED, -1, message);
    }
  }

  /** A step report: what one update did and which versions it actually used. */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = DStepReport.class, name = "d_step"),
    @JsonSubTypes.Type(value = GStepReport.class, name = "g_step"),
    @JsonSubTypes.Type(value = ScheduleEvent.class, name = "schedule"),
    @JsonSubTypes.Type(value = EvalReport.class, name = "eval"),
    @JsonSubTypes.Type(value = EngineEvent.class, name = "engine")
  })
  public sealed interface Report extends CborSerializable {}

  /**
   * D update {@code step} (1-based; D's version after it), trained on real batch {@code realIndex}
   * and fakes of G version {@code generatorVersionUsed}, {@code staleness} versions behind the one
   * Algorithm 1 would use; {@code penalty} is its penalty terms (WGAN-GP, R1/R2, historical
   * averaging; 0 when off); {@code gradNorm} the L2 norm of the gradient the update applied; {@code
   * lr} the learning rate it used (the schedule's rate); {@code info} InfoGAN's {@code -E[log
   * Q(c|G(z,c))]} on its fakes (NaN when InfoGAN is off).
   */
  public record DStepReport(
      long step,
      long generatorVersionUsed,
      long staleness,
      long realIndex,
      DLoss loss,
      double penalty,
      double gradNorm,
      double lr,
      long nanos,
      long endMillis,
      double info)
      implements Report {
    /** A report of a run without InfoGAN. */
    public DStepReport(
        long step,
        long generatorVersionUsed,
        long staleness,
        long realIndex,
        DLoss loss,
        double penalty,
        double gradNorm,
        double lr,
        long nanos,
        long endMillis) {
      this(
          step,
          generatorVersionUsed,
          staleness,
          realIndex,
          loss,
          penalty,
          gradNorm,
          lr,
          nanos,
          endMillis,
          Double.NaN);
    }
  }

  /**
   * A live change took effect: {@code change} is {@link Change#SCHEDULE} (k and s from G update
   * {@code gStep} and D update {@code dStep}), a player's {@code _LR} ({@code value} is the
   * learning rate, from that player's update {@code gStep} or {@code dStep}) or its {@code
   * _AVERAGING} ({@code value} the historical-averaging weight and {@code start} its start,
   * likewise); unused numbers are NaN or −1.
   */
  public record ScheduleEvent(
      Change change,
      long gStep,
      long dStep,
      int k,
      int staleness,
      double value,
      long start,
      long timeMillis)
      implements Report {
    /** What changed; {@link #wire()} is the {@code change} field of {@code metrics.jsonl}. */
    public enum Change {
      SCHEDULE(null),
      GENERATOR_LR(Player.GENERATOR),
      DISCRIMINATOR_LR(Player.DISCRIMINATOR),
      GENERATOR_AVERAGING(Player.GENERATOR),
      DISCRIMINATOR_AVERAGING(Player.DISCRIMINATOR);

      private final Player player;

      Change(Player player) {
        this.player = player;
      }

      /** The player whose policy changed; null for {@link #SCHEDULE}. */
      public Player player() {
        return player;
      }

      /** {@code p}'s learning-rate change. */
      public static Change learningRate(Player p) {
        return p == Player.GENERATOR ? GENERATOR_LR : DISCRIMINATOR_LR;
      }

      /** {@code p}'s historical-averaging change. */
      public static Change averaging(Player p) {
        return p == Player.GENERATOR ? GENERATOR_AVERAGING : DISCRIMINATOR_AVERAGING;
      }

      public boolean isLearningRate() {
        return this == GENERATOR_LR || this == DISCRIMINATOR_LR;
      }

      public boolean isAveraging() {
        return this == GENERATOR_AVERAGING || this == DISCRIMINATOR_AVERAGING;
      }

      /** The file's spelling: "schedule", "generator_lr", "discriminator_averaging"... */
      public String wire() {
        return name().toLowerCase(Locale.ROOT);
      }
    }
  }

  /**
   * G update {@code step} (1-based; G's version after it), trained against D version {@code
   * discriminatorVersionUsed}, {@code staleness} versions behind Algorithm 1's ({@code gradNorm}:
   * the L2 norm of the gradient it applied); {@code penalty} is its historical-averaging term (0
   * when off); {@code lr} the learning rate it used (the schedule's rate); {@code info} InfoGAN's
   * {@code -E[log Q(c|G(z,c))]} on its batch (NaN when InfoGAN is off).
   */
  public record GStepReport(
      long step,
      long discriminatorVersionUsed,
      long staleness,
      GLoss loss,
      double penalty,
      double gradNorm,
      double lr,
      long nanos,
      long endMillis,
      double info)
      implements Report {
    /** A report of a run without InfoGAN. */
    public GStepReport(
        long step,
        long discriminatorVersionUsed,
        long staleness,
        GLoss loss,
        double penalty,
        double gradNorm,
        double lr,
        long nanos,
        long endMillis) {
      this(
          step,
          discriminatorVersionUsed,
          staleness,
          loss,
          penalty,
          gradNorm,
          lr,
          nanos,
          endMillis,
          Double.NaN);
    }
  }

  /**
   * An evaluation by the Evaluator of G's weights (G-EMA's when {@code ema}) at {@code gVersion},
   * the snapshot of G step {@code step}; {@code dVersion}: the D its JSD bound read (-1: none).
   * {@code skipped}: evaluations that became due since the previous report and were dropped by flow
   * control (the newest snapshot is scored instead); {@code nanos}: time spent scoring.
   */
  public record EvalReport(
      long gVersion,
      long step,
      boolean ema,
      long dVersion,
      Scorer.Score score,
      long skipped,
      long nanos,
      long endMillis)
      implements Report {}

  /**
   * Something the engine did to keep the run going, one line of {@code metrics.jsonl} each: {@code
   * event} is {@link EventKind#CHECKPOINT} ({@code detail} the directory), {@code
   * CHECKPOINT_FAILED} (the error; {@code count} failures so far), {@code PAUSE}, {@code RESUME} or
   * {@code RESUMED_FROM} (the checkpoint a run continues); at G update {@code gStep} and D update
   * {@code dStep}; {@code nanos}: how long it took (checkpoints), else 0. The "rollback" and
   * "restart" lines of {@code metrics.jsonl} are not EngineEvents: TrainRun writes them itself
   * between two engines, when no Recorder runs.
   */
  public record EngineEvent(
      EventKind event,
      long gStep,
      long dStep,
      String detail,
      long count,
      long nanos,
      long timeMillis)
      implements Report {}
}
