package dev.agon.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agon.nn.Network;
import dev.agon.nn.Sequential;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class DiscriminatorClassifierTest {
  @Test
  void accuracyIsTheShareOfRowsWhoseLargestLogitIsTheLabel() {
    // argmax per row: 1, 0, 2, 0 (tie of rows 3 goes to the lower class); labels 1, 2, 2, 0
    var logits =
        Nd4j.createFromArray(new double[][] {{-1, 3, 0}, {5, -2, 4.9}, {0, 0, 0.1}, {2, 2, -7}});
    assertThat(DiscriminatorClassifier.accuracy(logits, new int[] {1, 2, 2, 0})).isEqualTo(0.75);
  }

  @Test
  void refusesLabelsOutsideTheClasses() {
    var logits = Nd4j.createFromArray(new double[][] {{0, 1}});
    assertThatThrownBy(() -> DiscriminatorClassifier.accuracy(logits, new int[] {2}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("label 2");
    assertThatThrownBy(() -> DiscriminatorClassifier.accuracy(logits, new int[] {0, 1}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aDWithBatchStatisticsIsReadAsInAnUpdateNotWithRunningStatisticsItWasNeverSent() {
    // D = batch norm over one input, then logits [-z, z]: class 1 where the batch-normalised
    // input z > 0. The classes sit at 99.5 (class 0) and 100.5 (class 1). Normalised by each
    // batch's statistics (as in an update) every image is right; by the initial running
    // statistics (mean 0, variance 1: the Evaluator's snapshots carry only the parameters) every
    // image looks like class 1, half of them wrongly. 10 images in batches of 4: the last batch
    // of 2 is padded with its first image (class 0), mean 99.75, still right.
    Network d = Sequential.builder(1).batchNorm().linear(2).build(DataType.DOUBLE, 1);
    // gamma 1, beta 0; linear weights [-1, 1], biases 0
    d.copyParamsFrom(Nd4j.createFromArray(1.0, 0.0, -1.0, 1.0, 0.0, 0.0));
    assertThat(d.batchCoupled()).isTrue();
    int[] labels = new int[10];
    INDArray x = Nd4j.create(DataType.DOUBLE, 10, 1);
    for (int i = 0; i < 10; i++) {
      labels[i] = i % 2;
      x.putScalar(i, 0, 99.5 + labels[i]);
    }
    assertThat(DiscriminatorClassifier.accuracy(d, x, labels, 4)).isEqualTo(1.0);
  }
}
