package dev.agon.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.agon.eval.DiscriminatorClassifier;
import dev.agon.nn.Activation;
import dev.agon.nn.Adam;
import dev.agon.nn.Mlp;
import dev.agon.nn.MlpSpec;
import dev.agon.objective.DLoss;
import dev.agon.objective.SemiSupervisedGan;
import dev.agon.objective.StandardGan;
import dev.agon.tensor.Noise;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The semi-supervised D step on arrays: three Gaussian classes in 2-D, far apart (separable), a few
 * labelled points per class, unlabelled points of the same classes, fakes from a broad Gaussian.
 */
class SemiSupervisedTrainerTest {
  private static final int K = 3;
  private static final double[][] CENTRES = {{4, 0}, {-2, 3.5}, {-2, -3.5}};
  private static final MlpSpec SPEC =
      new MlpSpec(2, List.of(16), K, Activation.LEAKY_RELU, Activation.IDENTITY, 0.2);

  /** {@code n} points, class {@code i % K} for row i, spread 0.5 around its centre. */
  private static INDArray points(int n, long index) {
    INDArray x = Nd4j.create(DataType.DOUBLE, n, 2);
    Noise.gaussian(x, 11, 0, index);
    x.muli(0.5);
    for (int i = 0; i < n; i++) {
      x.putScalar(i, 0, x.getDouble(i, 0) + CENTRES[i % K][0]);
      x.putScalar(i, 1, x.getDouble(i, 1) + CENTRES[i % K][1]);
    }
    return x;
  }

  private static int[] classes(int n) {
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = i % K;
    }
    return y;
  }

  private static DiscriminatorTrainer trainer(dev.agon.nn.Network d) {
    return new DiscriminatorTrainer(
        d, new Adam(d.numParams(), DataType.DOUBLE, 0.02), new SemiSupervisedGan(K));
  }

  @Test
  void labelledStepsRaiseTheClassifierAccuracy() {
    Mlp d = Mlp.create(SPEC, 5, DataType.DOUBLE);
    DiscriminatorTrainer t = trainer(d);
    INDArray test = points(300, 99);
    int[] testLabels = classes(300);
    // Seed 5 starts D far from a classifier of these classes (checked, not assumed).
    double before = DiscriminatorClassifier.accuracy(d, test, testLabels, 64);
    assertThat(before).isLessThan(0.7);
    INDArray labelled = points(6, 1); // 2 labels per class
    int[] labels = classes(6);
    INDArray fake = Nd4j.create(DataType.DOUBLE, 12, 2);
    for (int step = 1; step <= 60; step++) {
      Noise.gaussian(fake, 12, 0, step);
      DLoss loss = t.step(points(12, 1000 + step), fake.mul(3), labelled, labels);
      assertThat(loss.supervised()).isFinite().isGreaterThanOrEqualTo(0);
      assertThat(loss.unsupervised()).isFinite().isPositive();
      assertThat(loss.loss())
          .isCloseTo(loss.supervised() + loss.unsupervised(), within(1e-12 * (1 + loss.loss())));
    }
    assertThat(t.updates()).isEqualTo(60);
    double after = DiscriminatorClassifier.accuracy(d, test, testLabels, 64);
    assertThat(after).isGreaterThan(0.95).isGreaterThan(before);
  }

  @Test
  void separatePassesGiveTheJointGradient() {
    Mlp joint = Mlp.create(SPEC, 7, DataType.DOUBLE);
    Mlp inner = Mlp.create(SPEC, 7, DataType.DOUBLE);
    DiscriminatorTrainer a = trainer(joint);
    DiscriminatorTrainer b = trainer(new SeparatePassesTest.Coupled(inner));
    INDArray labelled = points(5, 2);
    int[] labels = classes(5);
    for (int step = 1; step <= 3; step++) {
      INDArray real = points(4, 50 + step);
      INDArray fake = Nd4j.create(DataType.DOUBLE, 4, 2);
      Noise.gaussian(fake, 3, 0, step);
      DLoss la = a.step(real, fake, labelled, labels);
      DLoss lb = b.step(real, fake, labelled, labels);
      assertThat(lb.loss()).isCloseTo(la.loss(), within(1e-12));
      assertThat(lb.supervised()).isCloseTo(la.supervised(), within(1e-12));
      assertThat(lb.unsupervised()).isCloseTo(la.unsupervised(), within(1e-12));
      assertThat(joint.params().sub(inner.params()).amaxNumber().doubleValue()).isLessThan(1e-12);
    }
    assertThat(joint.params().equalsWithEps(Mlp.create(SPEC, 7, DataType.DOUBLE).params(), 1e-6))
        .isFalse();
  }

  @Test
  void weightedSeparatePassesGiveTheWeightedJointLossAndGradient() {
    // w = 0.3 and w = 0 (the baseline): the three-pass path (a D with batch statistics) must sum
    // L_sup + w L_unsup as the joint pass does, in the reported loss and in the update.
    for (double w : new double[] {0.3, 0.0}) {
      Mlp joint = Mlp.create(SPEC, 7, DataType.DOUBLE);
      Mlp inner = Mlp.create(SPEC, 7, DataType.DOUBLE);
      SemiSupervisedGan o = new SemiSupervisedGan(K, w);
      DiscriminatorTrainer a =
          new DiscriminatorTrainer(joint, new Adam(joint.numParams(), DataType.DOUBLE, 0.02), o);
      dev.agon.nn.Network coupled = new SeparatePassesTest.Coupled(inner);
      DiscriminatorTrainer b =
          new DiscriminatorTrainer(coupled, new Adam(inner.numParams(), DataType.DOUBLE, 0.02), o);
      INDArray labelled = points(5, 2);
      int[] labels = classes(5);
      for (int step = 1; step <= 3; step++) {
        INDArray real = points(4, 50 + step);
        INDArray fake = Nd4j.create(DataType.DOUBLE, 4, 2);
        Noise.gaussian(fake, 3, 0, step);
        DLoss la = a.step(real, fake, labelled, labels);
        DLoss lb = b.step(real, fake, labelled, labels);
        double expected = la.supervised() + w * la.unsupervised();
        assertThat(la.loss()).isCloseTo(expected, within(1e-12 * (1 + expected)));
        assertThat(lb.loss()).isCloseTo(expected, within(1e-12 * (1 + expected)));
        assertThat(joint.params().sub(inner.params()).amaxNumber().doubleValue()).isLessThan(1e-12);
      }
    }
  }

  @Test
  void unlabelledStepTrainsTheUnsupervisedTermAlone() {
    Mlp d = Mlp.create(SPEC, 7, DataType.DOUBLE);
    DLoss l = trainer(d).step(points(4, 3), points(4, 4).mul(-1));
    assertThat(l.supervised()).isZero();
    assertThat(l.loss()).isEqualTo(l.unsupervised());
  }

  private static dev.agon.config.AgonConfig config(String... overrides) {
    // Every semi-supervised run needs labelled examples (data.labels).
    List<String> all = new java.util.ArrayList<>(List.of("data.labels=all"));
    all.addAll(List.of(overrides));
    return dev.agon.config.ConfigLoader.load(java.util.Optional.empty(), all).config();
  }

  @Test
  void theFactoryGivesDOneLogitPerClassAndLeavesGAlone() {
    long[] image = {1, 28, 28};
    String ssl = "objective.kind=semi-supervised";
    assertThat(Factory.discriminator(config(ssl), image, 1).outputShape()).containsExactly(10);
    assertThat(Factory.discriminator(config(ssl, "objective.classes=7"), image, 1).outputShape())
        .containsExactly(7);
    assertThat(
            Factory.discriminator(
                    config(ssl, "stabilizers.minibatch-discrimination.enabled=true"), image, 1)
                .outputShape())
        .containsExactly(10);
    assertThat(Factory.discriminator(config(ssl, "model.architecture=mlp"), image, 1).outputShape())
        .containsExactly(10);
    assertThat(Factory.discriminator(config(), image, 1).outputShape()).containsExactly(1);
    assertThat(Factory.generator(config(ssl), image, 1).numParams())
        .isEqualTo(Factory.generator(config(), image, 1).numParams());
  }

  @Test
  void bothTrainersStepWithKLogits() {
    // The non-saturating G loss on [B, K] logits, and the D steps, through the trainers of a
    // config.
    dev.agon.config.AgonConfig c =
        config(
            "objective.kind=semi-supervised",
            "data.labels=all",
            "objective.classes=3",
            "model.dcgan.width=8");
    long[] image = {1, 28, 28};
    DiscriminatorTrainer d = DiscriminatorTrainer.create(c, image);
    GeneratorTrainer g = GeneratorTrainer.create(c, image);
    INDArray real = Nd4j.create(DataType.FLOAT, 4, 1, 28, 28);
    Noise.gaussian(real, 1, 0, 0);
    INDArray fake = Nd4j.create(DataType.FLOAT, 4, 1, 28, 28);
    Noise.gaussian(fake, 1, 0, 1);
    DLoss u = d.step(real, fake);
    DLoss l =
        d.step(
            real,
            fake,
            real.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2)),
            new int[] {2, 0});
    assertThat(u.supervised()).isZero();
    assertThat(l.supervised()).isFinite().isPositive();
    assertThat(g.step(1, d.snapshot(), 4).loss()).isFinite().isPositive();
  }

  @Test
  void aLabelledBatchNeedsTheSemiSupervisedObjective() {
    Mlp d =
        Mlp.create(
            new MlpSpec(2, List.of(4), 1, Activation.RELU, Activation.IDENTITY, 0),
            1,
            DataType.DOUBLE);
    DiscriminatorTrainer t =
        new DiscriminatorTrainer(
            d,
            new Adam(d.numParams(), DataType.DOUBLE, 0.01),
            new StandardGan(StandardGan.GeneratorLoss.NON_SATURATING));
    assertThatThrownBy(() -> t.step(points(2, 1), points(2, 2), points(2, 3), new int[] {0, 1}))
        .isInstanceOf(IllegalStateException.class);
    assertThat(t.updates()).isZero();
  }
}
