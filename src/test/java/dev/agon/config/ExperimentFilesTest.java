package dev.agon.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The experiment files at the repository root (tests run with the root as working dir). */
class ExperimentFilesTest {
  private static final Path RING = Path.of("config", "ring.conf");
  private static final Path GRID = Path.of("config", "grid.conf");

  /** The ring protocol: the defaults with the MLP pair, data, optimizers and schedule replaced. */
  static AgonConfig ringProtocol() {
    AgonConfig d = DefaultsTest.documented();
    NetConfig net = new NetConfig(List.of(128, 128), Activation.TANH, Activation.IDENTITY, 0.2);
    DataConfig data = d.data();
    return new AgonConfig(
        new RunConfig("ring", "runs"),
        1L,
        new DataConfig(
            DataKind.RING,
            data.path(),
            data.split(),
            data.download(),
            data.imageSize(),
            data.channels(),
            data.ring(),
            data.grid(),
            data.prefetch(),
            data.labels(),
            data.labelSeed()),
        new ModelConfig(
            Architecture.MLP,
            256,
            net,
            net,
            d.model().dcgan(),
            d.model().goodfellow2014(),
            false,
            d.model().infogan(),
            false,
            1),
        d.objective(),
        new OptimConfig(
            new OptimizerConfig(
                OptimizerKind.ADAM,
                1e-3,
                0.5,
                0.999,
                1e-8,
                0.0,
                false,
                MomentumRampConfig.OFF,
                LrScheduleConfig.CONSTANT),
            new OptimizerConfig(
                OptimizerKind.ADAM,
                1e-4,
                0.5,
                0.999,
                1e-8,
                0.0,
                false,
                MomentumRampConfig.OFF,
                LrScheduleConfig.CONSTANT)),
        new ScheduleConfig(1, 0, 25000L, 512),
        d.stabilizers(),
        new EvalConfig(
            2500,
            1000L,
            0L,
            true,
            java.util.List.of("is", "fid", "pr", "dc", "classes"),
            true,
            "",
            ""),
        d.log(),
        d.metrics(),
        d.checkpoint(),
        d.guard(),
        d.devices(),
        d.cluster());
  }

  @Test
  void ringConfIsTheProtocol() {
    LoadedConfig ring = ConfigLoader.load(Optional.of(RING), List.of());
    AgonConfig c = ring.config();
    assertThat(c).isEqualTo(ringProtocol());
    assertThat(c.run().name()).isEqualTo("ring");
    assertThat(c.data().kind()).isEqualTo(DataKind.RING);
    assertThat(c.model().latentDim()).isEqualTo(256);
    assertThat(c.model().generator().hidden()).containsExactly(128, 128);
    assertThat(c.model().discriminator().output()).isEqualTo(Activation.IDENTITY);
    assertThat(c.optim().generator().lr()).isEqualTo(1e-3);
    assertThat(c.optim().discriminator().lr()).isEqualTo(1e-4);
    assertThat(c.optim().discriminator().beta1()).isEqualTo(0.5);
    assertThat(c.schedule()).isEqualTo(new ScheduleConfig(1, 0, 25000, 512));
    assertThat(c.eval().samples()).isEqualTo(2500);
    // The file, not the defaults, is where the protocol values come from.
    assertThat(Origins.format(ring.merged().getValue("schedule.batch-size").origin()))
        .startsWith(RING + ":");
  }

  @Test
  void gridConfIsTheGridProtocol() {
    AgonConfig c = ConfigLoader.load(Optional.of(GRID), List.of()).config();
    assertThat(c.run().name()).isEqualTo("grid");
    assertThat(c.data().kind()).isEqualTo(DataKind.GRID);
    GridConfig grid = c.data().grid();
    assertThat(grid).isEqualTo(new GridConfig(5, 2.0, 0.05));
    double[] axis =
        IntStream.range(0, grid.side())
            .mapToDouble(i -> grid.spacing() * (i - (grid.side() - 1) / 2.0))
            .toArray();
    assertThat(axis).containsExactly(-4, -2, 0, 2, 4);
    AgonConfig defaults = ringProtocol();
    assertThat(c.model()).isEqualTo(defaults.model());
    assertThat(c.optim()).isEqualTo(defaults.optim());
    assertThat(c.schedule()).isEqualTo(defaults.schedule());
    assertThat(c.eval()).isEqualTo(defaults.eval());
  }

  /** Issue 16 item 4: SNGAN is the DCGAN experiment with a hinge loss and an SN D without BN. */
  @Test
  void snganConfIsTheDcganExperimentWithHingeAndSpectralNormInD() {
    AgonConfig c =
        ConfigLoader.load(Optional.of(Path.of("config", "fashion-mnist-sngan.conf")), List.of())
            .config();
    AgonConfig dcgan =
        ConfigLoader.load(Optional.of(Path.of("config", "fashion-mnist-dcgan.conf")), List.of())
            .config();
    assertThat(c.run().name()).isEqualTo("fashion-mnist-sngan");
    assertThat(c.model().spectralNorm()).isTrue();
    assertThat(c.model().architecture()).isEqualTo(Architecture.DCGAN);
    assertThat(c.model().dcgan().discriminatorBatchNorm()).isFalse();
    assertThat(c.objective().kind()).isEqualTo(ObjectiveKind.HINGE);
    // equal iterations, data, optimizers and G: the comparison the issue asks for
    assertThat(c.schedule()).isEqualTo(dcgan.schedule());
    assertThat(c.optim()).isEqualTo(dcgan.optim());
    // the same data, labelled: the file is conditional (projection D, classes from the labels)
    assertThat(c.data().labels()).isEqualTo("all");
    assertThat(c.model().conditional()).isTrue();
    assertThat(c.data())
        .isEqualTo(
            ConfigLoader.load(
                    Optional.of(Path.of("config", "fashion-mnist-dcgan.conf")),
                    List.of("data.labels=all"))
                .config()
                .data());
    assertThat(c.model().latentDim()).isEqualTo(dcgan.model().latentDim());
    assertThat(c.model().dcgan().width()).isEqualTo(dcgan.model().dcgan().width());
    assertThat(dcgan.model().spectralNorm()).isFalse();
  }

  /**
   * Issue 16 item 2: the semi-supervised pair differ only in the labels per class (100 and 1,000
   * labels of Fashion-MNIST's 10 classes).
   */
  @Test
  void semiSupervisedConfsDrawTenAndAHundredLabelsPerClass() {
    AgonConfig c =
        ConfigLoader.load(
                Optional.of(Path.of("config", "fashion-mnist-semi-supervised.conf")), List.of())
            .config();
    AgonConfig more =
        ConfigLoader.load(
                Optional.of(Path.of("config", "fashion-mnist-semi-supervised-1000.conf")),
                List.of())
            .config();
    assertThat(c.objective().kind()).isEqualTo(ObjectiveKind.SEMI_SUPERVISED);
    assertThat(c.objective().classes()).isEqualTo(10);
    assertThat(c.data().labelsPerClass()).isEqualTo(10);
    assertThat(more.data().labelsPerClass()).isEqualTo(100);
    assertThat(more.run().name()).isEqualTo("fashion-mnist-semi-supervised-1000");
    assertThat(more.objective()).isEqualTo(c.objective());
    assertThat(more.model()).isEqualTo(c.model());
    assertThat(more.schedule()).isEqualTo(c.schedule());
  }
}
