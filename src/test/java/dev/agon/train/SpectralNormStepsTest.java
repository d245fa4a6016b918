package dev.agon.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.config.AgonConfig;
import dev.agon.config.ConfigLoader;
import dev.agon.data.BatchSource;
import dev.agon.nn.Network;
import dev.agon.tensor.Seeds;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Issue 16 item 4: one power-iteration step per update. A D update moves u, v exactly once (from
 * the weights it starts from), however many passes it makes (real, fake, WGAN-GP penalty); a G
 * update moves its D replica's once, on the D version it trains against.
 */
class SpectralNormStepsTest {

  private static AgonConfig sngan(String objective) {
    return ConfigLoader.load(
            Optional.of(Path.of("config", "fashion-mnist-sngan.conf")),
            List.of(
                "objective.kind=" + objective,
                "model.conditional=false", // the file is conditional; wgan-gp refuses that
                "schedule.batch-size=8",
                "model.dcgan.width=4",
                "model.latent-dim=8"))
        .config();
  }

  @Test
  void aDiscriminatorUpdateMovesUAndVOnceWhateverItsPasses() {
    for (String objective : List.of("hinge", "wgan-gp")) {
      AgonConfig c = sngan(objective);
      BatchSource data = Factory.data(c);
      long[] shape = data.sampleShape();
      DiscriminatorTrainer d = DiscriminatorTrainer.create(c, shape);
      GeneratorTrainer g = GeneratorTrainer.create(c, shape);
      // the same network, advanced by hand once from the weights the update starts from
      Network expected = Factory.discriminator(c, shape, Seeds.mix(c.seed(), Seeds.STREAM_INIT, 1));
      assertThat(expected.params()).isEqualTo(d.params());
      assertThat(expected.state()).isEqualTo(d.network().state());
      for (long n = 1; n <= 2; n++) {
        expected.copyParamsFrom(d.params());
        expected.powerIteration();
        d.step(data.batch(n - 1, 8).x(), g.fakes(n, 8));
        assertThat(d.network().state()).as(objective + ", update " + n).isEqualTo(expected.state());
      }
      assertThat(d.params()).isNotEqualTo(expected.params()); // the update moved W, not u, v
    }
  }

  @Test
  void aGeneratorUpdateMovesItsReplicasUAndVOnceOnTheDVersionItUses() {
    AgonConfig c = sngan("hinge");
    long[] shape = Factory.data(c).sampleShape();
    GeneratorTrainer g = GeneratorTrainer.create(c, shape);
    DiscriminatorTrainer d = DiscriminatorTrainer.create(c, shape);
    // The replica starts from D's u, v (built from D's seed)
    assertThat(g.discriminatorReplicaState()).isEqualTo(d.network().state());
    Network expected = Factory.discriminator(c, shape, Seeds.mix(c.seed(), Seeds.STREAM_INIT, 1));
    INDArray dParams = d.params().dup();
    for (long i = 1; i <= 2; i++) {
      expected.copyParamsFrom(dParams);
      expected.powerIteration();
      g.step(i, dParams, 8);
      assertThat(g.discriminatorReplicaState()).as("G update " + i).isEqualTo(expected.state());
    }
    // Without spectral norm there is nothing to save
    AgonConfig plain =
        ConfigLoader.load(
                Optional.of(Path.of("config", "fashion-mnist-dcgan.conf")),
                List.of("model.dcgan.width=4", "model.latent-dim=8"))
            .config();
    assertThat(GeneratorTrainer.create(plain, shape).discriminatorReplicaState()).isNull();
  }
}
