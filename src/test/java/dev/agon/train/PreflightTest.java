package dev.agon.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.config.AgonConfig;
import dev.agon.config.ConfigLoader;
import dev.agon.config.LoadedConfig;
import dev.agon.config.Problem;
import dev.agon.data.BatchSource;
import dev.agon.data.ImageDataset;
import dev.agon.data.ImageSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Preflight}: the networks' sizes it computes without allocating equal the built networks',
 * the shipped experiments pass with the launcher's 2 GiB heap, and each impossible case is a
 * problem at the key to change.
 */
class PreflightTest {
  private static final long TWO_GIB = 2L << 30;

  private static LoadedConfig load(String experiment, String... sets) {
    List<String> o = new ArrayList<>(List.of(sets));
    if (experiment != null && experiment.startsWith("mnist")) {
      // MNIST does not ship with the project; the embedded Fashion-MNIST has its shape.
      o.addAll(List.of("data.kind=fashion-mnist", "data.path=\"\"", "data.split=test"));
    }
    Optional<Path> file =
        experiment == null
            ? Optional.empty()
            : Optional.of(Path.of("config", experiment + ".conf"));
    return ConfigLoader.load(file, o);
  }

  /** {@code n} images of {@code c x h x w}, as a DCGAN sees them. */
  private static BatchSource images(int n, int c, int h, int w) {
    return new ImageSource(
        ImageDataset.ofFloat("synthetic", new float[n * c * h * w], n, c, h, w, null), 1, false);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "fashion-mnist-dcgan",
        "fashion-mnist-wgan-gp",
        "fashion-mnist-improved",
        "fashion-mnist-sngan",
        "mnist-goodfellow2014",
        "ring",
        "grid"
      })
  void shippedExperimentsPassWithTheLaunchersHeapAndAreSizedAsBuilt(String name) {
    LoadedConfig loaded = load(name);
    BatchSource data = Factory.data(loaded.config());
    assertThat(Preflight.problems(loaded, data, TWO_GIB)).isEmpty();
    // Narrowed so that building the networks is quick; the count must be exact.
    AgonConfig c =
        load(
                name,
                "model.dcgan.width=8",
                "model.goodfellow2014.generator-hidden=64",
                "model.goodfellow2014.maxout-units=32",
                "model.latent-dim=7")
            .config();
    long[] shape = Factory.data(c).sampleShape();
    Factory.Sizes sizes = Factory.sizes(c, shape);
    long built =
        Factory.generator(c, shape, 1).numParams() + Factory.discriminator(c, shape, 1).numParams();
    assertThat(sizes.parameters()).isEqualTo(built);
    AgonConfig wider =
        load(
                name,
                "model.dcgan.width=8",
                "model.goodfellow2014.generator-hidden=64",
                "model.goodfellow2014.maxout-units=32",
                "model.latent-dim=8")
            .config();
    long perLatent =
        Factory.generator(wider, shape, 1).numParams() - Factory.generator(c, shape, 1).numParams();
    assertThat(sizes.latentParameters()).isEqualTo(7 * perLatent).isPositive();
    assertThat(sizes.activationsPerSample()).isPositive();
  }

  @Test
  void aBatchLargerThanTheDataSetIsAProblemAtTheBatchSize() {
    LoadedConfig loaded = load(null, "schedule.batch-size=21");
    List<Problem> p = Preflight.problems(loaded, images(20, 1, 8, 8), TWO_GIB);
    assertThat(p).hasSize(1);
    assertThat(p.get(0).path()).isEqualTo("schedule.batch-size");
    assertThat(p.get(0).origin()).isEqualTo("--set schedule.batch-size=21");
    assertThat(p.get(0).message()).contains("holds 20 images (got 21)");
    assertThat(
            Preflight.problems(load(null, "schedule.batch-size=20"), images(20, 1, 8, 8), TWO_GIB))
        .isEmpty();
  }

  @Test
  void dcganTakes28AndPowersOfTwoFrom8() {
    LoadedConfig loaded = load(null, "schedule.batch-size=4");
    for (int side : new int[] {8, 16, 28, 32}) {
      assertThat(Preflight.problems(loaded, images(4, 1, side, side), TWO_GIB))
          .as("" + side)
          .isEmpty();
    }
    for (int[] hw : new int[][] {{3, 3}, {4, 4}, {12, 12}, {27, 27}, {8, 16}}) {
      List<Problem> p = Preflight.problems(loaded, images(4, 1, hw[0], hw[1]), TWO_GIB);
      assertThat(p).as(hw[0] + "x" + hw[1]).hasSize(1);
      assertThat(p.get(0).path()).isEqualTo("model.architecture");
      assertThat(p.get(0).message()).contains(hw[0] + " x " + hw[1]);
    }
  }

  @Test
  void memoryProblemsNameTheKeyThatCostsTheMost() {
    BatchSource fashion = Factory.data(load(null).config());
    assertThat(key(load(null, "model.latent-dim=60000"), fashion, TWO_GIB))
        .isEqualTo("model.latent-dim");
    assertThat(
            key(load(null, "schedule.batch-size=8192", "model.dcgan.width=256"), fashion, TWO_GIB))
        .isEqualTo("schedule.batch-size");
    assertThat(
            key(load(null, "schedule.batch-size=1", "model.dcgan.width=1024"), fashion, 1L << 30))
        .isEqualTo("model.dcgan.width");
    // The same configs fit a budget large enough.
    assertThat(Preflight.problems(load(null, "model.latent-dim=60000"), fashion, 1L << 40))
        .isEmpty();
  }

  private static String key(LoadedConfig loaded, BatchSource data, long budget) {
    List<Problem> p = Preflight.problems(loaded, data, budget);
    assertThat(p).hasSize(1);
    assertThat(p.get(0).message()).contains("heap");
    return p.get(0).path();
  }

  @Test
  void aDeviceIndexTheBackendLacksIsAProblemAtItsKey() {
    LoadedConfig loaded = load(null, "devices.discriminator=1", "devices.evaluator=2");
    List<Problem> p = Preflight.devices(loaded, 1, "ND4J backend CpuBackend");
    assertThat(p)
        .extracting(Problem::path)
        .containsExactly("devices.discriminator", "devices.evaluator");
    assertThat(p.get(0).origin()).isEqualTo("--set devices.discriminator=1");
    assertThat(p.get(0).message())
        .isEqualTo("device 1 does not exist: ND4J backend CpuBackend has 1 device (0)");
    assertThat(Preflight.devices(loaded, 3, "CUDA")).isEmpty();
    assertThat(Preflight.devices(loaded, 2, "CUDA"))
        .extracting(Problem::message)
        .containsExactly("device 2 does not exist: CUDA has 2 devices (0 to 1)");
  }
}
