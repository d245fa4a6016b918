package dev.agon.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.config.AgonConfig;
import dev.agon.config.ConfigLoader;
import dev.agon.objective.GLoss;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A G update by feature matching reports the same {@code d_fake} as the objective's own G update
 * would: mean D(G(z)) in the objective's terms (a probability for the GAN and the K+1 objective),
 * not D's mean raw output. Both updates start from the same G, D and keyed z, so D's outputs on
 * G(z) are the same whichever loss then trains G.
 */
class FeatureMatchingReportTest {

  private static AgonConfig config(String objective, boolean featureMatching) {
    List<String> sets =
        new ArrayList<>(
            List.of(
                "stabilizers.feature-matching.enabled=" + featureMatching,
                "schedule.batch-size=8",
                "model.dcgan.width=4",
                "model.latent-dim=8"));
    if (objective.equals("semi-supervised")) {
      sets.addAll(List.of("objective.kind=semi-supervised", "data.labels=2"));
    }
    return ConfigLoader.load(Optional.of(Path.of("config", "fashion-mnist-dcgan.conf")), sets)
        .config();
  }

  @Test
  void featureMatchingReportsMeanDOfTheFakesAsTheObjectiveDoes() {
    for (String objective : List.of("gan", "semi-supervised")) {
      AgonConfig plain = config(objective, false);
      AgonConfig fm = config(objective, true);
      long[] shape = Factory.data(plain).sampleShape();
      INDArray dParams = DiscriminatorTrainer.create(plain, shape).params().dup();
      GLoss expected = GeneratorTrainer.create(plain, shape).step(1, dParams, 8);
      GLoss matched = GeneratorTrainer.create(fm, shape).step(1, dParams, 8);
      assertThat(expected.meanDFake()).as(objective).isStrictlyBetween(0.0, 1.0);
      assertThat(matched.meanDFake()).as(objective).isEqualTo(expected.meanDFake());
    }
  }
}
