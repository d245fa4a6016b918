package dev.agon.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.nn.Activation;
import dev.agon.nn.Mlp;
import dev.agon.nn.MlpSpec;
import dev.agon.nn.Network;
import dev.agon.nn.SgdMomentum;
import dev.agon.objective.GanObjective;
import dev.agon.objective.MutualInformation;
import dev.agon.objective.StandardGan;
import dev.agon.tensor.Noise;
import dev.agon.tensor.Seeds;
import dev.agon.tensor.Tolerance;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * InfoGAN in the trainers: the codes D recomputes are the ones G was fed, and both players' applied
 * gradients are those of (adversarial loss + weight * MI term), checked by finite differences in
 * DOUBLE through small MLPs whose D has the logit then Q's K + C columns.
 */
class InfoGanTrainersTest {
  private static final int K = 3;
  private static final int C = 2;
  private static final int W = K + C;
  private static final int LATENT = 4;
  private static final int DIMS = 3;
  private static final int B = 6;
  private static final long SEED = 11;
  private static final double WEIGHT = 0.8;
  private static final MlpSpec G_SPEC =
      new MlpSpec(LATENT + W, List.of(7), DIMS, Activation.TANH, Activation.IDENTITY, 0.2);
  private static final MlpSpec D_SPEC =
      new MlpSpec(DIMS, List.of(8), 1 + W, Activation.TANH, Activation.IDENTITY, 0.2);
  private static final GanObjective GAN = new StandardGan(StandardGan.GeneratorLoss.NON_SATURATING);

  private static MutualInformation mi() {
    return new MutualInformation(K, C, WEIGHT);
  }

  private static GeneratorTrainer generator() {
    Mlp g = Mlp.create(G_SPEC, 1, DataType.DOUBLE);
    GeneratorTrainer t =
        new GeneratorTrainer(
            g,
            Mlp.create(D_SPEC, 0, DataType.DOUBLE),
            new SgdMomentum(g.numParams(), DataType.DOUBLE, 0.1),
            GAN,
            SEED);
    t.infoGan(new InfoCodes(K, C), mi());
    return t;
  }

  private static DiscriminatorTrainer discriminator(Network d) {
    DiscriminatorTrainer t =
        new DiscriminatorTrainer(d, new SgdMomentum(d.numParams(), DataType.DOUBLE, 0.1), GAN);
    t.infoGan(new InfoCodes(K, C), mi(), SEED);
    return t;
  }

  private static INDArray cols(INDArray a, int from, int to) {
    return a.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to));
  }

  @Test
  void dRecomputesTheCodesGWasFedAndZIsTheNoiseOfARunWithout() {
    GeneratorTrainer g = generator();
    DiscriminatorTrainer d = discriminator(Mlp.create(D_SPEC, 2, DataType.DOUBLE));
    int[] counts = new int[K];
    for (long n = 1; n <= 40; n++) {
      INDArray input = g.input(Seeds.STREAM_FAKES_FOR_D, n, B);
      INDArray codes = d.fakeCodes(n, B);
      assertThat(cols(input, LATENT, LATENT + W)).as("D update %d", n).isEqualTo(codes);
      INDArray z = Nd4j.create(DataType.DOUBLE, B, LATENT);
      Noise.gaussian(z, SEED, Seeds.STREAM_FAKES_FOR_D, n);
      assertThat(cols(input, 0, LATENT)).isEqualTo(z);
      for (int r = 0; r < B; r++) {
        double sum = 0;
        for (int j = 0; j < K; j++) {
          double v = codes.getDouble(r, j);
          assertThat(v).isIn(0.0, 1.0);
          sum += v;
          if (v == 1.0) {
            counts[j]++;
          }
        }
        assertThat(sum).isEqualTo(1.0);
        for (int j = K; j < W; j++) {
          assertThat(codes.getDouble(r, j)).isBetween(-1.0, 1.0);
        }
      }
      // Other indices and streams draw other codes.
      assertThat(d.fakeCodes(n + 1, B)).isNotEqualTo(codes);
    }
    assertThat(g.input(Seeds.STREAM_G_STEP, 1, B))
        .isNotEqualTo(g.input(Seeds.STREAM_FAKES_FOR_D, 1, B));
    for (int j = 0; j < K; j++) {
      assertThat(counts[j]).as("value %d of %d rows", j, 40 * B).isBetween(50, 110);
    }
  }

  @Test
  void samplesByCategoryKeepZAndTheContinuousCodesAndSetOnlyTheCategory() {
    GeneratorTrainer t = generator();
    assertThat(t.categoricalValues()).isEqualTo(K);
    INDArray input = t.input(Seeds.STREAM_SAMPLES, 2, B);
    INDArray forced = Nd4j.create(DataType.DOUBLE, K * B, LATENT + W);
    for (int v = 0; v < K; v++) {
      for (int r = 0; r < B; r++) {
        INDArray row = input.getRow(r).dup();
        for (int j = 0; j < K; j++) {
          row.putScalar(LATENT + j, j == v ? 1 : 0);
        }
        forced.putRow(v * B + r, row);
      }
    }
    INDArray expected = t.network().forward(forced).dup();
    assertThat(t.samplesByCategory(2, B)).isEqualTo(expected);
  }

  /**
   * A generator with batch norm in training mode (DCGAN's, when sampling) normalises away any input
   * column that is constant over the batch: the code values of a grid must therefore share batches,
   * or every row of the grid is the same image.
   */
  @Test
  void codeValuesChangeTheSamplesOfAGeneratorWithBatchNorm() {
    Network g =
        dev.agon.nn.Sequential.builder(LATENT + W)
            .linear(16)
            .batchNorm()
            .relu()
            .linear(DIMS)
            .build(DataType.DOUBLE, 5);
    GeneratorTrainer t =
        new GeneratorTrainer(
            g,
            Mlp.create(D_SPEC, 0, DataType.DOUBLE),
            new SgdMomentum(g.numParams(), DataType.DOUBLE, 0.1),
            GAN,
            SEED);
    t.infoGan(new InfoCodes(K, C), mi());
    int perValue = 4;
    float[] s = Sampling.samplesByCategory(t, perValue);
    double diff = 0;
    for (int i = 0; i < perValue * DIMS; i++) {
      diff += Math.abs(s[i] - s[perValue * DIMS + i]); // value 0 vs value 1, same z
    }
    assertThat(diff / (perValue * DIMS)).as("mean |value 0 - value 1|").isGreaterThan(1e-3);
  }

  /** D's loss as the trainer defines it, at D's current parameters. */
  private static double dLoss(Network d, INDArray real, INDArray fake, INDArray codes) {
    INDArray both = Nd4j.concat(0, real, fake);
    INDArray out = d.forward(both);
    INDArray logitsReal = out.get(NDArrayIndex.interval(0, B), NDArrayIndex.interval(0, 1)).dup();
    INDArray logitsFake =
        out.get(NDArrayIndex.interval(B, 2 * B), NDArrayIndex.interval(0, 1)).dup();
    INDArray s1 = Nd4j.create(DataType.DOUBLE, B, 1);
    INDArray s2 = Nd4j.create(DataType.DOUBLE, B, 1);
    double adv = GAN.discriminator(logitsReal, logitsFake, s1, s2).loss();
    INDArray q = out.get(NDArrayIndex.interval(B, 2 * B), NDArrayIndex.interval(1, 1 + W));
    return adv + WEIGHT * mi().apply(q, codes, Nd4j.create(DataType.DOUBLE, B, W));
  }

  @Test
  void discriminatorGradientIsAdversarialPlusWeightedMiOnTheFakes() {
    for (boolean coupled : new boolean[] {false, true}) {
      Mlp inner = Mlp.create(D_SPEC, 2, DataType.DOUBLE);
      Network d = coupled ? new SeparatePassesTest.Coupled(inner) : inner;
      DiscriminatorTrainer t = discriminator(d);
      INDArray real = Nd4j.create(DataType.DOUBLE, B, DIMS);
      INDArray fake = Nd4j.create(DataType.DOUBLE, B, DIMS);
      Noise.gaussian(real, 5, 0, 0);
      Noise.gaussian(fake, 5, 0, 1);
      INDArray before = inner.params().dup();
      t.step(real, fake); // D update 1: codes of (SEED, fakes for D, 1)
      INDArray analytic = inner.grads().dup();
      assertThat(t.lastInfoLoss()).isFinite().isPositive();
      Mlp probe = Mlp.create(D_SPEC, 2, DataType.DOUBLE);
      INDArray x = before.dup();
      INDArray codes = t.fakeCodes(1, B);
      double ratio =
          Tolerance.finiteDifferenceRatio(
              x,
              analytic,
              new Tolerance.Loss(
                  () -> {
                    probe.copyParamsFrom(x);
                    return dLoss(probe, real, fake, codes);
                  },
                  10,
                  inner.numParams() + 64),
              1e-6);
      assertThat(ratio).as("coupled %s", coupled).isLessThan(1.0);
    }
  }

  @Test
  void generatorGradientIsAdversarialPlusWeightedMiThroughQ() {
    GeneratorTrainer t = generator();
    Mlp d = Mlp.create(D_SPEC, 2, DataType.DOUBLE);
    INDArray before = t.params().dup();
    t.step(1, d.params(), B);
    INDArray analytic = t.network().grads().dup();
    assertThat(t.lastInfoLoss()).isFinite().isPositive();
    INDArray z = t.input(Seeds.STREAM_G_STEP, 1, B);
    INDArray codes = cols(z, LATENT, LATENT + W).dup();
    Mlp probe = Mlp.create(G_SPEC, 1, DataType.DOUBLE);
    INDArray x = before.dup();
    double ratio =
        Tolerance.finiteDifferenceRatio(
            x,
            analytic,
            new Tolerance.Loss(
                () -> {
                  probe.copyParamsFrom(x);
                  INDArray out = d.forward(probe.forward(z));
                  INDArray logit = cols(out, 0, 1).dup();
                  double adv = GAN.generator(logit, Nd4j.create(DataType.DOUBLE, B, 1)).loss();
                  return adv
                      + WEIGHT
                          * mi().apply(
                                  cols(out, 1, 1 + W), codes, Nd4j.create(DataType.DOUBLE, B, W));
                },
                10,
                probe.numParams() + d.numParams() + 64),
            1e-6);
    assertThat(ratio).isLessThan(1.0);
    // Only G moved: the replica's copy of D is D's parameters.
    assertThat(t.params()).isNotEqualTo(before);
  }
}
