package dev.agon.engine;

import dev.agon.config.AgonConfig;
import dev.agon.train.DiscriminatorTrainer;
import dev.agon.train.Factory;
import dev.agon.train.GeneratorTrainer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/** Runs the actor engine in a test kit and keeps every report in the order the Coordinator saw. */
final class EngineHarness {
  final List<Messages.Report> reports = new CopyOnWriteArrayList<>();

  /** The running Coordinator, for hooks that talk to it. */
  final AtomicReference<ActorRef<Coordinator.Command>> coordinator = new AtomicReference<>();

  Coordinator.Finished run(ActorTestKit kit, AgonConfig c, EngineSettings settings) {
    return run(kit, c, settings, StepHook.NONE);
  }

  Coordinator.Finished run(ActorTestKit kit, AgonConfig c, EngineSettings settings, StepHook hook) {
    return run(kit, c, settings, hook, null);
  }

  /** A Recorder stand-in that keeps every report in {@code reports} and answers flushes. */
  static Behavior<Recorder.Command> collectingRecorder(List<Messages.Report> reports) {
    return Behaviors.receiveMessage(
        m -> {
          if (m instanceof Recorder.Record r) {
            reports.add(r.report());
          } else if (m instanceof Recorder.Flush f) {
            f.replyTo().tell(new Recorder.Flushed());
          } else if (m instanceof Recorder.Sync s) {
            s.replyTo().tell(new Recorder.Synced(-1));
          }
          return Behaviors.same();
        });
  }

  Coordinator.Finished run(
      ActorTestKit kit,
      AgonConfig c,
      EngineSettings settings,
      StepHook hook,
      Coordinator.Evaluation evaluation) {
    long[] dims = Factory.data(c).sampleShape();
    Behavior<Recorder.Command> recorder = collectingRecorder(reports);
    ActorRef<Coordinator.Command> coordinator =
        kit.spawn(
            Coordinator.create(
                settings,
                new Coordinator.Parts(
                    () -> Factory.data(c),
                    () -> GeneratorTrainer.create(c, dims),
                    () -> DiscriminatorTrainer.create(c, dims),
                    recorder,
                    hook,
                    evaluation)));
    this.coordinator.set(coordinator);
    return AskPattern.<Coordinator.Command, Coordinator.Finished>ask(
            coordinator, Coordinator.Start::new, Duration.ofMinutes(5), kit.scheduler())
        .toCompletableFuture()
        .join();
  }
}
