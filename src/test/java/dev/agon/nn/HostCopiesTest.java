package dev.agon.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.config.AgonConfig;
import dev.agon.config.ConfigLoader;
import dev.agon.objective.FeatureMatching;
import dev.agon.objective.GanObjective;
import dev.agon.objective.GradientPenalty;
import dev.agon.objective.HistoricalAverage;
import dev.agon.tensor.DenseAccess;
import dev.agon.tensor.DenseAccess.HostCopies;
import dev.agon.tensor.Noise;
import dev.agon.train.Factory;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Issue 15 item 3: D and G steps (forward, backward, optimizer step) of the architectures whose
 * layers all run as ND4J ops touch no host memory, counted by {@link DenseAccess#copies()}: a
 * layer-level check (a fixed loss gradient) and, per shipped experiment (ring MLP, DCGAN, WGAN-GP,
 * Goodfellow 2014, the Improved-GAN variant), whole updates with the objective, penalty, feature
 * matching and historical averages. Inputs and noise are made before counting; loss scalars are
 * counted apart ({@link DenseAccess#scalarReads()}). Adam runs its ND4J kernel, the default off the
 * CPU backend; on CPU its default is a host loop, 3x faster there and counted as host copies.
 */
class HostCopiesTest {
  private static final DataType F = DataType.FLOAT;

  private static INDArray gaussian(long index, long... shape) {
    INDArray a = Nd4j.create(F, shape);
    Noise.gaussian(a, 99, 5, index);
    return a;
  }

  /**
   * Two D steps (real and fake batch, accumulated, Adam) and two G steps (through D, Adam) of
   * {@code g} and {@code d}; returns the host copies counted inside them. The first pair warms the
   * per-batch buffers, which is allowed to allocate but not to copy either.
   */
  private static HostCopies steps(Network g, Network d, int batch) {
    Adam optD = new Adam(d.numParams(), F, 2e-4, 0.5, 0.999, 1e-8, KernelChoice.ND4J_OPS);
    Adam optG = new Adam(g.numParams(), F, 2e-4, 0.5, 0.999, 1e-8, KernelChoice.ND4J_OPS);
    long[] zShape = Shapes.batched(batch, g.inputShape());
    INDArray z = gaussian(1, zShape);
    INDArray real = gaussian(2, Shapes.batched(batch, d.inputShape()));
    INDArray dOut = gaussian(3, Shapes.batched(batch, d.outputShape()));
    HostCopies before = DenseAccess.copies();
    for (int i = 0; i < 2; i++) {
      d.forward(real);
      d.backward(dOut, true, false, false);
      INDArray fake = g.forward(z);
      d.forward(fake);
      d.backward(dOut, true, false, true);
      optD.step(d.params(), d.grads());

      fake = g.forward(z);
      d.forward(fake);
      INDArray dFake = d.backward(dOut, false, true, false);
      g.backward(dFake, true, false, false);
      optG.step(g.params(), g.grads());
    }
    return DenseAccess.copies().since(before);
  }

  @Test
  void mlpStepsCopyNothingToTheHost() {
    Mlp g =
        Mlp.create(
            new MlpSpec(8, List.of(32, 64), 16, Activation.LEAKY_RELU, Activation.TANH, 0.2), 1, F);
    Mlp d =
        Mlp.create(
            new MlpSpec(16, List.of(32), 1, Activation.LEAKY_RELU, Activation.SIGMOID, 0.2), 2, F);
    assertThat(steps(g, d, 6)).isEqualTo(new HostCopies(0, 0));
  }

  @Test
  void batchNormNetworkStepsCopyNothingToTheHost() {
    Sequential g =
        Sequential.builder(8)
            .linear(32)
            .add(LayerGradientTest.nativeBatchNorm(Init.PYTORCH))
            .relu()
            .linear(4 * 3 * 3)
            .reshape(4, 3, 3)
            .add(LayerGradientTest.nativeBatchNorm(Init.DCGAN))
            .leakyRelu(0.2)
            .flatten()
            .linear(16)
            .tanh()
            .build(F, 1);
    Sequential d = Sequential.builder(16).linear(32).leakyRelu(0.2).linear(1).build(F, 2);
    assertThat(steps(g, d, 6)).isEqualTo(new HostCopies(0, 0));
    g.training(false);
    INDArray z = gaussian(4, 6, 8);
    g.forward(z);
    HostCopies before = DenseAccess.copies();
    g.forward(z);
    assertThat(DenseAccess.copies().since(before)).isEqualTo(new HostCopies(0, 0));
  }

  /** The counter is live: dropout's Java kernel draws its mask on the host. */
  @Test
  void aLayerThatStillCopiesIsCounted() {
    Sequential d =
        Sequential.builder(16)
            .linear(32)
            .add((shape, dtype) -> new Dropout(0.5, 0, KernelChoice.HOST_LOOP, shape))
            .leakyRelu(0.2)
            .linear(1)
            .build(F, 2);
    Mlp g =
        Mlp.create(
            new MlpSpec(8, List.of(32), 16, Activation.LEAKY_RELU, Activation.TANH, 0.2), 1, F);
    HostCopies counted = steps(g, d, 6);
    assertThat(counted.calls()).isPositive();
    assertThat(counted.bytes()).isGreaterThanOrEqualTo(counted.calls() * 4);
  }

  /**
   * The experiment {@code config/<file>} with small shapes, built the way a run builds it ({@link
   * Factory}) while every layer, objective, penalty and optimizer is told to take its ND4J kernel
   * ({@value KernelChoice#PROPERTY}{@code =nd4j}, {@code agon.nn.conv=native}); both properties are
   * restored after.
   */
  private record Experiment(
      Network g,
      Network d,
      Optimizer optG,
      Optimizer optD,
      GanObjective objective,
      GradientPenalty penalty,
      FeatureMatching featureMatching,
      HistoricalAverage averageG,
      HistoricalAverage averageD) {
    static Experiment build(String file, long[] sample, String... overrides) {
      String kernels = System.getProperty(KernelChoice.PROPERTY);
      String conv = System.getProperty(ConvKernels.PROPERTY);
      System.setProperty(KernelChoice.PROPERTY, "nd4j");
      System.setProperty(ConvKernels.PROPERTY, "native");
      try {
        AgonConfig c =
            ConfigLoader.load(Optional.of(Path.of("config", file)), List.of(overrides)).config();
        Network g = Factory.generator(c, sample, 1);
        Network d = Factory.discriminator(c, sample, 2);
        var fm = c.stabilizers().featureMatching();
        int layer = fm.layer() < 0 ? d.numLayers() + fm.layer() : fm.layer();
        return new Experiment(
            g,
            d,
            Factory.optimizer(c.optim().generator(), g),
            Factory.optimizer(c.optim().discriminator(), d),
            Factory.objective(c.objective()),
            Factory.gradientPenalty(c.objective()),
            fm.enabled() ? new FeatureMatching(layer) : null,
            Factory.generatorAverage(c, g),
            Factory.discriminatorAverage(c, d));
      } finally {
        restore(KernelChoice.PROPERTY, kernels);
        restore(ConvKernels.PROPERTY, conv);
      }
    }

    private static void restore(String key, String value) {
      if (value == null) {
        System.clearProperty(key);
      } else {
        System.setProperty(key, value);
      }
    }

    /**
     * Two D updates (real and fake rows as one batch, the objective, the WGAN-GP penalty where
     * configured, the optimizer) and two G updates (through D, the objective, the optimizer) in
     * training mode with fresh dropout masks each pass; returns the host copies inside them. Data,
     * noise and the penalty's epsilon are drawn before counting (the trainers draw them with {@link
     * Noise} on the host: not layers, and not yet moved).
     */
    HostCopies steps(int batch) {
      g.training(true);
      d.training(true);
      long[] sample = d.inputShape();
      INDArray z = gaussian(1, Shapes.batched(batch, g.inputShape()));
      INDArray both = gaussian(2, Shapes.batched(2 * batch, sample));
      INDArray real = rows(both, 0, batch);
      INDArray bothFake = rows(both, batch, 2 * batch);
      INDArray grad = Nd4j.create(F, 2 * batch, 1);
      INDArray gradG = Nd4j.create(F, batch, 1);
      INDArray eps = Nd4j.create(F, batch);
      Noise.uniform(eps, 99, 6, 0);
      HostCopies before = DenseAccess.copies();
      long scalarsBefore = DenseAccess.scalarReads();
      for (int i = 0; i < 2; i++) {
        d.powerIteration(); // spectral norm's step, as DiscriminatorTrainer runs it (else none)
        g.noiseIndex(3 * i);
        INDArray fake = g.forward(z);
        bothFake.assign(fake);
        d.noiseIndex(3 * i + 1);
        INDArray logits = d.forward(both);
        objective.discriminator(
            rows(logits, 0, batch),
            rows(logits, batch, 2 * batch),
            rows(grad, 0, batch),
            rows(grad, batch, 2 * batch));
        d.backward(grad, true, false, false);
        if (penalty != null) {
          penalty.apply(d, real, bothFake, eps);
        }
        if (averageD != null) {
          averageD.apply(d.params(), d.grads());
        }
        optD.step(d.params(), d.grads());

        g.noiseIndex(3 * i + 2);
        INDArray dFake;
        if (featureMatching == null) {
          fake = g.forward(z);
          INDArray out = d.forward(fake);
          objective.generator(out, gradG);
          dFake = d.backward(gradG, false, true, false);
        } else {
          int layer = featureMatching.layer();
          d.forward(real);
          INDArray realFeatures = d.activation(layer).dup();
          fake = g.forward(z);
          d.forward(fake);
          INDArray fakeFeatures = d.activation(layer);
          INDArray gradFeatures = fakeFeatures.ulike();
          featureMatching.generator(realFeatures, fakeFeatures, gradFeatures);
          dFake = d.backwardFrom(layer, gradFeatures, false, true, false);
        }
        g.backward(dFake, true, false, false);
        if (averageG != null) {
          averageG.apply(g.params(), g.grads());
        }
        optG.step(g.params(), g.grads());
      }
      HostCopies copies = DenseAccess.copies().since(before);
      // the losses and metrics are scalars, read apart from the copies: a few per objective call
      assertThat(DenseAccess.scalarReads() - scalarsBefore).isPositive();
      return copies;
    }

    private static INDArray rows(INDArray a, long from, long to) {
      INDArrayIndex[] idx = new INDArrayIndex[a.rank()];
      idx[0] = NDArrayIndex.interval(from, to);
      for (int k = 1; k < idx.length; k++) {
        idx[k] = NDArrayIndex.all();
      }
      return a.get(idx);
    }
  }

  /**
   * Issue 15 item 3 for the shipped experiments (small shapes): with the ND4J kernels, whole D and
   * G updates, objective and WGAN-GP penalty included, copy nothing to the host.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "ring.conf | 2 | model.latent-dim=4",
        "fashion-mnist-dcgan.conf | 1,8,8 | model.latent-dim=8, model.dcgan.width=4",
        "fashion-mnist-wgan-gp.conf | 1,8,8 | model.latent-dim=8, model.dcgan.width=4",
        // issue 16: spectral norm in D (the power iteration, W/sigma, its backward and jvp)
        "ring.conf | 2 | model.latent-dim=4, model.spectral-norm=true",
        "fashion-mnist-wgan-gp.conf | 1,8,8 | model.latent-dim=8, model.dcgan.width=4,"
            + " model.spectral-norm=true",
        "mnist-goodfellow2014.conf | 12 | model.latent-dim=8, model.goodfellow2014.generator-hidden=16,"
            + " model.goodfellow2014.maxout-units=6, model.goodfellow2014.maxout-pieces=3,"
            + " model.goodfellow2014.output-bias-from-data=false, model.spectral-norm=true",
        "fashion-mnist-improved.conf | 1,8,8 | model.latent-dim=8, model.dcgan.width=4,"
            + " stabilizers.virtual-batch-norm.reference-size=4,"
            + " stabilizers.minibatch-discrimination.kernels=6",
        "mnist-goodfellow2014.conf | 12 | model.latent-dim=8, model.goodfellow2014.generator-hidden=16,"
            + " model.goodfellow2014.maxout-units=6, model.goodfellow2014.maxout-pieces=3,"
            // 12-value samples: no data set to start G's output bias from; the released recipe's
            // unit-pixel maps (Affine) stay in both networks
            + " model.goodfellow2014.output-bias-from-data=false"
      })
  void experimentStepsCopyNothingToTheHost(String file, String sample, String overrides) {
    long[] shape =
        java.util.Arrays.stream(sample.split(","))
            .mapToLong(v -> Long.parseLong(v.trim()))
            .toArray();
    List<String> o = java.util.Arrays.stream(overrides.split(",")).map(String::trim).toList();
    Experiment e = Experiment.build(file, shape, o.toArray(String[]::new));
    assertThat(e.steps(4)).isEqualTo(new HostCopies(0, 0));
  }
}
