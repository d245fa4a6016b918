package dev.agon.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.config.AgonConfig;
import dev.agon.config.ConfigLoader;
import dev.agon.data.BatchSource;
import dev.agon.objective.DLoss;
import dev.agon.objective.GLoss;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Every shipped image experiment builds from its file and trains: a few iterations of the plain
 * loop with the experiment's networks, objective and stabilisers (narrowed to width 8 and batch 16
 * so the test is quick), finite losses, and both players' parameters move. mnist-goodfellow2014
 * runs on the embedded Fashion-MNIST, since MNIST does not ship with the project.
 */
class ExperimentSmokeTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "fashion-mnist-dcgan",
        "fashion-mnist-wgan-gp",
        "fashion-mnist-improved",
        "fashion-mnist-sngan",
        "fashion-mnist-infogan",
        "mnist-goodfellow2014",
        "fashion-mnist-semi-supervised"
      })
  void experimentTrainsWithFiniteLossesAndMovingParameters(String name) {
    List<String> o = new ArrayList<>();
    o.add("schedule.batch-size=16");
    o.add("model.dcgan.width=8");
    o.add("model.goodfellow2014.generator-hidden=64");
    o.add("model.goodfellow2014.maxout-units=32");
    o.add("stabilizers.virtual-batch-norm.reference-size=8");
    o.add("stabilizers.minibatch-discrimination.kernels=10");
    if (name.endsWith("semi-supervised")) { // trains on the training split, not shipped
      o.add("data.split=test");
      o.add("data.download=false");
    }
    if (name.startsWith("mnist")) {
      o.add("data.kind=fashion-mnist");
      o.add("data.path=\"\"");
      o.add("data.split=test");
    }
    AgonConfig c =
        ConfigLoader.load(java.util.Optional.of(Path.of("config", name + ".conf")), o).config();
    BatchSource data = Factory.data(c);
    GeneratorTrainer g = GeneratorTrainer.create(c, data.sampleShape());
    DiscriminatorTrainer d = DiscriminatorTrainer.create(c, data.sampleShape());
    INDArray g0 = g.params().dup();
    INDArray d0 = d.params().dup();
    List<Double> losses = new ArrayList<>();
    PlainLoop.run(
        g,
        d,
        data,
        new Schedule(c.schedule().k(), 0, 3),
        16,
        3,
        new PlainLoop.Listener() {
          @Override
          public void dStep(long n, DLoss loss, long nanos) {
            losses.add(loss.loss());
            losses.add(d.lastPenalty());
          }

          @Override
          public void gStep(long i, GLoss loss, long nanos) {
            losses.add(loss.loss());
            losses.add(g.lastPenalty());
          }
        });
    assertThat(losses).hasSize(2 * 3 * c.schedule().k() + 2 * 3);
    assertThat(losses).allSatisfy(l -> assertThat(l).isFinite());
    assertThat(g.version()).isEqualTo(3);
    assertThat(d.updates()).isEqualTo(3L * c.schedule().k());
    assertThat(g.params().sub(g0).amaxNumber().doubleValue()).isPositive();
    assertThat(d.params().sub(d0).amaxNumber().doubleValue()).isPositive();
    if (name.equals("fashion-mnist-infogan")) {
      // Both players computed InfoGAN's term (NaN when off).
      assertThat(g.lastInfoLoss()).isFinite().isPositive();
      assertThat(d.lastInfoLoss()).isFinite().isPositive();
    }
    if (name.equals("fashion-mnist-wgan-gp")) {
      assertThat(d.lastGradientPenalty()).isPositive();
    }
    for (float v : Sampling.samples(g, 4)) {
      assertThat(v).isBetween(-1f, 1f); // tanh output
    }
  }
}
