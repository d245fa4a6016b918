package dev.agon.engine;

import dev.agon.config.Player;
import dev.agon.web.Control;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * The control API's access to a run: each call asks the Coordinator of the run's current actor
 * system (a restart after a failure replaces it; during its backoff, and before the first start,
 * calls but stop fail at once, answered 503; stop ends the backoff and the run). While the run
 * waits for a lost node's role (no actor system runs) every call but stop is refused (409) naming
 * the role; stop ends the wait. Costs one ask per call; holds no state of its own.
 */
final class EngineControl implements Control {
  private final Supplier<ActorSystem<Coordinator.Command>> system;
  private final Consumer<String> stop;
  private final Supplier<String> waitingFor;
  private final BooleanSupplier restarting;

  /**
   * @param system the run's current actor system (null while it is starting)
   * @param stop the run's own stop, which also stops systems started after it
   * @param waitingFor the role a node-lost pause waits for, null when none
   * @param restarting whether the run waits out a restart's backoff (its system is down)
   */
  EngineControl(
      Supplier<ActorSystem<Coordinator.Command>> system,
      Consumer<String> stop,
      Supplier<String> waitingFor,
      BooleanSupplier restarting) {
    this.system = system;
    this.stop = stop;
    this.waitingFor = waitingFor;
    this.restarting = restarting;
  }

  private static final String RESTARTING =
      "the run is restarting (it waits out a restart's backoff after a failed actor)";

  private CompletionStage<Control.Reply> ask(
      Function<ActorRef<Messages.ControlReply>, Coordinator.Command> make) {
    String role = waitingFor.get();
    if (role != null) {
      // The user's pause, checkpoints and schedule changes need a running Coordinator; the
      // relaunch after the role is back starts unpaused from the newest checkpoint.
      return CompletableFuture.completedFuture(
          new Control.Reply(
              Control.Outcome.REFUSED,
              -1,
              "the run waits for role "
                  + role
                  + " (its node was lost): only stop is taken until a node with that role joins"));
    }
    if (restarting.getAsBoolean()) {
      // The system is the failed one, terminated: Pekko would answer "Recipient terminated".
      return CompletableFuture.failedFuture(new IllegalStateException(RESTARTING));
    }
    ActorSystem<Coordinator.Command> sys = system.get();
    if (sys == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("the run is starting"));
    }
    return AskPattern.<Coordinator.Command, Messages.ControlReply>ask(
            sys, make::apply, Observability.CONTROL_TIMEOUT, sys.scheduler())
        .thenApply(
            r ->
                new Control.Reply(
                    Control.Outcome.valueOf(r.outcome().name()), r.iteration(), r.message()));
  }

  @Override
  public CompletionStage<Control.Reply> pause() {
    return ask(Coordinator.Pause::new);
  }

  @Override
  public CompletionStage<Control.Reply> resume() {
    return ask(Coordinator.Resume::new);
  }

  @Override
  public CompletionStage<Control.Reply> checkpoint() {
    return ask(Coordinator.CheckpointNow::new);
  }

  @Override
  public CompletionStage<Control.Reply> stop(String reason) {
    String role = waitingFor.get();
    boolean backoff = restarting.getAsBoolean();
    if (role == null && !backoff && system.get() == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("the run is starting"));
    }
    stop.accept(reason);
    return CompletableFuture.completedFuture(
        new Control.Reply(
            Control.Outcome.ACCEPTED,
            -1,
            role != null
                ? "stopping: the run waits for role "
                    + role
                    + "; it ends now, its newest checkpoint kept"
                : backoff
                    ? "stopping: the run waits out a restart's backoff; it ends now, its newest"
                        + " checkpoint kept"
                    : "stopping: the in-flight iteration finishes, then a checkpoint is written"));
  }

  @Override
  public CompletionStage<Control.Reply> schedule(
      OptionalInt k,
      OptionalInt staleness,
      OptionalDouble generatorLr,
      OptionalDouble discriminatorLr) {
    return ask(r -> new Coordinator.ChangeSchedule(k, staleness, generatorLr, discriminatorLr, r));
  }

  @Override
  public CompletionStage<Control.Reply> averaging(Player network, double weight, long start) {
    return ask(r -> new Coordinator.ChangeAveraging(network, weight, start, r));
  }
}
