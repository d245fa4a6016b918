package dev.agon.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.nn.Activation;
import dev.agon.nn.Init;
import dev.agon.nn.Mlp;
import dev.agon.nn.MlpSpec;
import dev.agon.nn.Network;
import dev.agon.nn.Projection;
import dev.agon.nn.Sequential;
import dev.agon.nn.SgdMomentum;
import dev.agon.objective.GanObjective;
import dev.agon.objective.StandardGan;
import dev.agon.tensor.Noise;
import dev.agon.tensor.Seeds;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The conditional model in the trainers: the fake classes D recomputes are those G was given (one
 * hot beside the noise an unconditional run draws), and a D update moves exactly the embedding rows
 * of the classes it saw (real labels and recomputed fake classes).
 */
class ConditionalTrainersTest {
  private static final int K = 10;
  private static final int LATENT = 4;
  private static final int DIMS = 3;
  private static final int B = 6;
  private static final long SEED = 11;
  private static final GanObjective GAN = new StandardGan(StandardGan.GeneratorLoss.NON_SATURATING);

  private static Sequential projectionD(long seed) {
    return Sequential.builder(DIMS)
        .linear(8)
        .tanh()
        .add((shape, dt) -> new Projection(8, K, Init.PYTORCH, dt))
        .build(DataType.DOUBLE, seed);
  }

  private static GeneratorTrainer generator() {
    Mlp g =
        Mlp.create(
            new MlpSpec(LATENT + K, List.of(7), DIMS, Activation.TANH, Activation.IDENTITY, 0.2),
            1,
            DataType.DOUBLE);
    GeneratorTrainer t =
        new GeneratorTrainer(
            g, projectionD(0), new SgdMomentum(g.numParams(), DataType.DOUBLE, 0.1), GAN, SEED);
    t.conditional(new InfoCodes(K, 0));
    return t;
  }

  private static DiscriminatorTrainer discriminator(Network d) {
    DiscriminatorTrainer t =
        new DiscriminatorTrainer(d, new SgdMomentum(d.numParams(), DataType.DOUBLE, 0.1), GAN);
    t.conditional(new InfoCodes(K, 0), SEED);
    return t;
  }

  @Test
  void dRecomputesTheClassesGWasGivenBesideTheUnconditionalNoise() {
    GeneratorTrainer g = generator();
    DiscriminatorTrainer d = discriminator(projectionD(2));
    Set<Integer> seen = new HashSet<>();
    for (long n = 1; n <= 40; n++) {
      g.fakes(n, B);
      int[] given = g.lastClasses();
      assertThat(d.fakeClasses(n, B)).as("D update %d", n).containsExactly(given);
      INDArray input = g.input(Seeds.STREAM_FAKES_FOR_D, n, B);
      INDArray oneHot = input.get(NDArrayIndex.all(), NDArrayIndex.interval(LATENT, LATENT + K));
      for (int r = 0; r < B; r++) {
        seen.add(given[r]);
        for (int k = 0; k < K; k++) {
          assertThat(oneHot.getDouble(r, k)).isEqualTo(k == given[r] ? 1.0 : 0.0);
        }
      }
      INDArray z = Nd4j.create(DataType.DOUBLE, B, LATENT);
      Noise.gaussian(z, SEED, Seeds.STREAM_FAKES_FOR_D, n);
      assertThat(input.get(NDArrayIndex.all(), NDArrayIndex.interval(0, LATENT))).isEqualTo(z);
    }
    assertThat(seen).as("uniform classes over 240 rows").hasSize(K);
  }

  @Test
  void aDUpdateMovesTheEmbeddingRowsOfTheRealLabelsAndTheFakeClassesOnly() {
    Sequential dNet = projectionD(2);
    DiscriminatorTrainer d = discriminator(dNet);
    Projection p = Factory.projection(dNet);
    INDArray before = p.embedding().dup();
    INDArray real = Nd4j.rand(DataType.DOUBLE, B, DIMS);
    INDArray fake = Nd4j.rand(DataType.DOUBLE, B, DIMS);
    int[] labels = {0, 0, 1, 1, 0, 1};
    int[] fakeClasses = d.fakeClasses(1, B);
    d.step(real, fake, (dev.agon.data.BatchSource.Labelled) null, labels);
    Set<Integer> used = new HashSet<>();
    for (int c : labels) {
      used.add(c);
    }
    for (int c : fakeClasses) {
      used.add(c);
    }
    assertThat(used.size()).as("some class unused, to see it stay").isLessThan(K);
    INDArray moved = p.embedding().sub(before);
    for (int k = 0; k < K; k++) {
      double change = moved.getRow(k).amaxNumber().doubleValue();
      if (used.contains(k)) {
        assertThat(change).as("class %d", k).isGreaterThan(0.0);
      } else {
        assertThat(change).as("class %d", k).isZero();
      }
    }
  }
}
