package dev.agon.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rules that span several parts of the configuration, reported at the key to change. */
class CrossChecksTest {
  @TempDir Path dir;

  @Test
  void wganGpCriticWithBatchNormIsRefusedAtItsLine() throws Exception {
    Path f =
        Problems.write(
            dir,
            "exp.conf",
            "objective.kind = wgan-gp",
            "model.dcgan.discriminator-batch-norm = true");
    assertThat(Problems.of(f))
        .containsExactly(
            f
                + ":2: model.dcgan.discriminator-batch-norm: must be false with objective.kind ="
                + " wgan-gp (the gradient penalty is per sample; Gulrajani et al. 2017 drop batch"
                + " norm from the critic)");
  }

  @Test
  void improvedGanSwitchesNeedLayeredNetworks() {
    assertThat(
            Problems.of(
                Path.of("config", "ring.conf"),
                "stabilizers.minibatch-discrimination.enabled=true",
                "stabilizers.virtual-batch-norm.enabled=true"))
        .containsExactly(
            "--set stabilizers.minibatch-discrimination.enabled=true:"
                + " stabilizers.minibatch-discrimination.enabled: needs model.architecture = dcgan"
                + " or goodfellow2014 (layered networks)",
            "--set stabilizers.virtual-batch-norm.enabled=true:"
                + " stabilizers.virtual-batch-norm.enabled: needs model.architecture = dcgan or"
                + " goodfellow2014 (layered networks)",
            "--set stabilizers.virtual-batch-norm.enabled=true:"
                + " stabilizers.virtual-batch-norm.enabled: replaces the batch norm of the dcgan"
                + " generator (model.architecture = dcgan)");
  }

  @Test
  void everyShippedExperimentIsValid() throws Exception {
    try (var files = java.nio.file.Files.list(Path.of("config"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".conf")).toList()) {
        assertThat(ConfigLoader.load(Optional.of(f), List.of()).config().run().name())
            .as(f.toString())
            .isEqualTo(f.getFileName().toString().replace(".conf", ""));
      }
    }
  }

  // --- R1/R2 and learning-rate schedules (issue 17) ---

  @Test
  void zeroCentredPenaltyOnATanhDiscriminatorIsRefusedAtItsKey() {
    assertThat(Problems.of(Path.of("config", "ring.conf"), "objective.r1-gamma=10"))
        .containsExactly(
            "--set objective.r1-gamma=10: objective.r1-gamma: needs a piecewise-linear"
                + " discriminator that treats each sample on its own: model.discriminator"
                + " activations must be relu, leaky-relu or identity, got tanh");
  }

  @Test
  void zeroCentredPenaltyNeedsADcganCriticWithoutBatchNorm() throws Exception {
    Path f = Problems.write(dir, "exp.conf", "objective.r2-gamma = 1.0");
    assertThat(Problems.of(f))
        .containsExactly(
            f
                + ":1: objective.r2-gamma: needs a piecewise-linear discriminator that treats"
                + " each sample on its own: set model.dcgan.discriminator-batch-norm = false");
  }

  @Test
  void zeroCentredPenaltyOnALeakyReluRingIsAccepted() throws Exception {
    AgonConfig c =
        ConfigLoader.load(
                Optional.of(Path.of("config", "ring.conf")),
                List.of(
                    "objective.r1-gamma=10",
                    "objective.lazy-every=16",
                    "model.discriminator.activation=leaky-relu"))
            .config();
    assertThat(c.objective().r1Gamma()).isEqualTo(10.0);
    assertThat(c.objective().lazyEvery()).isEqualTo(16);
  }

  @Test
  void penaltyAndScheduleRangesAndShapes() throws Exception {
    Path f =
        Problems.write(
            dir,
            "exp.conf",
            "objective.r1-gamma = -1",
            "objective.lazy-every = 0",
            "optim.generator.schedule.kind = exponential");
    assertThat(Problems.of(f))
        .hasSize(3)
        .anySatisfy(p -> assertThat(p).startsWith(f + ":1: objective.r1-gamma: "))
        .anySatisfy(p -> assertThat(p).startsWith(f + ":2: objective.lazy-every: "))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(f + ":3: optim.generator.schedule.kind: ")
                    .contains("constant", "linear", "cosine", "step"));
  }

  @Test
  void scheduleFloorAboveTheRateAndKeysOfOtherKindsAreRefused() throws Exception {
    Path f =
        Problems.write(
            dir,
            "exp.conf",
            "optim.discriminator.lr = 1e-4",
            "optim.discriminator.schedule { kind = cosine, floor = 1e-3, updates = 100 }",
            "optim.generator.schedule { kind = linear, every = 10 }",
            "objective.lazy-every = 4");
    assertThat(Problems.of(f))
        .containsExactlyInAnyOrder(
            f
                + ":2: optim.discriminator.schedule.floor: must be at most lr (1.0E-4), got"
                + " 0.001",
            f + ":3: optim.generator.schedule.every: only applies to kind = step",
            f
                + ":3: optim.generator.schedule.kind: linear needs updates >= 1 (the updates of"
                + " this player it decays over)",
            f + ":4: objective.lazy-every: only applies when r1-gamma or r2-gamma > 0");
  }

  // --- labelled data, data.labels (issue 16) ---

  @Test
  void labelsOnATwoDimensionalMixtureAreRefusedAtTheKey() {
    assertThat(Problems.of(Path.of("config", "ring.conf"), "data.labels=10"))
        .containsExactly(
            "--set data.labels=10: data.labels: data.kind = ring has no labels (use none, the"
                + " default)");
    assertThat(Problems.of(Path.of("config", "ring.conf"), "data.kind=grid", "data.labels=all"))
        .containsExactly(
            "--set data.labels=all: data.labels: data.kind = grid has no labels (use none, the"
                + " default)");
  }

  @Test
  void labelsAreNoneAllOrAPositiveWholeNumber() throws Exception {
    for (String bad : new String[] {"0", "-3", "1.5", "some", "ALL", "2000000000"}) {
      assertThat(Problems.of(null, "data.labels=" + bad))
          .as(bad)
          .singleElement()
          .asString()
          .contains("data.labels: expected none, all or a whole number");
    }
    Path f = Problems.write(dir, "exp.conf", "data.labels = [10]");
    assertThat(Problems.of(f)).singleElement().asString().startsWith(f + ":1: data.labels: ");
    String[] good = {"none", "all", "1", "100", "6000"};
    int[] perClass = {DataConfig.NO_LABELS, DataConfig.ALL_LABELS, 1, 100, 6000};
    for (int i = 0; i < good.length; i++) {
      DataConfig d =
          ConfigLoader.load(Optional.empty(), List.of("data.labels=" + good[i])).config().data();
      assertThat(d.labelsPerClass()).as(good[i]).isEqualTo(perClass[i]);
    }
  }
}
