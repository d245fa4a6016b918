package dev.agon.engine;

import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * The Coordinator's children, spawned on their dispatchers (tensor owners pinned to a thread each,
 * bound to their device by {@link Placement}; disk writers on the blocking-I/O one) and watched: a
 * failed child ends the run (the guardian fails; TrainRun reports it). The checkpointer and
 * evaluator are absent when the run has none.
 */
record Crew(
    ActorRef<Recorder.Command> recorder,
    ActorRef<Discriminator.Command> discriminator,
    ActorRef<Generator.Command> generator,
    Optional<ActorRef<Checkpointer.Command>> checkpointer,
    Optional<ActorRef<Evaluator.Command>> evaluator) {

  /** Spawns the players at {@code at}'s position and schedule; the Evaluator reports to self. */
  static Crew spawn(
      ActorContext<Coordinator.Command> ctx,
      EngineSettings settings,
      Coordinator.Parts parts,
      Admission at) {
    Placement place = parts.placement();
    ActorRef<Recorder.Command> recorder =
        ctx.spawn(parts.recorder(), "recorder", DispatcherSelector.blocking());
    // D update n trains on real batch n - 1: the data cursor is D's version.
    ActorRef<DataLoader.Command> data =
        parts
            .sites()
            .dataLoader(
                ctx,
                place.on(
                    place.discriminator(),
                    DataLoader.create(
                        parts.data(), settings.batchSize(), settings.prefetch(), at.dDone())),
                at.dDone());
    PlayerCore.Setup players =
        new PlayerCore.Setup(
            settings, at.schedule(), at.segment(), ctx.getSelf(), data, parts.hook());
    ActorRef<Discriminator.Command> discriminator =
        parts
            .sites()
            .discriminator(
                ctx,
                place.on(
                    place.discriminator(), Discriminator.create(parts.discriminator(), players)),
                players);
    ActorRef<Generator.Command> generator =
        parts
            .sites()
            .generator(
                ctx,
                place.on(
                    place.generator(), Generator.create(parts.generator(), players, discriminator)),
                players,
                discriminator);
    Optional<ActorRef<Checkpointer.Command>> checkpointer =
        Optional.ofNullable(parts.checkpointing())
            .map(c -> ctx.spawn(c.writer(), "checkpointer", DispatcherSelector.blocking()));
    Optional<ActorRef<Evaluator.Command>> evaluator =
        Optional.ofNullable(parts.evaluation())
            .map(
                e -> {
                  ActorRef<Evaluator.Ready> client =
                      ctx.messageAdapter(Evaluator.Ready.class, Coordinator.EvalReady::new);
                  ActorRef<Messages.EvalReport> reports =
                      ctx.messageAdapter(Messages.EvalReport.class, Coordinator.EvalDone::new);
                  return parts
                      .sites()
                      .evaluator(
                          ctx,
                          place.on(
                              place.evaluator(), Evaluator.create(e.scorer(), client, reports)),
                          client,
                          reports);
                });
    ctx.watch(data);
    ctx.watch(discriminator);
    ctx.watch(generator);
    ctx.watch(recorder);
    checkpointer.ifPresent(ctx::watch);
    evaluator.ifPresent(ctx::watch);
    return new Crew(recorder, discriminator, generator, checkpointer, evaluator);
  }
}
