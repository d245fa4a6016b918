package dev.agon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.checkpoint.CheckpointStore;
import dev.agon.config.AgonConfig;
import dev.agon.config.BestMetric;
import dev.agon.testing.Await;
import dev.agon.train.DiscriminatorTrainer;
import dev.agon.train.Factory;
import dev.agon.train.GeneratorTrainer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The engine-side control messages a control API will call: Pause stops admissions at the end of an
 * iteration (no update runs while paused), CheckpointNow writes a checkpoint of exactly that point
 * and answers once it is on disk, Resume goes on, Stop ends the run. None of them changes what is
 * computed: the run stays bit-identical to the plain loop.
 */
class PauseAndCheckpointNowTest extends ActorKitTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path run;

  /** With staleness, G runs ahead of the last admitted D iteration: the pause must cover it. */
  @ParameterizedTest(name = "k={0} s={1}")
  @CsvSource({"2,0", "1,1", "1,2"})
  void pauseCheckpointNowResumeStopKeepTheRunExact(int k, int s) throws Exception {
    AgonConfig c =
        TestConfigs.smallRing(
            "schedule.k=" + k, "schedule.staleness=" + s, "schedule.iterations=100000", "seed=5");
    EngineSettings settings = TrainRun.settings(c);
    long[] dims = Factory.data(c).sampleShape();
    List<Messages.Report> reports = new CopyOnWriteArrayList<>();
    Behavior<Recorder.Command> recorder = EngineHarness.collectingRecorder(reports);
    String config = "seed = 5\n";
    Coordinator.Checkpointing checkpointing =
        new Coordinator.Checkpointing(
            Checkpointer.create(
                new Checkpointer.Options(
                    run,
                    config,
                    CheckpointStore.sha256(config.getBytes(StandardCharsets.UTF_8)),
                    5,
                    BestMetric.NONE,
                    Duration.ofSeconds(2),
                    false)),
            0,
            0,
            BestMetric.NONE,
            Map.of());
    ActorRef<Coordinator.Command> coordinator =
        kit.spawn(
            Coordinator.create(
                settings,
                new Coordinator.Parts(
                    () -> Factory.data(c),
                    () -> GeneratorTrainer.create(c, dims),
                    () -> DiscriminatorTrainer.create(c, dims),
                    recorder,
                    StepHook.NONE,
                    null,
                    checkpointing,
                    null)));
    CompletableFuture<Coordinator.Finished> finished =
        AskPattern.<Coordinator.Command, Coordinator.Finished>ask(
                coordinator, Coordinator.Start::new, Duration.ofMinutes(5), kit.scheduler())
            .toCompletableFuture();
    Await.until(WAIT, () -> gSteps(reports) >= 20, "20 G updates");
    Messages.ControlReply paused = ask(coordinator, Coordinator.Pause::new);
    assertThat(paused.outcome()).isEqualTo(Messages.Outcome.ACCEPTED);
    long at = paused.iteration();
    // The updates admitted before the pause finish, and no other runs while paused.
    Await.until(WAIT, () -> gSteps(reports) >= at, "the G updates admitted before the pause");
    Await.holds(Duration.ofMillis(300), () -> gSteps(reports) == at, "no update while paused");

    Messages.ControlReply saved = ask(coordinator, Coordinator.CheckpointNow::new);
    assertThat(saved.outcome()).as(saved.message()).isEqualTo(Messages.Outcome.ACCEPTED);
    assertThat(saved.iteration()).isEqualTo(at);
    var ckpt = CheckpointStore.read(CheckpointStore.dirOf(run, at));
    assertThat(ckpt.engine()).containsEntry("engine.g_done", Long.toString(at));
    assertThat(ckpt.engine())
        .containsEntry("engine.d_done", Long.toString(settings.schedule().dStepsThrough(at)));
    assertThat(ask(coordinator, Coordinator.Pause::new).outcome())
        .isEqualTo(Messages.Outcome.ACCEPTED); // idempotent

    assertThat(ask(coordinator, Coordinator.Resume::new).outcome())
        .isEqualTo(Messages.Outcome.ACCEPTED);
    assertThat(ask(coordinator, Coordinator.Resume::new).outcome())
        .isEqualTo(Messages.Outcome.REFUSED); // not paused
    Await.until(WAIT, () -> gSteps(reports) >= at + 15, "15 G updates after the resume");
    coordinator.tell(new Coordinator.Stop("test"));
    Coordinator.Finished f = finished.get(60, TimeUnit.SECONDS);
    assertThat(f.stopReason()).isEqualTo("test");
    assertThat(f.checkpoint()).isEqualTo(CheckpointStore.dirOf(run, f.gSteps()));
    assertThat(reports)
        .anyMatch(r -> r instanceof Messages.EngineEvent e && e.event() == EventKind.PAUSE)
        .anyMatch(r -> r instanceof Messages.EngineEvent e && e.event() == EventKind.RESUME);
    EngineVsPlainLoopTest.assertMatchesPlainLoop(
        c,
        new EngineSettings(
            settings.k(),
            settings.staleness(),
            f.gSteps(),
            settings.batchSize(),
            settings.prefetch()),
        f);
  }

  /** Stop while paused ends the run right there, at the paused iteration (nothing in flight). */
  @Test
  void stopWhilePausedFinishesAtThePausedIteration() throws Exception {
    AgonConfig c = TestConfigs.smallRing("schedule.iterations=100000", "seed=6");
    EngineSettings settings = TrainRun.settings(c);
    long[] dims = Factory.data(c).sampleShape();
    List<Messages.Report> reports = new CopyOnWriteArrayList<>();
    Behavior<Recorder.Command> recorder = EngineHarness.collectingRecorder(reports);
    ActorRef<Coordinator.Command> coordinator =
        kit.spawn(
            Coordinator.create(
                settings,
                new Coordinator.Parts(
                    () -> Factory.data(c),
                    () -> GeneratorTrainer.create(c, dims),
                    () -> DiscriminatorTrainer.create(c, dims),
                    recorder)));
    CompletableFuture<Coordinator.Finished> finished =
        AskPattern.<Coordinator.Command, Coordinator.Finished>ask(
                coordinator, Coordinator.Start::new, Duration.ofMinutes(5), kit.scheduler())
            .toCompletableFuture();
    Await.until(WAIT, () -> gSteps(reports) >= 10, "10 G updates");
    Messages.ControlReply paused = ask(coordinator, Coordinator.Pause::new);
    long at = paused.iteration();
    // Quiet: the G and D updates admitted before the pause have all reported (k = 1).
    Await.until(
        WAIT,
        () -> gSteps(reports) >= at && dSteps(reports) >= at,
        "the updates admitted before the pause");
    coordinator.tell(new Coordinator.Stop("test"));
    Coordinator.Finished f = finished.get(30, TimeUnit.SECONDS);
    assertThat(f.gSteps()).isEqualTo(at);
    assertThat(f.dSteps()).isEqualTo(at);
  }

  private static long gSteps(List<Messages.Report> reports) {
    return reports.stream().filter(r -> r instanceof Messages.GStepReport).count();
  }

  private static long dSteps(List<Messages.Report> reports) {
    return reports.stream().filter(r -> r instanceof Messages.DStepReport).count();
  }

  private static Messages.ControlReply ask(
      ActorRef<Coordinator.Command> c,
      java.util.function.Function<ActorRef<Messages.ControlReply>, Coordinator.Command> m) {
    return AskPattern.<Coordinator.Command, Messages.ControlReply>ask(
            c, m::apply, Duration.ofSeconds(30), kit.scheduler())
        .toCompletableFuture()
        .join();
  }
}
