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
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.Test;

/**
 * {@code devices.*} on the CPU: each tensor-owning actor's thread binds its configured device
 * (through a recording binder here; ND4J's affinity manager in a run) before it builds its state,
 * the DataLoader on the Discriminator's device, every tensor from another actor is copied
 * explicitly to the receiver's device (through a recording copy here), and placement changes no
 * number.
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
    // Each explicit copy on arrival: the device it was for, and the device its thread had bound.
    List<int[]> copies = new CopyOnWriteArrayList<>();
    Placement placement =
        new Placement(
            1,
            2,
            3,
            d -> bound.put(Thread.currentThread(), d),
            (device, a) -> {
              copies.add(new int[] {device, bound.getOrDefault(Thread.currentThread(), -1)});
              return a;
            });
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
                      new Scorer.Score(0, null, null, null, null, null);
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
    // Every tensor that crossed actors went through the receiver's explicit copy, on the
    // receiver's thread: D's snapshots at G (one per D update), fakes and real batches at D, G's
    // weights at the Evaluator (every 10 updates).
    assertThat(copies).allSatisfy(copy -> assertThat(copy[1]).isEqualTo(copy[0]));
    Map<Integer, Long> perDevice =
        copies.stream().collect(Collectors.groupingBy(copy -> copy[0], Collectors.counting()));
    assertThat(perDevice.keySet()).containsExactlyInAnyOrder(1, 2, 3);
    assertThat(perDevice.get(1)).isGreaterThanOrEqualTo(20);
    assertThat(perDevice.get(2)).isGreaterThanOrEqualTo(40);
    assertThat(perDevice.get(3)).isGreaterThanOrEqualTo(2);
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
