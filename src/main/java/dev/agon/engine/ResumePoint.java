package dev.agon.engine;

import dev.agon.checkpoint.CheckpointException;
import dev.agon.checkpoint.CheckpointStore;
import dev.agon.checkpoint.ConfigChanges;
import dev.agon.config.AgonConfig;
import dev.agon.config.ConfigLoader;
import dev.agon.config.Player;
import dev.agon.train.DiscriminatorTrainer;
import dev.agon.train.GeneratorTrainer;
import dev.agon.train.PlayerState;
import dev.agon.train.Schedule;
import java.util.List;

/**
 * Where one launch of a run starts: checkpoint {@code from} (null: the initial state) with both
 * learning rates scaled by {@code lrScale}, and what of the config takes effect there. The config's
 * changes against the checkpoint's (nothing against one it wrote itself) take effect now; the other
 * values come from the checkpoint, which carries live changes and earlier rollbacks' scaling.
 * Builds the trainers the actors own (each on the actor's thread) and the Coordinator's start
 * state. *
 *
 * <p>A resume takes every player's state, the counters (all the RNG state there is, randomness
 * being keyed by step), the data cursor and the schedule from the checkpoint. The config must agree
 * with the checkpoint's on every key that changes what is computed ({@link ConfigChanges}) unless
 * the caller allows changes; keys the checkpoint's state depends on ({@link ConfigChanges#FIXED})
 * must agree even then. An allowed change takes effect at the resume point: learning rates,
 * averaging weights and start replace the checkpoint's (which carry live changes), a new k or s
 * starts a recorded schedule segment there, and the rest (objective, optimizer hyperparameters,
 * EMA, feature matching) are built from the config anyway. With staleness 0 and no change a resumed
 * run is bit-identical to an uninterrupted one; with s &gt; 0 it starts a new schedule segment at
 * the checkpoint, as a live change of s does (reproducible from the checkpoint, not identical).
 */
final class ResumePoint {
  private final AgonConfig c;
  private final CheckpointStore.Checkpoint from;
  private final double lrScale;
  private final Coordinator.StartState startState;
  private final PlayerState gState;
  private final PlayerState dState;
  private final boolean keepGLr;
  private final boolean keepDLr;
  private final boolean newStart;
  private final boolean newGWeight;
  private final boolean newDWeight;

  /**
   * @param rendered the run's resolved config text, compared with the checkpoint's
   * @throws CheckpointException when the checkpoint's engine state is incomplete or does not fit
   *     the config's schedule
   */
  ResumePoint(AgonConfig c, String rendered, CheckpointStore.Checkpoint from, double lrScale)
      throws CheckpointException {
    this.c = c;
    this.from = from;
    this.lrScale = lrScale;
    List<String> changed =
        from == null || from.config() == null
            ? List.of()
            : ConfigChanges.between(from.config(), rendered, ConfigLoader.renderedDefaults());
    this.startState = from == null ? null : startState(c, from, changed);
    this.gState =
        from == null ? null : PlayerState.from(Player.GENERATOR, from.tensors(), from.engine());
    this.dState =
        from == null ? null : PlayerState.from(Player.DISCRIMINATOR, from.tensors(), from.engine());
    this.keepGLr = from == null || ConfigChanges.includes(changed, "optim.generator.lr");
    this.keepDLr = from == null || ConfigChanges.includes(changed, "optim.discriminator.lr");
    String averaging = "stabilizers.historical-averaging.";
    this.newStart = ConfigChanges.includes(changed, averaging + "start");
    this.newGWeight = ConfigChanges.includes(changed, averaging + "generator-weight");
    this.newDWeight = ConfigChanges.includes(changed, averaging + "discriminator-weight");
  }

  /**
   * A player node's start when its player's state crossed the transport ({@code cluster.transport =
   * udp}): {@code state} (null: the initial state) with the coordinator's reading of the checkpoint
   * ({@code start}, from {@link #remoteStart}); no start state, no check, nothing read from files.
   */
  ResumePoint(AgonConfig c, Player player, PlayerState state, RemoteGenerator.RemoteStart start) {
    this.c = c;
    this.from = null;
    this.lrScale = start.lrScale();
    this.startState = null;
    boolean g = player == Player.GENERATOR;
    this.gState = g ? state : null;
    this.dState = g ? null : state;
    this.keepGLr = !g || start.keepLr();
    this.keepDLr = g || start.keepLr();
    this.newStart = start.newStart();
    this.newGWeight = g && start.newWeight();
    this.newDWeight = !g && start.newWeight();
  }

  /** {@code player}'s state at this point (null: the initial state), to send to its node. */
  PlayerState state(Player player) {
    return player == Player.GENERATOR ? gState : dState;
  }

  /** What {@code player}'s node needs beside its state to start where this point does. */
  RemoteGenerator.RemoteStart remoteStart(Player player) {
    boolean g = player == Player.GENERATOR;
    return new RemoteGenerator.RemoteStart(
        state(player) != null,
        lrScale,
        g ? keepGLr : keepDLr,
        g ? newGWeight : newDWeight,
        newStart);
  }

  /** The Coordinator's start state: null for the initial state. */
  Coordinator.StartState startState() {
    return startState;
  }

  /**
   * Restores both players once on the caller's thread, so a checkpoint that does not fit the
   * networks of samples of {@code shape} is reported before any actor starts (the actors restore
   * again on their own threads). Costs one build of each trainer; nothing for the initial state.
   */
  void check(long[] shape) throws CheckpointException {
    if (from == null) {
      return;
    }
    try {
      GeneratorTrainer g = GeneratorTrainer.create(c, shape);
      gState.restore(g, keepGLr, lrScale);
      configAveraging(g.historicalAverage(), g::historicalAveraging, c, true, newGWeight, newStart);
      DiscriminatorTrainer d = DiscriminatorTrainer.create(c, shape);
      dState.restore(d, keepDLr, lrScale);
      configAveraging(
          d.historicalAverage(), d::historicalAveraging, c, false, newDWeight, newStart);
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new CheckpointException(from.dir() + ": " + e.getMessage());
    }
  }

  /** The generator's trainer at this point (called on its actor's thread). */
  GeneratorTrainer generator(long[] shape) {
    GeneratorTrainer t = GeneratorTrainer.create(c, shape);
    if (gState != null) {
      gState.restore(t, keepGLr, lrScale);
      configAveraging(t.historicalAverage(), t::historicalAveraging, c, true, newGWeight, newStart);
    } else if (lrScale != 1.0) {
      t.optimizer().learningRate(t.optimizer().learningRate() * lrScale);
    }
    return t;
  }

  /** The discriminator's trainer at this point (called on its actor's thread). */
  DiscriminatorTrainer discriminator(long[] shape) {
    DiscriminatorTrainer t = DiscriminatorTrainer.create(c, shape);
    if (dState != null) {
      dState.restore(t, keepDLr, lrScale);
      configAveraging(
          t.historicalAverage(), t::historicalAveraging, c, false, newDWeight, newStart);
    } else if (lrScale != 1.0) {
      t.optimizer().learningRate(t.optimizer().learningRate() * lrScale);
    }
    return t;
  }

  /**
   * Refuses a resume from {@code resumedFrom} whose config ({@code rendered}) differs from the
   * checkpoint's in a {@link ConfigChanges#FIXED} key, or in any other key that matters unless
   * {@code allowConfigChange}; logs allowed changes.
   */
  static void compatible(
      CheckpointStore.Checkpoint resumedFrom, String rendered, boolean allowConfigChange)
      throws CheckpointException {
    if (resumedFrom.config() == null || resumedFrom.engine().isEmpty()) {
      throw new CheckpointException(
          resumedFrom.dir()
              + " holds final parameters only (checkpoint format 1) and cannot be resumed;"
              + " choose another --run directory");
    }
    List<String> changes =
        ConfigChanges.between(resumedFrom.config(), rendered, ConfigLoader.renderedDefaults());
    List<String> fixed = ConfigChanges.fixed(changes);
    if (!fixed.isEmpty()) {
      List<String> others =
          changes.stream()
              .filter(x -> fixed.stream().noneMatch(f -> f.startsWith(x + " (")))
              .toList();
      throw new CheckpointException(
          "resume refused: "
              + String.join("; ", fixed)
              + (fixed.size() == 1 ? ": this key" : ": these keys")
              + " cannot change on resume, even with --allow-config-change; restore the"
              + " checkpoint's value, or train a new run in another --run directory"
              + (allowConfigChange || others.isEmpty()
                  ? ""
                  : " (also changed, which needs --allow-config-change: "
                      + String.join("; ", others)
                      + ")"));
    }
    if (!changes.isEmpty()) {
      String list = String.join("; ", changes);
      if (!allowConfigChange) {
        throw new CheckpointException(
            "resume refused: the config differs from that of checkpoint "
                + resumedFrom.dir()
                + " in "
                + changes.size()
                + " key(s): "
                + list
                + ". Restore them, or pass --allow-config-change to resume with the new values");
      }
      org.slf4j.LoggerFactory.getLogger(TrainRun.class)
          .warn("resuming with a changed config (allowed): {}", list);
    }
  }

  /**
   * Where the engine resumes: counters and the schedule from the checkpoint; a k or s that {@code
   * changed} (the config's against the checkpoint's) starts a new schedule segment there, as a live
   * change does.
   */
  private static Coordinator.StartState startState(
      AgonConfig c, CheckpointStore.Checkpoint ckpt, List<String> changed)
      throws CheckpointException {
    try {
      EngineState e = EngineState.fromManifest(ckpt.engine());
      long g = e.gDone();
      long d = e.dDone();
      int k = e.k();
      int s = e.staleness();
      int segment = e.segment();
      if (g > c.schedule().iterations()) {
        throw new CheckpointException(
            ckpt.dir()
                + ": the checkpoint is at G update "
                + g
                + ", past schedule.iterations = "
                + c.schedule().iterations());
      }
      Schedule schedule = e.schedule(c.schedule().iterations());
      if (d != schedule.dStepsThrough(g)) {
        throw new CheckpointException(
            ckpt.dir() + ": D update " + d + " is not the end of G iteration " + g);
      }
      boolean newK = ConfigChanges.includes(changed, "schedule.k");
      boolean newS = ConfigChanges.includes(changed, "schedule.staleness");
      if (s > 0 || newK || newS) {
        // The fakes in flight at the checkpoint came from older G versions that were not saved:
        // the lag starts again from here, as at a live change of s. A changed k or s takes the
        // config's value; the other keeps the checkpoint's, which carries live changes.
        schedule =
            schedule.changedAt(
                g, d, newK ? c.schedule().k() : k, newS ? c.schedule().staleness() : s);
        segment++;
      }
      return new Coordinator.StartState(
          g, d, schedule, segment, ckpt.dir().getFileName().toString(), newK || newS);
    } catch (NullPointerException | IllegalArgumentException ex) {
      throw new CheckpointException(ckpt.dir() + ": incomplete engine state in the manifest");
    }
  }

  /** Sets a player's averaging weight and/or start to the config's where the resume changes it. */
  private static void configAveraging(
      dev.agon.objective.HistoricalAverage restored,
      AveragingSetter set,
      AgonConfig c,
      boolean generator,
      boolean newWeight,
      boolean newStart) {
    if (!newWeight && !newStart) {
      return;
    }
    var h = c.stabilizers().historicalAveraging();
    double configWeight = generator ? h.generatorWeight() : h.discriminatorWeight();
    double weight = newWeight || restored == null ? configWeight : restored.weight();
    long start = newStart || restored == null ? h.start() : restored.start();
    set.set(weight, start);
  }

  /** A trainer's {@code historicalAveraging(weight, start)}. */
  private interface AveragingSetter {
    void set(double weight, long start);
  }
}
