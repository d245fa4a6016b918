package dev.agon.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CodeAccuracyTest {
  @Test
  void handComputedCaseWhereTheGreedyChoiceIsWrong() {
    // Greedy takes value 0 -> class 0 (5) and leaves value 1 class 1 (0): 5 of 14. The best
    // mapping is 0 -> 1, 1 -> 0: (4 + 5) / 14.
    long[][] confusion = {{5, 4}, {5, 0}};
    CodeAccuracy.Result r = CodeAccuracy.best(confusion);
    assertThat(r.classOf()).containsExactly(1, 0);
    assertThat(r.accuracy()).isEqualTo(9.0 / 14);
  }

  @Test
  void aPermutedDiagonalIsFoundAgainstEveryOtherMapping() {
    int n = 10;
    int[] perm = {3, 7, 0, 9, 1, 4, 8, 2, 6, 5};
    long[][] confusion = new long[n][n];
    for (int v = 0; v < n; v++) {
      for (int c = 0; c < n; c++) {
        confusion[v][c] = c == perm[v] ? 90 : (v + c) % 3;
      }
    }
    CodeAccuracy.Result r = CodeAccuracy.best(confusion);
    assertThat(r.classOf()).containsExactly(perm);
    long total = 0;
    long diag = 0;
    for (int v = 0; v < n; v++) {
      diag += confusion[v][perm[v]];
      for (long x : confusion[v]) {
        total += x;
      }
    }
    assertThat(r.accuracy()).isEqualTo((double) diag / total);
  }

  @Test
  void fewerValuesThanClassesMapOntoDistinctClasses() {
    long[][] confusion = {{0, 3, 3}, {0, 4, 0}};
    CodeAccuracy.Result r = CodeAccuracy.best(confusion);
    assertThat(r.classOf()).containsExactly(2, 1);
    assertThat(r.accuracy()).isEqualTo(7.0 / 10);
  }

  @Test
  void refusesMoreValuesThanClasses() {
    assertThatThrownBy(() -> CodeAccuracy.best(new long[][] {{1}, {1}}))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
