package dev.agon.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Per-class accuracy of conditional samples against a hand-counted case. */
class ClassAccuracyTest {
  /** One row of probabilities over 3 classes with its argmax at {@code label}. */
  private static float[] row(int label) {
    float[] p = {0.2f, 0.2f, 0.2f};
    p[label] = 0.6f;
    return p;
  }

  private static float[] rows(int... labels) {
    float[] out = new float[labels.length * 3];
    for (int i = 0; i < labels.length; i++) {
      System.arraycopy(row(labels[i]), 0, out, i * 3, 3);
    }
    return out;
  }

  @Test
  void countsEachBlockAgainstItsOwnClass() {
    // class 0: 4 of 4 labelled 0; class 1: 1 of 4 (three labelled 0, which must not count for
    // class 0's block); class 2: 2 of 4.
    float[] p = rows(0, 0, 0, 0, 0, 1, 0, 0, 2, 1, 2, 0);
    ClassAccuracy.Result r = ClassAccuracy.score(p, 3, 3, 4);
    assertThat(r.perClass()).containsExactly(1.0, 0.25, 0.5);
    assertThat(r.mean()).isEqualTo((1.0 + 0.25 + 0.5) / 3);
  }

  @Test
  void firstArgmaxWinsTies() {
    float[] p = {0.5f, 0.5f, 0f, 0.5f, 0.5f, 0f};
    ClassAccuracy.Result r = ClassAccuracy.score(p, 3, 2, 1);
    assertThat(r.perClass()).containsExactly(1.0, 0.0);
  }

  @Test
  void refusesMismatchedSizes() {
    assertThatThrownBy(() -> ClassAccuracy.score(new float[5], 3, 2, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ClassAccuracy.score(new float[12], 3, 4, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
