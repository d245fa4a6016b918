package dev.agon.engine;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The guardian of a run's actor system: runs the Coordinator as its only child, relays what is sent
 * to the system to it, and once it stopped (the run finished, failed or was stopped; its actors are
 * stopped by then) terminates the system through coordinated shutdown while staying alive itself.
 *
 * <p>Why the Coordinator is not the guardian itself: a guardian that stops makes Pekko's system
 * guardian run its termination hooks at once, which stop the remoting, while the coordinated
 * shutdown that the same stop starts is only beginning the cluster leave. A run's system that is a
 * cluster member ({@code agon node --run}) then never hears that it is Exiting nor confirms it:
 * cluster-exiting times out, the cluster daemon cannot be stopped any more (the terminating system
 * guardian ignores StopChild) so cluster-shutdown times out, and with Artery over TLS termination
 * was seen never to complete; the other members find it unreachable. Kept alive, this guardian is
 * stopped by coordinated shutdown's last phase, after the leave, in Pekko's intended order. Cost:
 * one more hop for the handful of commands sent to the system per run.
 */
final class RunGuardian {
  private RunGuardian() {}

  /** The guardian of a system running {@code coordinator}. */
  static Behavior<Coordinator.Command> around(Behavior<Coordinator.Command> coordinator) {
    return Behaviors.setup(
        ctx -> {
          ActorRef<Coordinator.Command> c = ctx.spawn(coordinator, "coordinator");
          ctx.watch(c);
          return Behaviors.receive(Coordinator.Command.class)
              .onMessage(
                  Coordinator.Command.class,
                  m -> {
                    c.tell(m);
                    return Behaviors.same();
                  })
              .onSignal(
                  Terminated.class,
                  t -> {
                    // Runs every coordinated shutdown phase; the last one stops this guardian.
                    ctx.getSystem().terminate();
                    return Behaviors.ignore();
                  })
              .build();
        });
  }
}
