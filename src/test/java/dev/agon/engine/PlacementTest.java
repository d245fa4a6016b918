package dev.agon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.config.AgonConfig;
import dev.agon.tensor.Tensors;
import dev.agon.train.DiscriminatorTrainer;
import dev.agon.train.Factory;
import dev.agon.train.GeneratorTrainer;
import dev.agon.train.Scorer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.Test;

/**
 * {@code devices.*} on the CPU: each tensor-owning actor's thread binds its configured device
 * (through a recording binder here; ND4J's affinity manager in a run) before it builds its state,
 * the DataLoader on the Discriminator's device, and placement changes no number.
 */
class PlacementTest extends ActorKitTest {
  @Test
  void eachActorsThreadBindsItsDeviceBeforeBuildingItsState() {
    AgonConfig c = TestConfigs.smallRing("schedule.iterations=20", "schedule.batch-size=16");
    EngineSettings s = TrainRun.settings(c);
    long[] dims = Factory.data(c).sampleShape();
    Map<Thread, Integer> bound = new ConcurrentHashMap<>();
    // Which device each thread had bound when the actor on it built its state.
    Map<String, Integer> deviceAtBuild = new ConcurrentHashMap<>();
    Placement placement = new Placement(1, 2, 3, d -> bound.put(Thread.currentThread(), d));
    List<Messages.Report> reports = new CopyOnWriteArrayList<>();
    Coordinator.Parts parts =
        new Coordinator.Parts(
            () -> {
              deviceAtBuild.put("data-loader", bound.getOrDefault(Thread.currentThread(), -1));
              return Factory.data(c);
            },
            () -> {
              deviceAtBuild.put("generator", bound.getOrDefault(Thread.currentThread(), -1));
              return GeneratorTrainer.create(c, dims);
            },
            () -> {
              deviceAtBuild.put("discriminator", bound.getOrDefault(Thread.currentThread(), -1));
              return DiscriminatorTrainer.create(c, dims);
            },
            EngineHarness.collectingRecorder(reports),
            StepHook.NONE,
            new Coordinator.Evaluation(
                () -> {
                  deviceAtBuild.put("evaluator", bound.getOrDefault(Thread.currentThread(), -1));
                  return (step, ema, params, discriminator) ->
                      new Scorer.Score(0, null, null, null, null);
                },
                10,
                0),
            null,
            null,
            placement);
    Coordinator.Finished placed = run(s, parts);

    assertThat(deviceAtBuild)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("generator", 1, "discriminator", 2, "data-loader", 2, "evaluator", 3));
    // Four actors, four pinned threads.
    assertThat(bound).hasSize(4);
    Coordinator.Finished plain = new EngineHarness().run(kit, c, s);
    assertThat(placed.gSteps()).isEqualTo(20);
    assertThat(Tensors.toDoubles(placed.generatorParams()))
        .isEqualTo(Tensors.toDoubles(plain.generatorParams()));
    assertThat(Tensors.toDoubles(placed.discriminatorParams()))
        .isEqualTo(Tensors.toDoubles(plain.discriminatorParams()));
  }

  private static Coordinator.Finished run(EngineSettings s, Coordinator.Parts parts) {
    return AskPattern.<Coordinator.Command, Coordinator.Finished>ask(
            kit.spawn(Coordinator.create(s, parts)),
            Coordinator.Start::new,
            Duration.ofMinutes(2),
            kit.scheduler())
        .toCompletableFuture()
        .join();
  }
}
