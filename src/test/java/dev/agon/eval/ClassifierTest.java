package dev.agon.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.agon.data.ImageDataset;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ClassifierTest {
  /** 2 classes of constant images: dark (label 3) and bright (label 7), alternating. */
  static ImageDataset toy(int n) {
    byte[] pixels = new byte[n * 784];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      boolean bright = i % 2 == 1;
      labels[i] = bright ? 7 : 3;
      Arrays.fill(pixels, i * 784, (i + 1) * 784, (byte) (bright ? 200 : 40));
    }
    return ImageDataset.ofUint8("toy", pixels, n, 1, 28, 28, labels);
  }

  @Test
  void learnsASeparableToyProblemInAFewSteps() {
    ImageDataset data = toy(64);
    Classifier c = Classifier.create(3);
    ClassifierTrainer t = new ClassifierTrainer(c, data, 5, 1e-3, 16);
    double first = t.step(0);
    double last = first;
    for (int s = 1; s < 12; s++) {
      last = t.step(s);
    }
    assertThat(last).isLessThan(first);
    assertThat(c.accuracy(data)).isEqualTo(1.0);
  }

  @Test
  void trainingIsDeterministicForASeedAndFlipChangesItOnlyForAsymmetricImages() {
    // Left half bright, right half dark: a mirrored image differs from the original.
    int n = 32;
    byte[] pixels = new byte[n * 784];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 2;
      for (int row = 0; row < 28; row++) {
        Arrays.fill(pixels, i * 784 + row * 28, i * 784 + row * 28 + 14, (byte) (100 + i));
      }
    }
    ImageDataset data = ImageDataset.ofUint8("half", pixels, n, 1, 28, 28, labels);
    float[][] after = new float[3][];
    for (int run = 0; run < 3; run++) {
      Classifier c = Classifier.create(4);
      ClassifierTrainer t = new ClassifierTrainer(c, data, 9, 1e-3, 16);
      t.flip(run < 2);
      t.step(0);
      t.step(1);
      after[run] = c.network().params().toFloatVector();
    }
    assertThat(after[1]).containsExactly(after[0]);
    assertThat(after[2]).isNotEqualTo(after[0]);
  }

  @Test
  void shapesAndProbabilitiesInEvaluationMode() {
    Classifier c = Classifier.create(1);
    ImageDataset data = toy(10);
    INDArray x = data.batch(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
    INDArray p = c.probabilities(x);
    assertThat(p.shape()).containsExactly(10, 10);
    for (double s : p.sum(1).toDoubleVector()) {
      assertThat(s).isCloseTo(1.0, within(1e-5));
    }
    assertThat(c.features(x).shape()).containsExactly(10, 128);
    // Evaluation mode: one image's output does not depend on its batch.
    INDArray alone = c.probabilities(data.batch(new int[] {3}));
    assertThat(alone.getRow(0).toDoubleVector())
        .containsExactly(p.getRow(3).toDoubleVector(), within(1e-5));
    assertThat(c.network().training()).isTrue();
    // Same through the dataset path, in the same order.
    assertThat(c.probabilities(data).ravel().toDoubleVector())
        .containsExactly(p.ravel().toDoubleVector(), within(1e-6));
    assertThat(c.network().numParams()).isEqualTo(436_394L);
    assertThat(c.network().state().length()).isEqualTo(192L);
  }

  @Test
  void inceptionScoreOfKnownDistributions() {
    // Confident and evenly spread over K classes: IS = K. All the same prediction: IS = 1.
    int n = 100;
    INDArray spread = Nd4j.create(DataType.FLOAT, n, 10);
    INDArray same = Nd4j.create(DataType.FLOAT, n, 10);
    for (int i = 0; i < n; i++) {
      spread.putScalar(i, i % 10, 1.0);
      same.putScalar(i, 2, 1.0);
    }
    Classifier.Score s = Classifier.inceptionScore(spread, 10);
    assertThat(s.mean()).isCloseTo(10.0, within(1e-9));
    assertThat(s.std()).isCloseTo(0.0, within(1e-9));
    assertThat(Classifier.inceptionScore(same, 5).mean()).isCloseTo(1.0, within(1e-9));
  }
}
