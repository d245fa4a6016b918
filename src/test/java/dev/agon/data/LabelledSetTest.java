package dev.agon.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LabelledSetTest {
  /** {@code n} 1x1x1 images, image i of class {@code classOf[i % classOf.length]}. */
  static ImageDataset classes(int n, int... classOf) {
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = classOf[i % classOf.length];
    }
    return ImageDataset.ofUint8("classes", new byte[n], n, 1, 1, 1, labels);
  }

  @Test
  void drawsExactlyNOfEachClassAscendingAndNoImageTwice() {
    // Uneven classes: 0 holds 60 images, 1 and 2 hold 30 each.
    ImageDataset d = classes(120, 0, 1, 0, 2);
    LabelledSet s = LabelledSet.draw(d, 7, 3);
    assertThat(s.size()).isEqualTo(21);
    int[] perClass = new int[3];
    for (int i : s.indices()) {
      perClass[d.label(i)]++;
    }
    assertThat(perClass).containsExactly(7, 7, 7);
    assertThat(s.indices()).isSorted().doesNotHaveDuplicates();
    assertThat(s.perClass()).isEqualTo(7);
    assertThat(s.seed()).isEqualTo(3);
  }

  @Test
  void theDrawIsAPureFunctionOfTheSeedAndDiffersBetweenSeeds() {
    ImageDataset d = classes(600, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    int[] a = LabelledSet.draw(d, 10, 1).indices();
    assertThat(LabelledSet.draw(classes(600, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9), 10, 1).indices())
        .isEqualTo(a);
    int[] b = LabelledSet.draw(d, 10, 2).indices();
    int[] c = LabelledSet.draw(d, 10, 3).indices();
    assertThat(b).isNotEqualTo(a);
    assertThat(c).isNotEqualTo(a).isNotEqualTo(b);
    // Three draws of 100 from 600 share some images, not most of them.
    assertThat(Arrays.stream(b).filter(i -> Arrays.binarySearch(a, i) >= 0).count()).isLessThan(50);
  }

  @Test
  void allIsEveryImage() {
    LabelledSet s = LabelledSet.all(classes(9, 0, 1, 2));
    assertThat(s.indices()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8);
    assertThat(s.perClass()).isZero();
  }

  @Test
  void aClassSmallerThanNIsRefusedNamingTheKeyAndTheClass() {
    ImageDataset d = classes(120, 0, 1, 0, 2);
    assertThat(LabelledSet.draw(d, 30, 1).size()).isEqualTo(90);
    assertThatThrownBy(() -> LabelledSet.draw(d, 31, 1))
        .isInstanceOf(DatasetException.class)
        .hasMessage(
            "data.labels = 31 per class is more than class 1 of classes holds (30 images; the"
                + " smallest class holds 30)");
    // A class value with no image at all holds 0.
    assertThatThrownBy(() -> LabelledSet.draw(classes(10, 0, 2), 1, 1))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("class 1 of classes holds (0 images");
  }

  @Test
  void aDataSetWithoutLabelsIsRefusedNamingTheKey() {
    ImageDataset d = ImageDataset.ofUint8("plain", new byte[4], 4, 1, 1, 1, null);
    assertThatThrownBy(() -> LabelledSet.draw(d, 1, 1))
        .isInstanceOf(DatasetException.class)
        .hasMessageStartingWith("data.labels = 1 needs labels, but plain has none");
    assertThatThrownBy(() -> LabelledSet.all(d))
        .isInstanceOf(DatasetException.class)
        .hasMessageStartingWith("data.labels = all needs labels");
  }
}
