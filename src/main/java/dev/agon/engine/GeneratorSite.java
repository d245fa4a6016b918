package dev.agon.engine;

import dev.agon.transport.Transport;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * Where the Generator runs: in this JVM ({@link #LOCAL}, {@code agon train}), or on a generator
 * node behind a stand-in ({@link #remote}, {@code agon node}). Crew asks it for the Generator's
 * ref; the other actors cannot tell the difference.
 */
public interface GeneratorSite {
  /**
   * The Generator's ref, spawned as {@code ctx}'s child named "generator" (watched by Crew).
   *
   * @param local the Generator this JVM would run
   * @param setup where it starts and whom it works with
   * @param discriminator the Discriminator it sends its fakes to
   */
  ActorRef<Generator.Command> spawn(
      ActorContext<Coordinator.Command> ctx,
      Behavior<Generator.Command> local,
      PlayerCore.Setup setup,
      ActorRef<Discriminator.Command> discriminator);

  /**
   * This site for a launch from {@code checkpoint} (null: the initial state) with learning rates
   * scaled by {@code lrScale}: what a Generator elsewhere must load itself (this JVM's Generator
   * gets its trainer from Crew).
   */
  default GeneratorSite from(Path checkpoint, double lrScale) {
    return this;
  }

  /** The Generator in this JVM, on its pinned thread. */
  GeneratorSite LOCAL =
      (ctx, local, setup, d) ->
          ctx.spawn(
              local,
              dev.agon.config.Player.GENERATOR.label(),
              DispatcherSelector.fromConfig(Coordinator.TENSOR_DISPATCHER));

  /**
   * The Generator on the generator node found through the Receptionist within {@code findTimeout},
   * with tensors over {@code transport} (this node's embedded media driver, IPC); {@code say} hears
   * where it runs, one line. A launch from a checkpoint sends its directory (absolute; one host):
   * the generator node loads G's state from it, as this JVM would.
   */
  static GeneratorSite remote(
      Transport transport, Duration findTimeout, java.util.function.Consumer<String> say) {
    return remote(transport, findTimeout, say, null, 1.0);
  }

  private static GeneratorSite remote(
      Transport transport,
      Duration findTimeout,
      java.util.function.Consumer<String> say,
      Path checkpoint,
      double lrScale) {
    return new GeneratorSite() {
      @Override
      public ActorRef<Generator.Command> spawn(
          ActorContext<Coordinator.Command> ctx,
          Behavior<Generator.Command> local,
          PlayerCore.Setup setup,
          ActorRef<Discriminator.Command> discriminator) {
        return ctx.<Object>spawn(
                RemoteGenerator.proxy(
                    transport, setup, discriminator, findTimeout, say, checkpoint, lrScale),
                dev.agon.config.Player.GENERATOR.label(),
                DispatcherSelector.fromConfig(Coordinator.TENSOR_DISPATCHER))
            .narrow();
      }

      @Override
      public GeneratorSite from(Path at, double scale) {
        return remote(transport, findTimeout, say, at, scale);
      }
    };
  }
}
