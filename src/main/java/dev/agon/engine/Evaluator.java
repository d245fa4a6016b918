package dev.agon.engine;

import dev.agon.engine.serialization.CborSerializable;
import dev.agon.engine.serialization.TensorMessage;
import dev.agon.train.Scorer;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Scores generator snapshots off the training path, on its own thread, with a {@link Scorer} built
 * on that thread. Flow control is credit-based, one credit: the Evaluator sends its client a {@link
 * Ready} when it can take a snapshot (at start, and after each evaluation); the client sends one
 * {@link Evaluate} per Ready and, when evaluations fall due without credit, only the newest
 * snapshot once the next Ready arrives, counting the others as skipped ({@link Credit} keeps that
 * book). So a client that follows the protocol has at most one snapshot in flight — in the
 * Evaluator's mailbox, pending, or being scored — and never waits: it only ever tells. A client
 * that sends more anyway is still bounded inside the Evaluator: at most one snapshot pending, a
 * newer one replacing it (the replaced one counts as skipped); only the mailbox itself is then
 * unbounded. Each evaluation is reported as a {@link Messages.EvalReport}; a failed one is logged
 * and returns the credit.
 */
public final class Evaluator extends AbstractBehavior<Evaluator.Command> {
  public sealed interface Command extends CborSerializable {}

  /**
   * Score {@code params}, a detached flat copy of G's weights (of G-EMA's when {@code ema}) at
   * {@code gVersion}, the snapshot of G step {@code step}; send only while holding a credit. {@code
   * discriminator}: the D snapshot (version {@code dVersion}) G's update {@code step} trained
   * against, for the JSD bound; null (and -1) when there is none. {@code skipped}: evaluations the
   * client let fall since its previous Evaluate ({@link Credit#take}).
   */
  public record Evaluate(
      long gVersion,
      long step,
      boolean ema,
      INDArray params,
      INDArray discriminator,
      long dVersion,
      long skipped)
      implements Command, TensorMessage {}

  /** Replies with the Evaluator's counters (answered between evaluations). */
  public record GetStats(ActorRef<Stats> replyTo) implements Command {}

  /** A credit of one: the Evaluator can take the next snapshot. */
  public record Ready() implements CborSerializable {}

  /**
   * @param evaluated evaluations reported
   * @param skipped evaluations dropped by flow control, by the client or by the Evaluator
   * @param replaced of those, pending snapshots the Evaluator replaced by a newer one
   * @param failed evaluations whose scorer threw
   * @param maxPending the most snapshots ever pending inside the Evaluator (the bound is 1)
   */
  public record Stats(long evaluated, long skipped, long replaced, long failed, int maxPending)
      implements CborSerializable {}

  /** Score the pending snapshot (to self); a record, not an enum, so only the CBOR binding fits. */
  private record Run() implements Command {
    static final Run INSTANCE = new Run();
  }

  private final Scorer scorer;
  private final ActorRef<Ready> client;
  private final ActorRef<Messages.EvalReport> reports;
  // The snapshots held unscored, at most one: a newer Evaluate replaces the one held. A deque
  // rather than a field so that maxPending measures what is held (a variant that queued instead of
  // replacing would show its length there) instead of restating the bound.
  private final ArrayDeque<Evaluate> pending = new ArrayDeque<>(1);
  private boolean runScheduled;
  private boolean creditOut;
  private long skippedSinceReport;
  private long evaluated;
  private long skipped;
  private long replaced;
  private long failed;
  private int maxPending;

  /**
   * An Evaluator scoring with the scorer built on its own thread; {@code client} receives the
   * credits, {@code reports} the evaluations. Spawn it on {@link Coordinator#TENSOR_DISPATCHER}.
   */
  public static Behavior<Command> create(
      Supplier<? extends Scorer> scorer,
      ActorRef<Ready> client,
      ActorRef<Messages.EvalReport> reports) {
    return Behaviors.setup(ctx -> new Evaluator(ctx, scorer.get(), client, reports));
  }

  private Evaluator(
      ActorContext<Command> ctx,
      Scorer scorer,
      ActorRef<Ready> client,
      ActorRef<Messages.EvalReport> reports) {
    super(ctx);
    this.scorer = scorer;
    this.client = client;
    this.reports = reports;
    ctx.getLog().info("evaluator: {}", scorer.describe());
    grantCredit();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Evaluate.class, this::onEvaluate)
        .onMessage(GetStats.class, this::onGetStats)
        .onMessageEquals(Run.INSTANCE, this::onRun)
        .onSignal(PostStop.class, s -> onPostStop())
        .build();
  }

  private Behavior<Command> onEvaluate(Evaluate e) {
    creditOut = false;
    skip(e.skipped());
    Evaluate held = pending.poll();
    if (held != null) {
      // Keep the snapshot of the later step (the newer on a tie); the other one is skipped.
      replaced++;
      skip(1);
      if (e.step() < held.step()) {
        e = held;
      }
    }
    pending.add(e);
    maxPending = Math.max(maxPending, pending.size());
    if (!runScheduled) {
      runScheduled = true;
      getContext().getSelf().tell(Run.INSTANCE);
    }
    return this;
  }

  /** Scores the pending snapshot; Evaluates that arrived meanwhile have already replaced it. */
  private Behavior<Command> onRun() {
    runScheduled = false;
    Evaluate e = pending.poll();
    if (e == null) {
      return this;
    }
    long t0 = System.nanoTime();
    try {
      Scorer.Score score =
          scorer.score(
              e.step(),
              e.ema(),
              Placement.arrived(e.params()),
              Placement.arrived(e.discriminator()));
      long nanos = System.nanoTime() - t0;
      evaluated++;
      reports.tell(
          new Messages.EvalReport(
              e.gVersion(),
              e.step(),
              e.ema(),
              e.dVersion(),
              score,
              skippedSinceReport,
              nanos,
              System.currentTimeMillis()));
      skippedSinceReport = 0;
    } catch (IOException | RuntimeException ex) {
      failed++;
      getContext()
          .getLog()
          .warn("evaluation of G step {} (ema {}) failed: {}", e.step(), e.ema(), ex.toString());
    }
    grantCredit();
    return this;
  }

  private Behavior<Command> onGetStats(GetStats g) {
    g.replyTo().tell(new Stats(evaluated, skipped, replaced, failed, maxPending));
    return this;
  }

  private Behavior<Command> onPostStop() {
    scorer.close();
    return this;
  }

  private void skip(long n) {
    skipped += n;
    skippedSinceReport += n;
  }

  /** Idle with nothing pending: the client may send the next snapshot (one credit at a time). */
  private void grantCredit() {
    if (pending.isEmpty() && !creditOut) {
      creditOut = true;
      client.tell(new Ready());
    }
  }

  /**
   * The client's half of the protocol: a plain object the client actor keeps (not thread-safe).
   * Call {@link #due} when an evaluation falls due and {@link #ready} on each {@link Ready}; when
   * either returns true, send the newest snapshot with {@link #take}'s skip count.
   */
  public static final class Credit {
    private boolean held;
    private boolean deferred;
    private long skipped;

    /**
     * An evaluation fell due. True: a credit is held, send a snapshot now. False: the Evaluator is
     * busy; the evaluation waits for the next Ready, replacing (and counting as skipped) one that
     * was already waiting.
     */
    public boolean due() {
      if (held) {
        return true;
      }
      if (deferred) {
        skipped++;
      }
      deferred = true;
      return false;
    }

    /** A Ready arrived. True: an evaluation is waiting; send the newest snapshot now. */
    public boolean ready() {
      held = true;
      return deferred;
    }

    /** Spends the credit on a snapshot; returns the evaluations skipped since the previous one. */
    public long take() {
      if (!held) {
        throw new IllegalStateException("no credit: wait for the Evaluator's Ready");
      }
      held = false;
      deferred = false;
      long s = skipped;
      skipped = 0;
      return s;
    }

    /** Whether a snapshot may be sent now. */
    public boolean held() {
      return held;
    }
  }
}
