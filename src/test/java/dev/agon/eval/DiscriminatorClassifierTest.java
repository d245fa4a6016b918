package dev.agon.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
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
}
