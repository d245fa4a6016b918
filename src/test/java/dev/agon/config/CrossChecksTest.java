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
}
