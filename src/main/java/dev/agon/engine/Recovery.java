package dev.agon.engine;

import dev.agon.checkpoint.CheckpointException;
import dev.agon.checkpoint.CheckpointStore;
import dev.agon.util.Json;
import dev.agon.util.WriteFailedException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link TrainRun} does when a launch ends without finishing: as {@link RecoveryPolicy}
 * decides, rolls back after a divergence, restarts after a failure (after its backoff), pauses
 * after a lost player node until a node with that role joins again, or gives up; each is recorded
 * in {@code metrics.jsonl} and the run starts again from the newest valid checkpoint. Runs on the
 * caller's thread (TrainRun's await), which it blocks while waiting; the actor system is down then.
 */
final class Recovery {
  private static final Logger LOG = LoggerFactory.getLogger(TrainRun.class);

  /** Starts the actor system from checkpoint {@code from} (null: initial state), rates scaled. */
  interface Launcher {
    void launch(CheckpointStore.Checkpoint from, double lrScale)
        throws IOException, CheckpointException;
  }

  private final Path runDir;
  private final RecoveryPolicy policy;
  private final Observability observability;
  private final TrainRun.Nodes nodes;
  private final Launcher launcher;

  /** Completes when a stop is requested: ends a pause's wait and a restart's backoff. */
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();

  /** Rollbacks per target checkpoint step (-1: the initial state): the lr scale's exponent. */
  private final Map<Long, Integer> rollbacksTo = new TreeMap<>();

  /** Rollbacks after divergence (persisted in checkpoints), and restarts after failures. */
  private volatile RecoveryPolicy.Counts counts;

  private int pauses;

  /** The role a node-lost pause waits for now, null otherwise (read by the control API). */
  private volatile String waitingFor;

  /** True while a restart's backoff is waited out (read by the control API). */
  private volatile boolean restarting;

  Recovery(
      Path runDir,
      RecoveryPolicy policy,
      RecoveryPolicy.Counts counts,
      Observability observability,
      TrainRun.Nodes nodes,
      Launcher launcher) {
    this.runDir = runDir;
    this.policy = policy;
    this.counts = counts;
    this.observability = observability;
    this.nodes = nodes;
    this.launcher = launcher;
  }

  RecoveryPolicy.Counts counts() {
    return counts;
  }

  /**
   * A stop was requested: a pause's wait or a restart's backoff ends at once and the run ends as
   * stopped (its newest checkpoint is the last good state; nothing to write, the system is down).
   */
  void stopRequested() {
    stopped.complete(null);
  }

  /** Whether the run waits out a restart's backoff now (read by the control API). */
  boolean restarting() {
    return restarting;
  }

  /** The role the run waits for after losing its node, or null when it does not wait. */
  String waitingFor() {
    return waitingFor;
  }

  /**
   * After a divergence (rollback with scaled learning rates), an actor failure (restart with
   * backoff) or a lost player node (pause until the role is back), starts the run again from the
   * newest valid checkpoint, or from the initial state if there is none. Returns false when the
   * limits of the guard are reached (the run gives up) or a stop was requested, also during a
   * pause's wait or a restart's backoff (the run ends as stopped).
   */
  boolean recover(Coordinator.Finished f, boolean stopRequested)
      throws IOException, InterruptedException {
    RecoveryPolicy.Decision r =
        f.lost() != null
            ? policy.lost(counts, ++pauses, stopRequested)
            : policy.decide(f.diverged(), f.failure(), counts, stopRequested);
    counts = r.counts();
    if (r.action() == RecoveryPolicy.Action.DISK_FULL) {
      // A full disk fails every restart alike: end the run now; its checkpoints are written
      // whole or not at all, so the newest complete one resumes once there is space.
      LOG.error("the disk is full: {}", f.failure());
      throw new WriteFailedException(
          "the run stopped at G update "
              + f.gSteps()
              + ": "
              + f.failure()
              + "; the newest complete checkpoint in "
              + runDir.resolve("checkpoints")
              + " is intact: free space, then agon train --run "
              + runDir
              + " resumes it",
          null);
    }
    Json event =
        Json.object()
            .put("event", r.event().wire())
            .put("g_step", f.gSteps())
            .put("d_step", f.dSteps())
            .put("detail", f.failure())
            .put("count", r.count());
    if (f.lost() != null) {
      event.put("role", f.lost().role()).put("node", f.lost().node());
    }
    if (r.action() == RecoveryPolicy.Action.RESTART) {
      // Shown before the event is written, so whoever reads it finds the status saying it too.
      observability.restarting();
    }
    append(event);
    if (r.action() == RecoveryPolicy.Action.GIVE_UP) {
      LOG.error(
          "giving up after {} {}s: {}",
          f.lost() != null ? r.count() : r.count() - 1,
          r.event().wire(),
          f.failure());
      return false;
    }
    if (r.action() == RecoveryPolicy.Action.PAUSE && !awaitRole(f)) {
      return false;
    }
    CheckpointStore.Checkpoint from = CheckpointStore.latestValid(runDir, LOG::warn).orElse(null);
    MetricsLog.fitTo(runDir.resolve("metrics.jsonl"), from);
    long target = from == null ? -1 : from.step();
    double scale = 1.0;
    if (r.action() == RecoveryPolicy.Action.ROLLBACK) {
      scale = policy.lrScale(rollbacksTo.merge(target, 1, Integer::sum));
    } else if (r.action() == RecoveryPolicy.Action.RESTART
        && !waitOut(FaultInjection.restartBackoff(r.backoff()))) {
      String stop =
          "stopped during the restart's backoff; the newest checkpoint in "
              + runDir.resolve("checkpoints")
              + " is kept: --run "
              + runDir
              + " resumes the run";
      LOG.warn(stop);
      nodes.say(stop);
      return false;
    }
    String start = from == null ? "the initial state" : from.dir().toString();
    if (r.action() == RecoveryPolicy.Action.PAUSE) {
      String line = "resumed: role " + f.lost().role() + " is back; from " + start;
      LOG.warn(line);
      nodes.say(line);
    } else {
      LOG.warn(
          "{} {} of {} after {}: from {} (learning rates x{})",
          r.event().wire(),
          r.count(),
          r.max(),
          f.failure(),
          start,
          scale);
    }
    if (r.action() == RecoveryPolicy.Action.RESTART) {
      observability.restarted(f.failure());
    }
    try {
      launcher.launch(from, scale);
    } catch (CheckpointException e) {
      throw new IOException(e.getMessage(), e);
    }
    return true;
  }

  /**
   * The pause: says which role is gone and waits, without limit, until a node with it joins again
   * (true) or a stop is requested (false). Meanwhile the status API shows state waiting-for-role
   * with the role and since when, {@code agon_run_waiting_for_roles} is 1 and the role-missing
   * alert fires; the wait costs nothing (one future).
   */
  private boolean awaitRole(Coordinator.Finished f) throws IOException, InterruptedException {
    String role = f.lost().role();
    String line = "paused: role " + role + " is gone; waiting for a node with that role";
    // Shown before it is said, so that whoever reads the line finds the status saying it too.
    waitingFor = role;
    observability.waiting(role, System.currentTimeMillis());
    LOG.warn("{} ({})", line, f.failure());
    nodes.say(line);
    CompletableFuture<Void> back = nodes.back(role, f.lost().node());
    try {
      CompletableFuture.anyOf(back, stopped).get();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } finally {
      waitingFor = null;
    }
    if (!back.isDone()) {
      back.cancel(false);
      String stop =
          "stopped while waiting for role "
              + role
              + "; the newest checkpoint in "
              + runDir.resolve("checkpoints")
              + " is kept: --run "
              + runDir
              + " resumes the run";
      LOG.warn(stop);
      nodes.say(stop);
      return false;
    }
    observability.waiting(null, 0);
    append(
        Json.object()
            .put("event", EventKind.NODE_BACK.wire())
            .put("g_step", f.gSteps())
            .put("d_step", f.dSteps())
            .put("role", role)
            .put("count", pauses));
    return true;
  }

  private void append(Json event) throws IOException {
    MetricsLog.append(
        runDir.resolve("metrics.jsonl"), event.put("time_ms", System.currentTimeMillis()).end());
  }

  /**
   * Blocks this (the caller's, not an actor's) thread for a restart's backoff: one scheduled
   * completion at the deadline, not a sleep loop, ended early by a stop. True when the backoff ran
   * out, false when a stop ended it. The old system is terminated, so nothing else waits on it.
   */
  private boolean waitOut(Duration wait) throws InterruptedException {
    CompletableFuture<Void> due = new CompletableFuture<>();
    CompletableFuture.delayedExecutor(wait.toNanos(), TimeUnit.NANOSECONDS)
        .execute(() -> due.complete(null));
    restarting = true;
    try {
      CompletableFuture.anyOf(due, stopped).get();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } finally {
      restarting = false;
    }
    return !stopped.isDone();
  }
}
