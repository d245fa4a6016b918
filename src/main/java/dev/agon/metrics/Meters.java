package dev.agon.metrics;

import dev.agon.config.Player;
import dev.agon.metrics.MeterDef.Kind;
import java.util.List;

/**
 * The meter catalogue: every meter Agon exports, with unit and description, in one place. Every
 * meter also carries the common labels {@code run} (run directory name) and {@code experiment}
 * ({@code run.name}); the others are bounded: {@code network} (generator, discriminator), {@code
 * term} (a loss term or D output), {@code actor} (an engine actor), {@code gpu} (a device). Units
 * are base units (seconds, bytes); ratios are in [0, 1].
 */
public final class Meters {
  private Meters() {}

  public static final String NETWORK = "network";
  public static final String TERM = "term";
  public static final String ACTOR = "actor";
  public static final String GPU = "gpu";

  /**
   * Labels of an {@code agon node} process ({@link #NODE_ALL}), besides run and experiment: {@code
   * node} (this node's cluster address, host:port) and {@code role} (the roles it hosts,
   * comma-separated) on every family it exports; {@code cluster_role} (a role of the run, one of
   * five) and {@code member} (the node holding it) on the membership meters; {@code stream} (a
   * tensor stream, named by its binder), {@code reason} (a transport drop or failure reason) and
   * {@code kind} (a snapshot kind) on the transport meters.
   */
  public static final String NODE = "node";

  public static final String ROLE = "role";
  public static final String CLUSTER_ROLE = "cluster_role";
  public static final String MEMBER = "member";
  public static final String STREAM = "stream";
  public static final String REASON = "reason";
  public static final String KIND = "kind";

  /** The values of {@code network}: the players' wire names. */
  public static final String GENERATOR = Player.GENERATOR.label();

  public static final String DISCRIMINATOR = Player.DISCRIMINATOR.label();

  /** Values of {@code network}. */
  public static final List<String> NETWORKS = List.of(GENERATOR, DISCRIMINATOR);

  /** Engine actors with a row in the actor meters. */
  public static final List<String> ACTORS =
      List.of("coordinator", GENERATOR, DISCRIMINATOR, "data-loader", "evaluator", "metrics");

  /** Training state codes of {@link #TRAINING_STATE}. */
  public static final int STATE_STARTING = 0;

  public static final int STATE_RUNNING = 1;
  public static final int STATE_FINISHING = 2;
  public static final int STATE_FINISHED = 3;
  public static final int STATE_FAILED = 4;

  /** An {@code agon node} run paused for a lost node's role ({@link #RUN_WAITING_FOR_ROLES}). */
  public static final int STATE_WAITING_FOR_ROLE = 5;

  /** The run waits out a restart's backoff after a failed actor; nothing trains meanwhile. */
  public static final int STATE_RESTARTING = 6;

  private static MeterDef gauge(String name, String unit, String description, String... labels) {
    return new MeterDef(name, Kind.GAUGE, unit, description, List.of(labels));
  }

  private static MeterDef counter(String name, String unit, String description, String... labels) {
    return new MeterDef(name, Kind.COUNTER, unit, description, List.of(labels));
  }

  /**
   * The ND4J native build's name for {@link #BUILD_INFO}'s {@code nd4j_variant} label: {@code
   * default}, or JavaCPP's platform extension without its dash ({@code onednn-avx512}). The rule of
   * {@code dev.agon.util.Nd4jVariant.requested()}, which metrics may not import; the JVM has
   * checked at start that this build is the one loaded.
   */
  public static String nd4jVariant() {
    String ext = System.getProperty("org.bytedeco.javacpp.platform.extension", "").strip();
    return ext.isEmpty() ? "default" : ext.startsWith("-") ? ext.substring(1) : ext;
  }

  // Build and run.
  public static final MeterDef BUILD_INFO =
      gauge(
          "agon.build.info",
          null,
          "Always 1; labels carry the Agon and Java versions and the ND4J native build.");
  public static final MeterDef RUN_INFO =
      gauge("agon.run.info", null, "Always 1 while the run's process is up; labels name the run.");
  public static final MeterDef RUN_START =
      gauge("agon.run.start.timestamp", "seconds", "When the run started (Unix time).");
  public static final MeterDef TRAINING_STATE =
      gauge(
          "agon.training.state",
          null,
          "Training state: 0 starting, 1 running, 2 finishing, 3 finished, 4 failed, 5 waiting for"
              + " the role of a lost node, 6 restarting (a restart's backoff).");
  public static final MeterDef RUN_WAITING_FOR_ROLES =
      gauge(
          "agon.run.waiting.for.roles",
          null,
          "Roles whose node was lost and that the paused run waits for (0: not waiting; agon node"
              + " runs only).");
  public static final MeterDef ITERATIONS_TARGET =
      gauge("agon.training.iterations.target", null, "G updates the run is configured to make.");

  // Steps.
  public static final MeterDef OPTIMIZER_STEPS =
      counter("agon.optimizer.steps", null, "Optimizer updates applied, per network.", NETWORK);
  public static final MeterDef SAMPLES_CONSUMED =
      counter(
          "agon.samples.consumed",
          null,
          "Training samples consumed by updates (real and fake), per network.",
          NETWORK);
  public static final MeterDef LAST_STEP =
      gauge(
          "agon.last.step.timestamp",
          "seconds",
          "When the network's last update finished (Unix time).",
          NETWORK);
  public static final MeterDef STEP_DURATION =
      new MeterDef(
          "agon.step.duration",
          Kind.HISTOGRAM,
          "seconds",
          "Time one update took on its actor's thread, per network (explicit SLO buckets).",
          List.of(NETWORK));

  // Losses and D outputs.
  public static final MeterDef LOSS =
      gauge(
          "agon.loss",
          null,
          "Last loss per network and term (total: the optimized loss; averaging: the"
              + " historical-averaging penalty). May be negative (WGAN).",
          NETWORK,
          TERM);
  public static final MeterDef NON_FINITE_LOSSES =
      counter("agon.loss.nonfinite", null, "Updates whose loss was NaN or infinite.", NETWORK);
  public static final MeterDef GRADIENT_NORM =
      gauge(
          "agon.gradient.norm",
          null,
          "L2 norm of the last flat parameter gradient, per network (NaN until reported).",
          NETWORK);
  public static final MeterDef LEARNING_RATE =
      gauge(
          "agon.learning.rate",
          null,
          "Learning rate of the last update (its schedule's rate), per network.",
          NETWORK);
  public static final MeterDef D_OUTPUT =
      gauge(
          "agon.discriminator.output.mean",
          null,
          "Mean discriminator output of the last D update: term real = D(x), fake = D(G(z)).",
          TERM);
  public static final MeterDef D_ACCURACY =
      gauge(
          "agon.discriminator.accuracy",
          "ratio",
          "Fraction of the last D update's samples classified correctly (NaN until reported).");

  public static final MeterDef INFO_LOSS =
      gauge(
          "agon.infogan.loss",
          null,
          "InfoGAN's -E[log Q(c|G(z,c))] (nats, before its weight) of the last update, per network;"
              + " NaN when InfoGAN is off.",
          NETWORK);

  // Schedule.
  public static final MeterDef SCHEDULE_K =
      gauge("agon.schedule.k", null, "Discriminator updates per generator update.");
  public static final MeterDef SCHEDULE_STALENESS =
      gauge("agon.schedule.staleness.bound", null, "Configured staleness bound s (versions).");
  public static final MeterDef STALENESS_OBSERVED =
      gauge(
          "agon.staleness.observed",
          null,
          "Versions the last update's input lagged behind Algorithm 1's, per network.",
          NETWORK);

  // Evaluation: NaN until the Evaluator first scores that metric (2-D runs have no IS/FID; image
  // runs no modes), so every series exists from the first scrape.
  public static final MeterDef EVAL_IS =
      gauge("agon.eval.inception.score", null, "Inception Score of the last evaluation.");
  public static final MeterDef EVAL_IS_STD =
      gauge("agon.eval.inception.score.std", null, "Std of the IS over splits, last evaluation.");
  public static final MeterDef EVAL_IS_BEST =
      gauge("agon.eval.inception.score.best", null, "Best Inception Score of the run so far.");
  public static final MeterDef EVAL_FID =
      gauge("agon.eval.fid", null, "Frechet distance to the real data, last evaluation.");
  public static final MeterDef EVAL_KID =
      gauge("agon.eval.kid", null, "Kernel Inception Distance, last evaluation.");
  public static final MeterDef EVAL_PRECISION =
      gauge("agon.eval.precision", "ratio", "Precision (Kynkaanniemi et al.), last evaluation.");
  public static final MeterDef EVAL_RECALL =
      gauge("agon.eval.recall", "ratio", "Recall (Kynkaanniemi et al.), last evaluation.");
  public static final MeterDef EVAL_DENSITY =
      gauge("agon.eval.density", null, "Density (Naeem et al.), last evaluation.");
  public static final MeterDef EVAL_COVERAGE =
      gauge("agon.eval.coverage", "ratio", "Coverage (Naeem et al.), last evaluation.");
  public static final MeterDef EVAL_CLASS_COVERAGE =
      gauge("agon.eval.class.coverage", "ratio", "Fraction of classes present in the samples.");
  public static final MeterDef EVAL_DUPLICATES =
      gauge("agon.eval.duplicate", "ratio", "Fraction of near-duplicate samples.");
  // Classifier-free (eval.PixelCollapse): exported on every image data set, classifier or not.
  public static final MeterDef EVAL_PIXEL_DUPLICATES =
      gauge(
          "agon.eval.pixel.duplicate",
          "ratio",
          "Fraction of sample pairs closer in pixel space than the real images' 1st-percentile"
              + " nearest-neighbour distance (1: collapsed).");
  public static final MeterDef EVAL_PIXEL_DISTANCE =
      gauge(
          "agon.eval.pixel.distance",
          "ratio",
          "Mean pairwise pixel distance of the samples over the real images' (1: as varied,"
              + " 0: collapsed).");
  public static final MeterDef EVAL_MODES =
      gauge(
          "agon.eval.modes.captured",
          null,
          "2-D mixtures: modes captured by high-quality samples.");
  public static final MeterDef EVAL_MODES_TOTAL =
      gauge("agon.eval.modes.real", null, "2-D mixtures: modes of the real distribution.");
  public static final MeterDef EVAL_HIGH_QUALITY =
      gauge("agon.eval.high.quality", "ratio", "2-D mixtures: fraction of high-quality samples.");
  public static final MeterDef EVAL_REVERSE_KL =
      gauge("agon.eval.reverse.kl", null, "2-D mixtures: reverse KL of the mode histogram.");
  public static final MeterDef EVAL_JSD_BOUND =
      gauge("agon.eval.jsd.bound", null, "Jensen-Shannon divergence lower bound from D.");
  public static final MeterDef EVAL_CLASSIFIER_ACCURACY =
      gauge(
          "agon.eval.classifier.accuracy",
          null,
          "Test accuracy of the semi-supervised K+1 discriminator as a classifier.");
  public static final MeterDef EVAL_STEP =
      gauge("agon.eval.step", null, "G step whose snapshot the last evaluation scored.");
  public static final MeterDef EVAL_TIME =
      gauge("agon.eval.timestamp", "seconds", "When the last evaluation finished (Unix time).");
  public static final MeterDef EVAL_DURATION =
      gauge("agon.eval.duration", "seconds", "Time the last evaluation took to score.");
  public static final MeterDef EVALUATIONS =
      counter("agon.evaluations", null, "Evaluations completed.");
  public static final MeterDef EVALUATIONS_SKIPPED =
      counter("agon.evaluations.skipped", null, "Due evaluations dropped while one was running.");

  // Data.
  public static final MeterDef DATA_QUEUE =
      gauge("agon.data.queue.depth", null, "Real batches prepared and waiting in the data loader.");
  public static final MeterDef DATA_WAIT =
      counter(
          "agon.data.wait",
          "seconds",
          "Time the discriminator spent waiting for real batches (rate: fraction of time starved).");

  // Actors.
  public static final MeterDef ACTOR_MAILBOX =
      gauge(
          "agon.actor.mailbox.size",
          null,
          "Messages waiting in the actor's mailbox (counted for the metrics actor; NaN: not measured).",
          ACTOR);
  public static final MeterDef ACTOR_MESSAGES =
      counter("agon.actor.messages", null, "Messages the actor handled or sent as reports.", ACTOR);
  public static final MeterDef ACTOR_RESTARTS =
      counter("agon.actor.restarts", null, "Restarts of the actor by its supervisor.", ACTOR);

  // Checkpoints.
  public static final MeterDef CHECKPOINTS =
      counter("agon.checkpoints", null, "Checkpoints written.");
  public static final MeterDef CHECKPOINT_DURATION =
      gauge("agon.checkpoint.duration", "seconds", "Time the last checkpoint took to write.");
  public static final MeterDef CHECKPOINT_LAST_SUCCESS =
      gauge(
          "agon.checkpoint.last.success.timestamp",
          "seconds",
          "When the last checkpoint was written (Unix time); the run's start until the first.");

  // Memory.
  public static final MeterDef ND4J_MEMORY =
      gauge(
          "agon.nd4j.memory",
          "bytes",
          "Off-heap memory, per device; gpu=host: resident memory outside the JVM's committed heap"
              + " and non-heap pools (ND4J's buffers, native libraries), an estimate.",
          GPU);

  // Cluster (agon node): membership as the node sees it; roles and placement on the coordinator.
  public static final MeterDef CLUSTER_MEMBERS_UP =
      gauge(
          "agon.cluster.members.up",
          null,
          "Cluster members in state Up (or WeaklyUp), as this node sees the membership.");
  public static final MeterDef CLUSTER_ROLE_UP =
      gauge(
          "agon.cluster.role.up",
          null,
          "1 while some node holds the role, 0 while it is missing (coordinator node only).",
          CLUSTER_ROLE);
  public static final MeterDef CLUSTER_ROLE_PLACEMENT =
      gauge(
          "agon.cluster.role.placement",
          null,
          "Always 1; labels say which member (host:port) holds the role (coordinator node only).",
          CLUSTER_ROLE,
          MEMBER);

  // Transport (Aeron): one stream's publisher or subscriber, read from its TransportCounters.
  public static final MeterDef TRANSPORT_SENT =
      counter("agon.transport.sent", "bytes", "Frame bytes (header and payload) offered.", STREAM);
  public static final MeterDef TRANSPORT_RECEIVED =
      counter(
          "agon.transport.received",
          "bytes",
          "Frame bytes (header and payload) received and checked.",
          STREAM);
  public static final MeterDef TRANSPORT_FRAMES_SENT =
      counter("agon.transport.frames.sent", null, "Frames (chunks) offered.", STREAM);
  public static final MeterDef TRANSPORT_FRAMES_RECEIVED =
      counter(
          "agon.transport.frames.received", null, "Frames (chunks) received and checked.", STREAM);
  public static final MeterDef TRANSPORT_BACK_PRESSURE =
      counter(
          "agon.transport.backpressure.waits",
          null,
          "Offers refused by back pressure (or an admin action), each followed by one idle wait.",
          STREAM);
  public static final MeterDef TRANSPORT_DROPPED =
      counter(
          "agon.transport.dropped.frames",
          null,
          "Frames or incomplete messages dropped instead of delivered, per reason.",
          STREAM,
          REASON);
  public static final MeterDef TRANSPORT_SEND_FAILURES =
      counter(
          "agon.transport.send.failures",
          null,
          "Sends that failed (reported to the coordinator), per reason.",
          STREAM,
          REASON);
  public static final MeterDef SNAPSHOT_LATENCY =
      new MeterDef(
          "agon.transport.snapshot.latency",
          Kind.HISTOGRAM,
          "seconds",
          "Time from a parameter or evaluation snapshot's (or a player state's) first frame sent to"
              + " its delivery, whole, to the receiving node: the sender's and the receiver's wall"
              + " clocks, so across hosts only meaningful with synchronised clocks (NTP); a negative"
              + " difference counts as 0 (explicit buckets).",
          List.of(KIND));

  /** The snapshot kinds of {@link #SNAPSHOT_LATENCY}, as the transport's frame kinds name them. */
  public static final List<String> SNAPSHOT_KINDS =
      List.of("g-snapshot", "d-snapshot", "evaluation-snapshot", "player-state");

  /** Buckets of {@link #SNAPSHOT_LATENCY}, seconds: 1 ms to 30 s, 12 buckets. */
  public static final double[] SNAPSHOT_BUCKETS_SECONDS = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30
  };

  /**
   * The meters an {@code agon node} process exports (with {@link #BUILD_INFO}, {@link #RUN_INFO}).
   */
  public static final List<MeterDef> NODE_ALL =
      List.of(
          CLUSTER_MEMBERS_UP,
          CLUSTER_ROLE_UP,
          CLUSTER_ROLE_PLACEMENT,
          TRANSPORT_SENT,
          TRANSPORT_RECEIVED,
          TRANSPORT_FRAMES_SENT,
          TRANSPORT_FRAMES_RECEIVED,
          TRANSPORT_BACK_PRESSURE,
          TRANSPORT_DROPPED,
          TRANSPORT_SEND_FAILURES,
          SNAPSHOT_LATENCY);

  /** Every meter above, in catalogue order. */
  public static final List<MeterDef> ALL =
      List.of(
          BUILD_INFO,
          RUN_INFO,
          RUN_START,
          TRAINING_STATE,
          RUN_WAITING_FOR_ROLES,
          ITERATIONS_TARGET,
          OPTIMIZER_STEPS,
          SAMPLES_CONSUMED,
          LAST_STEP,
          STEP_DURATION,
          LOSS,
          NON_FINITE_LOSSES,
          GRADIENT_NORM,
          LEARNING_RATE,
          D_OUTPUT,
          D_ACCURACY,
          INFO_LOSS,
          SCHEDULE_K,
          SCHEDULE_STALENESS,
          STALENESS_OBSERVED,
          EVAL_IS,
          EVAL_IS_STD,
          EVAL_IS_BEST,
          EVAL_FID,
          EVAL_KID,
          EVAL_PRECISION,
          EVAL_RECALL,
          EVAL_DENSITY,
          EVAL_COVERAGE,
          EVAL_CLASS_COVERAGE,
          EVAL_DUPLICATES,
          EVAL_PIXEL_DUPLICATES,
          EVAL_PIXEL_DISTANCE,
          EVAL_MODES,
          EVAL_MODES_TOTAL,
          EVAL_HIGH_QUALITY,
          EVAL_REVERSE_KL,
          EVAL_JSD_BOUND,
          EVAL_CLASSIFIER_ACCURACY,
          EVAL_STEP,
          EVAL_TIME,
          EVAL_DURATION,
          EVALUATIONS,
          EVALUATIONS_SKIPPED,
          DATA_QUEUE,
          DATA_WAIT,
          ACTOR_MAILBOX,
          ACTOR_MESSAGES,
          ACTOR_RESTARTS,
          CHECKPOINTS,
          CHECKPOINT_DURATION,
          CHECKPOINT_LAST_SUCCESS,
          ND4J_MEMORY);

  /** SLO buckets of {@link #STEP_DURATION}, seconds: 1 ms to 10 s, 13 buckets. */
  public static final double[] STEP_BUCKETS_SECONDS = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
  };
}
