package dev.agon.engine;

import dev.agon.config.Player;
import dev.agon.nn.Optimizer;
import dev.agon.train.PlayerState;
import dev.agon.train.Schedule;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What G and D have in common as actors: where the player stands (schedule, segment, version, the
 * admitted bound, halted after a divergence), its pending policy changes, the handling of the
 * shared {@link PlayerControl} commands and the bracket around each update (policy and step hook
 * before, divergence check and version after). Each player actor owns one and keeps only what is
 * its own: the tensors it waits for and what it sends. Used on the actor's thread; not thread-safe.
 */
final class PlayerCore {
  /**
   * Where a player starts and whom it works with: the same for G and D, built once by {@link Crew}.
   *
   * @param settings batch sizes and prefetch
   * @param schedule the schedule of the segment the run starts (or resumes) in
   * @param segment that segment's number; fakes carry it so that D drops those of an older one
   * @param coordinator where step reports, applied policy changes and divergences go
   * @param data the DataLoader, where D pulls its real batches from (G uses none)
   * @param hook called just before each update (tests inject delays and faults)
   */
  record Setup(
      EngineSettings settings,
      Schedule schedule,
      int segment,
      ActorRef<Coordinator.Command> coordinator,
      ActorRef<DataLoader.Command> data,
      StepHook hook) {}

  private final Player player;
  private final ActorRef<Coordinator.Command> coordinator;
  private final StepHook hook;
  private final PendingPolicy policy;
  private final Supplier<PlayerState> state;
  private Schedule schedule;
  private int segment;
  private long version;
  private long admitted;

  /** Set after a divergence: no further update runs (the Coordinator ends the run). */
  private boolean halted;

  /**
   * A core at {@code version} (a resumed run's; nothing beyond it admitted yet); {@code state}
   * answers {@link PlayerControl.GetState}.
   */
  PlayerCore(Player player, Setup setup, long version, Supplier<PlayerState> state) {
    this.player = player;
    this.coordinator = setup.coordinator();
    this.hook = setup.hook();
    this.policy = new PendingPolicy(player, coordinator);
    this.state = state;
    this.schedule = setup.schedule();
    this.segment = setup.segment();
    this.version = version;
    this.admitted = version;
  }

  /**
   * Handles a shared command; true when it may let an update run (an admission or a new schedule),
   * so that the actor tries to step. A player's own part of a schedule change (what it resends or
   * drops for the new segment) is the actor's, after this.
   */
  boolean apply(PlayerControl c) {
    if (c instanceof PlayerControl.Admit a) {
      admitted = Math.max(admitted, a.upToStep());
      return true;
    } else if (c instanceof PlayerControl.Reschedule r) {
      schedule = r.schedule();
      segment = r.segment();
      return true;
    } else if (c instanceof PlayerControl.SetLearningRate s) {
      policy.learningRate(s.lr());
    } else if (c instanceof PlayerControl.SetAveraging s) {
      policy.averaging(s.weight(), s.start());
    } else if (c instanceof PlayerControl.GetState g) {
      g.replyTo().tell(state.get());
    }
    return false;
  }

  /** Whether update {@code version() + 1} is admitted and the player has not halted. */
  boolean admitsNext() {
    return !halted && version < admitted;
  }

  /** Applies the policy changes pending before update {@code step}, then the step hook. */
  void beforeStep(long step, Optimizer optimizer, PendingPolicy.AveragingSetter averaging) {
    policy.applyBefore(step, optimizer, averaging);
    hook.beforeStep(player, step);
  }

  /**
   * Ends update {@code step}: true, with the version advanced to it, when its loss and the
   * parameters are finite; otherwise the player halts, the Coordinator is told and the answer is
   * false. Costs one reduction over the parameters.
   */
  boolean completed(long step, double loss, INDArray params) {
    String bad = Divergence.check(loss, params);
    if (bad != null) {
      halted = true;
      coordinator.tell(new Coordinator.Diverged(player, step, bad));
      return false;
    }
    version = step;
    return true;
  }

  /** Tells the Coordinator {@code c} (a step report). */
  void report(Coordinator.Command c) {
    coordinator.tell(c);
  }

  Schedule schedule() {
    return schedule;
  }

  int segment() {
    return segment;
  }

  long version() {
    return version;
  }
}
