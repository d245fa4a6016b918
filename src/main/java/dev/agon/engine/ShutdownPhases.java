package dev.agon.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * When each phase of an actor system's coordinated shutdown started, so that a system that does not
 * terminate can be reported with the phases that timed out, and whether Pekko gave up on its last
 * phase (after which waiting longer is useless). One no-op task per phase, registered at launch:
 * nothing runs before the shutdown, a clock read per phase and one timer during it.
 */
final class ShutdownPhases {
  /** Pekko's phases, in the order they run (actor and cluster reference.conf). */
  static final List<String> ORDER =
      List.of(
          CoordinatedShutdown.PhaseBeforeServiceUnbind(),
          CoordinatedShutdown.PhaseServiceUnbind(),
          CoordinatedShutdown.PhaseServiceRequestsDone(),
          CoordinatedShutdown.PhaseServiceStop(),
          CoordinatedShutdown.PhaseBeforeClusterShutdown(),
          CoordinatedShutdown.PhaseClusterShardingShutdownRegion(),
          CoordinatedShutdown.PhaseClusterLeave(),
          CoordinatedShutdown.PhaseClusterExiting(),
          CoordinatedShutdown.PhaseClusterExitingDone(),
          CoordinatedShutdown.PhaseClusterShutdown(),
          CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
          CoordinatedShutdown.PhaseActorSystemTerminate());

  /** The phase that terminates the system. */
  private static final String LAST = CoordinatedShutdown.PhaseActorSystemTerminate();

  private final CoordinatedShutdown shutdown;
  private final LongSupplier clock;
  private final Map<String, Long> started = new ConcurrentHashMap<>();
  private final CompletableFuture<Void> lastPhaseOverdue = new CompletableFuture<>();

  private ShutdownPhases(CoordinatedShutdown shutdown, LongSupplier clock) {
    this.shutdown = shutdown;
    this.clock = clock;
  }

  /** Starts recording {@code system}'s phases; call before its shutdown can begin. */
  static ShutdownPhases watch(ActorSystem<?> system) {
    ShutdownPhases p = new ShutdownPhases(CoordinatedShutdown.get(system), System::nanoTime);
    for (String phase : ORDER) {
      p.shutdown.addTask(
          phase,
          "agon-phase-clock",
          () -> {
            p.started.putIfAbsent(phase, p.clock.getAsLong());
            if (phase.equals(LAST)) {
              long wait = p.shutdown.timeout(LAST).toNanos() + SLACK_NANOS;
              CompletableFuture.delayedExecutor(wait, TimeUnit.NANOSECONDS)
                  .execute(() -> p.lastPhaseOverdue.complete(null));
            }
            return CompletableFuture.completedFuture(Done.getInstance());
          });
    }
    return p;
  }

  /**
   * Slack of the measurement: this task may run a moment after the phase's timer started, and
   * Pekko's scheduler fires a timeout within a tick (10 ms) of it.
   */
  private static final long SLACK_NANOS = 50_000_000L;

  /**
   * The phases that lasted at least their timeout, in order: a phase ends when the next one starts,
   * and the last one started is measured up to now. Empty when the shutdown has not started.
   */
  List<String> timedOut() {
    long now = clock.getAsLong();
    List<String> begun = ORDER.stream().filter(started::containsKey).toList();
    List<String> out = new ArrayList<>();
    for (int i = 0; i < begun.size(); i++) {
      long end = i + 1 < begun.size() ? started.get(begun.get(i + 1)) : now;
      long limit = shutdown.timeout(begun.get(i)).toNanos();
      if (end - started.get(begun.get(i)) >= limit - SLACK_NANOS) {
        out.add(begun.get(i));
      }
    }
    return out;
  }

  /**
   * Completes once the last phase (actor-system-terminate) has run for its timeout: Pekko has given
   * up waiting for the system to terminate, and it may never (over TLS the remoting's shutdown was
   * seen to stall: Pekko 1.7 awaits Artery's streams without a deadline, apache/pekko#3317 bounds
   * it in 2.0).
   */
  CompletableFuture<Void> lastPhaseOverdue() {
    return lastPhaseOverdue;
  }

  /** Whether the shutdown has started (its first phase ran). */
  boolean begun() {
    return !started.isEmpty();
  }
}
