package dev.agon.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayeringTest {
  @TempDir Path dir;

  @Test
  void fileWinsOverDefaultsAndOverridesWinOverTheFile() throws IOException {
    Path file =
        Problems.write(
            dir, "exp.conf", "schedule { k = 5, batch-size = 64 }", "model.latent-dim = 8");
    AgonConfig fileOnly = ConfigLoader.load(Optional.of(file), List.of()).config();
    assertThat(fileOnly.schedule()).isEqualTo(new ScheduleConfig(5, 0, 3000, 64));
    assertThat(fileOnly.model().latentDim()).isEqualTo(8);

    AgonConfig c =
        ConfigLoader.load(
                Optional.of(file),
                List.of("schedule.k=3", "model.generator.hidden=[64,32,16]", "schedule.k=7"))
            .config();
    assertThat(c.schedule()).isEqualTo(new ScheduleConfig(7, 0, 3000, 64));
    assertThat(c.model().generator().hidden()).containsExactly(64, 32, 16);
    assertThat(c.model().discriminator().hidden()).containsExactly(128, 128);
    assertThat(c.model().latentDim()).isEqualTo(8);
  }

  @Test
  void overrideValuesAreHocon() {
    AgonConfig c =
        ConfigLoader.load(
                Optional.empty(),
                List.of(
                    "schedule={ iterations = 10 }",
                    "run.name=12",
                    " run.dir = \"out dir/x\" ",
                    "model.generator.activation=leaky-relu",
                    "objective.generator=minimax",
                    "optim.discriminator={type=sgd, momentum=0.9, nesterov=true}",
                    "seed=-9000000000",
                    "data.ring.radius=2"))
            .config();
    assertThat(c.schedule()).isEqualTo(new ScheduleConfig(1, 0, 10, 64));
    assertThat(c.run()).isEqualTo(new RunConfig("12", "out dir/x"));
    assertThat(c.model().generator().activation()).isEqualTo(Activation.LEAKY_RELU);
    assertThat(c.objective().generator()).isEqualTo(GeneratorLoss.MINIMAX);
    assertThat(c.optim().discriminator())
        .isEqualTo(
            new OptimizerConfig(
                OptimizerKind.SGD,
                2e-4,
                0.5,
                0.999,
                1e-8,
                0.9,
                true,
                MomentumRampConfig.OFF,
                LrScheduleConfig.CONSTANT));
    assertThat(c.seed()).isEqualTo(-9_000_000_000L);
    assertThat(c.data().ring().radius()).isEqualTo(2.0);
  }

  @Test
  void substitutionsResolveAcrossLayers() throws IOException {
    Path file = Problems.write(dir, "exp.conf", "eval.samples = ${schedule.batch-size}");
    AgonConfig c =
        ConfigLoader.load(Optional.of(file), List.of("schedule.batch-size=100")).config();
    assertThat(c.eval().samples()).isEqualTo(100);
  }
}
