package dev.agon.engine;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.agon.checkpoint.CheckpointException;
import dev.agon.checkpoint.CheckpointStore;
import dev.agon.config.AgonConfig;
import dev.agon.config.LoadedConfig;
import dev.agon.data.BatchSource;
import dev.agon.data.Mixture2d;
import dev.agon.eval.ModeMetrics;
import dev.agon.train.Factory;
import dev.agon.train.ImageScorer;
import dev.agon.train.ModeScorer;
import dev.agon.util.Json;
import dev.agon.util.Numerics;
import dev.agon.util.WriteFailedException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * One {@code agon train}: prepares the run directory, starts the actor system with the Coordinator
 * under a {@link RunGuardian} (the Coordinator checkpoints periodically and at the end; the
 * guardian shuts the system down in order when it stops), waits for the run to finish or be
 * stopped, then scores the generator.
 *
 * <p>A run directory that holds checkpoints is resumed from the newest one that reads back verified
 * (torn or corrupt ones are skipped with a warning), as {@link ResumePoint} says. Failures,
 * divergence and lost player nodes are recovered as {@link Recovery} says, by launching a fresh
 * actor system.
 */
public final class TrainRun {
  /** What a finished run produced. */
  public record Result(
      Path runDir, Coordinator.Finished finished, Path checkpoint, ModeMetrics.Result modes) {}

  /**
   * Where the engine's actors run: its Pekko settings over {@link #pekkoConfig()} and where the
   * players run. {@link #ONE_JVM} is {@code agon train}; {@code agon node} uses a cluster member on
   * the coordinator node with players on their nodes.
   */
  public record Deployment(Config pekko, PlayerSites sites, Nodes nodes) {
    public static final Deployment ONE_JVM =
        new Deployment(ConfigFactory.empty(), PlayerSites.LOCAL, Nodes.NONE);

    /** Players placed by {@code sites}, no nodes to lose. */
    public Deployment(Config pekko, PlayerSites sites) {
      this(pekko, sites, Nodes.NONE);
    }
  }

  /**
   * The nodes of a deployment across JVMs, as the run's pause needs them: when a node with a lost
   * role is back, and the node's console for the pause's lines.
   */
  public interface Nodes {
    /**
     * Completes when a node holds {@code role} again, other than the lost one at {@code lostNode}
     * ({@code host:port}) unless that one left the membership and joined anew.
     */
    CompletableFuture<Void> back(String role, String lostNode);

    /** Tells the node's operator one line. */
    void say(String line);

    /** One JVM: no node is ever lost. */
    Nodes NONE =
        new Nodes() {
          @Override
          public CompletableFuture<Void> back(String role, String lostNode) {
            return CompletableFuture.completedFuture(null);
          }

          @Override
          public void say(String line) {}
        };
  }

  /** The ask's timeout: the longest a run may last (Pekko's scheduler caps delays at ~248 d). */
  private static final Duration MAX_RUN = Duration.ofDays(200);

  private final LoadedConfig loaded;
  private final Path runDir;
  private final PrintStream console;
  private final boolean interactive;
  private volatile ActorSystem<Coordinator.Command> system;

  /** The current system's shutdown phases, for the warning of {@link #awaitTerminated}. */
  private volatile ShutdownPhases phases;

  private CompletableFuture<Coordinator.Finished> finished;
  private volatile String stopRequested;
  private final Observability observability;

  private final CheckpointStore.Checkpoint resumedFrom;

  private final Recovery recovery;

  /** The supervision tests' injected faults ({@link FaultInjection}). */
  private final StepHook faults = FaultInjection.fromSystemProperties();

  private final Deployment deployment;

  private TrainRun(
      LoadedConfig loaded,
      Path runDir,
      PrintStream console,
      boolean interactive,
      boolean allowConfigChange,
      Deployment deployment)
      throws IOException, CheckpointException {
    this.loaded = loaded;
    this.deployment = deployment;
    this.runDir = runDir;
    this.console = console;
    this.interactive = interactive;
    AgonConfig c = loaded.config();
    Files.createDirectories(runDir);
    this.resumedFrom =
        CheckpointStore.latestValid(
                runDir, w -> org.slf4j.LoggerFactory.getLogger(TrainRun.class).warn(w))
            .orElse(null);
    if (resumedFrom == null && !CheckpointStore.list(runDir).isEmpty()) {
      org.slf4j.LoggerFactory.getLogger(TrainRun.class)
          .warn("no usable checkpoint in {}: starting the run from the beginning", runDir);
    }
    if (resumedFrom != null) {
      // before anything is written: a refusal leaves no trace
      ResumePoint.compatible(resumedFrom, loaded.rendered(), allowConfigChange);
      LabelledSetRecord.checkResume(runDir, Factory.data(c));
    }
    RecoveryPolicy.Counts counts =
        new RecoveryPolicy.Counts(
            resumedFrom == null ? 0 : EngineState.rollbacks(resumedFrom.engine()), 0);
    // config.conf is replaced only once the run_start record is written too: a full disk leaves
    // neither a partial config.conf nor one that disagrees with the log.
    Path configFile = runDir.resolve("config.conf");
    Path staged = runDir.resolve(".config.conf.tmp");
    try {
      Files.writeString(staged, loaded.rendered(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      Files.deleteIfExists(staged);
      throw new WriteFailedException(configFile, e);
    }
    Path metrics = runDir.resolve("metrics.jsonl");
    Json start =
        Json.object()
            .put("event", EventKind.RUN_START.wire())
            .put("run", c.run().name())
            .put("config_sha256", configHash());
    if (resumedFrom != null) {
      start.put("resumed_from", resumedFrom.dir().getFileName().toString());
    }
    try {
      MetricsLog.fitTo(runDir.resolve("metrics.jsonl"), resumedFrom);
      MetricsLog.append(metrics, start.put("time_ms", System.currentTimeMillis()).end());
    } catch (IOException e) {
      Files.deleteIfExists(staged);
      throw new WriteFailedException(metrics, e);
    }
    Files.move(
        staged, configFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    // fails here, before the HTTP server or any actor starts, on bad data
    LabelledSetRecord.write(runDir, Factory.data(c));
    this.observability =
        Observability.start(
            c,
            runDir,
            console,
            new EngineControl(() -> system, this::stop, this::waitingFor, this::restarting));
    this.recovery =
        new Recovery(
            runDir,
            new RecoveryPolicy(c.guard()),
            counts,
            observability,
            deployment.nodes(),
            this::launch);
    try {
      launch(resumedFrom, 1.0);
    } catch (IOException | CheckpointException | RuntimeException e) {
      observability.close(false);
      throw e;
    }
  }

  /**
   * Starts the actor system from checkpoint {@code from} (null: the initial state) with both
   * learning rates scaled by {@code lrScale}.
   */
  private void launch(CheckpointStore.Checkpoint from, double lrScale)
      throws IOException, CheckpointException {
    AgonConfig c = loaded.config();
    Path metrics = runDir.resolve("metrics.jsonl");
    EngineSettings settings = settings(c);
    BatchSource data = Factory.data(c); // fails here, before any actor starts, on bad data
    long[] shape = data.sampleShape();
    boolean mixture = data instanceof Mixture2d;
    boolean evaluate =
        FinalEvaluation.scoresAtAll(c, mixture)
            && (c.eval().everySteps() > 0 || c.eval().everySeconds() > 0);
    ResumePoint point = new ResumePoint(c, loaded.rendered(), from, lrScale);
    point.check(shape); // before any actor starts
    Coordinator.StartState startState = point.startState();
    Map<String, String> constants =
        EngineState.constants(recovery.counts().rollbacks(), c.seed(), c.schedule().batchSize());
    Coordinator.Checkpointing checkpointing =
        new Coordinator.Checkpointing(
            Checkpointer.create(
                new Checkpointer.Options(
                    runDir,
                    loaded.rendered(),
                    configHash(),
                    c.checkpoint().keepLast(),
                    c.checkpoint().bestMetric(),
                    Duration.ofSeconds(c.checkpoint().retryMaxSeconds()),
                    evaluate)),
            c.checkpoint().everySteps(),
            c.checkpoint().everySeconds(),
            c.checkpoint().bestMetric(),
            constants);
    Coordinator.Parts parts =
        new Coordinator.Parts(
            observability.metrics() == null
                ? () -> Factory.data(c)
                : () -> new MeteredBatchSource(Factory.data(c), observability.metrics()),
            () -> point.generator(shape),
            () -> point.discriminator(shape),
            Recorder.create(
                new Recorder.Options(
                    c.run().name(),
                    metrics,
                    console,
                    interactive,
                    c.log().progressIntervalMs(),
                    settings.iterations(),
                    observability.metrics(),
                    settings)),
            faults,
            evaluate
                ? new Coordinator.Evaluation(
                    mixture
                        ? () -> ModeScorer.create(c, runDir)
                        : () -> ImageScorer.create(c, runDir),
                    c.eval().everySteps(),
                    c.eval().everySeconds())
                : null,
            checkpointing,
            startState,
            Placement.of(c.devices()),
            deployment.sites().from(from == null ? null : from.dir(), lrScale, point));
    ActorSystem<Coordinator.Command> sys =
        ActorSystem.create(
            RunGuardian.around(Coordinator.create(settings, parts)),
            "agon",
            deployment.pekko().withFallback(pekkoConfig()).resolve());
    this.phases = ShutdownPhases.watch(sys);
    this.finished = start(sys, "; see " + runDir.resolve("agon.log"));
    this.system = sys;
    if (stopRequested != null) {
      sys.tell(new Coordinator.Stop(stopRequested));
    }
    observability.running();
  }

  /**
   * Starts the Coordinator guarding {@code system}; the future completes with the run's outcome, or
   * fails when the system stops without one (a bug, or a failed actor), with {@code hint} appended
   * to the message.
   */
  public static CompletableFuture<Coordinator.Finished> start(
      ActorSystem<Coordinator.Command> system, String hint) {
    CompletableFuture<Coordinator.Finished> f =
        AskPattern.<Coordinator.Command, Coordinator.Finished>ask(
                system, Coordinator.Start::new, MAX_RUN, system.scheduler())
            .toCompletableFuture();
    system
        .getWhenTerminated()
        .thenRun(
            () ->
                f.completeExceptionally(
                    new IllegalStateException(
                        "the actor system stopped before the run finished" + hint)));
    return f;
  }

  /**
   * Starts a run in {@code runDir} (created if needed), or resumes it from its newest usable
   * checkpoint.
   *
   * @param allowConfigChange resume even when keys that change the computation differ from the
   *     checkpoint's config (they are still logged)
   * @throws CheckpointException when the checkpoint cannot be resumed with this config
   */
  public static TrainRun start(
      LoadedConfig loaded,
      Path runDir,
      PrintStream console,
      boolean interactive,
      boolean allowConfigChange)
      throws IOException, CheckpointException {
    return new TrainRun(
        loaded, runDir, console, interactive, allowConfigChange, Deployment.ONE_JVM);
  }

  /** {@link #start} with the actors placed as {@code deployment} says. */
  public static TrainRun start(
      LoadedConfig loaded,
      Path runDir,
      PrintStream console,
      boolean interactive,
      boolean allowConfigChange,
      Deployment deployment)
      throws IOException, CheckpointException {
    return new TrainRun(loaded, runDir, console, interactive, allowConfigChange, deployment);
  }

  /** The checkpoint this run resumed from, or null for a fresh run. */
  public Path resumedFrom() {
    return resumedFrom == null ? null : resumedFrom.dir();
  }

  /**
   * Why this resume will not be bit-identical to an uninterrupted run (the checkpoint was computed
   * with other {@link Numerics}), or null: a new run, equal numerics, or a checkpoint that recorded
   * none.
   */
  public String numericsWarning() {
    return resumedFrom == null
        ? null
        : Numerics.resumeWarning(
            resumedFrom.dir().getFileName().toString(), resumedFrom.numerics(), Numerics.current());
  }

  public static EngineSettings settings(AgonConfig c) {
    return new EngineSettings(
        c.schedule().k(),
        c.schedule().staleness(),
        c.schedule().iterations(),
        c.schedule().batchSize(),
        c.data().prefetch());
  }

  /** Pekko's settings for a run: this package's pekko.conf over Pekko's defaults. */
  public static Config pekkoConfig() {
    return ConfigFactory.parseResources(TrainRun.class, "pekko.conf")
        .withFallback(ConfigFactory.load());
  }

  /** Asks the run to finish its current iteration and stop; {@link #await} then returns. */
  public void stop(String reason) {
    stopRequested = reason;
    recovery.stopRequested();
    system.tell(new Coordinator.Stop(reason));
  }

  public Path runDir() {
    return runDir;
  }

  /** Why a stop was requested (a signal, the control API), or null when none was. */
  public String stopRequested() {
    return stopRequested;
  }

  /** The role a node-lost pause waits for, or null (also before recovery exists). */
  private String waitingFor() {
    Recovery r = recovery;
    return r == null ? null : r.waitingFor();
  }

  /** Whether the run waits out a restart's backoff (false also before recovery exists). */
  private boolean restarting() {
    Recovery r = recovery;
    return r != null && r.restarting();
  }

  /** Waits for the run, writes the final checkpoint and the final evaluation. */
  public Result await() throws IOException, InterruptedException {
    try {
      return awaitRun();
    } catch (IOException | InterruptedException | RuntimeException e) {
      observability.close(false);
      throw e;
    }
  }

  private Result awaitRun() throws IOException, InterruptedException {
    Coordinator.Finished f;
    while (true) {
      try {
        f = finished.get();
      } catch (ExecutionException e) {
        system.terminate();
        throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
      } finally {
        awaitTerminated(system, phases);
      }
      if (f.failure() == null) {
        break;
      }
      if (!recovery.recover(f, stopRequested != null)) {
        // Stopped while recovering (a pause's wait, a backoff) ends like a stop; else given up.
        observability.close(stopRequested != null);
        return new Result(runDir, f, null, null);
      }
    }
    Path checkpoint = f.checkpoint();
    if (checkpoint == null) {
      throw new WriteFailedException(
          "the final checkpoint could not be written ("
              + f.checkpointError()
              + "); the newest complete one stays in "
              + runDir.resolve("checkpoints"),
          null);
    }
    ModeMetrics.Result modes = FinalEvaluation.score(loaded.config(), runDir, f);
    observability.close(true);
    return new Result(runDir, f, checkpoint, modes);
  }

  /** How long a finished run's actor system may take to terminate before the run goes on. */
  private static final Duration TERMINATION_WAIT = Duration.ofSeconds(60);

  /**
   * Waits for {@code sys} to terminate: until it did, or Pekko gave up on its last shutdown phase,
   * or at most {@link #TERMINATION_WAIT}. A safety net: a system whose coordinated shutdown hangs
   * must not hold the run (before {@link RunGuardian} a clustered one hung after every launch; over
   * TLS the remoting's shutdown can still stall after the last phase: Pekko 1.7 awaits Artery's
   * streams without a deadline, apache/pekko#3317 bounds it in 2.0); a relaunch goes on beside it
   * on a fresh port, the JVM's exit ends it, and the warning names the phases that timed out.
   */
  private static void awaitTerminated(ActorSystem<?> sys, ShutdownPhases phases)
      throws InterruptedException {
    CompletableFuture<?> terminated = sys.getWhenTerminated().toCompletableFuture();
    try {
      CompletableFuture.anyOf(terminated, phases.lastPhaseOverdue())
          .get(TERMINATION_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      // reported below
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
    if (terminated.isDone()) {
      return;
    }
    List<String> slow = phases.timedOut();
    org.slf4j.LoggerFactory.getLogger(TrainRun.class)
        .warn(
            "the run's actor system did not terminate; going on beside it ({})",
            !phases.begun()
                ? "its coordinated shutdown did not start within "
                    + TERMINATION_WAIT.toSeconds()
                    + " s"
                : slow.isEmpty()
                    ? "no coordinated shutdown phase timed out within "
                        + TERMINATION_WAIT.toSeconds()
                        + " s"
                    : "coordinated shutdown phases that timed out: " + String.join(", ", slow));
  }

  private String configHash() {
    return CheckpointStore.sha256(loaded.rendered().getBytes(StandardCharsets.UTF_8));
  }
}
