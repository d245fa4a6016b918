package dev.agon.engine;

import dev.agon.config.Player;
import dev.agon.web.Control;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * The control API's access to a run: each call asks the Coordinator of the run's current actor
 * system (a restart after a failure replaces it; meanwhile, and before the first start, calls fail,
 * answered 503). Costs one ask per call; holds no state of its own.
 */
final class EngineControl implements Control {
  private final Supplier<ActorSystem<Coordinator.Command>> system;
  private final Consumer<String> stop;

  /**
   * @param system the run's current actor system (null while it is starting)
   * @param stop the run's own stop, which also stops systems started after it
   */
  EngineControl(Supplier<ActorSystem<Coordinator.Command>> system, Consumer<String> stop) {
    this.system = system;
    this.stop = stop;
  }

  private CompletionStage<Control.Reply> ask(
      Function<ActorRef<Messages.ControlReply>, Coordinator.Command> make) {
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
    if (system.get() == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("the run is starting"));
    }
    stop.accept(reason);
    return CompletableFuture.completedFuture(
        new Control.Reply(
            Control.Outcome.ACCEPTED,
            -1,
            "stopping: the in-flight iteration finishes, then a checkpoint is written"));
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
