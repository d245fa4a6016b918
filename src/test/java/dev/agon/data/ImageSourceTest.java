package dev.agon.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agon.tensor.Tensors;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ImageSourceTest {
  /** N images of 1x2x2 whose first pixel and label identify them (N <= 256). */
  private static ImageDataset numbered(int n) {
    byte[] px = new byte[n * 4];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      px[4 * i] = (byte) i;
      px[4 * i + 3] = (byte) (255 - i);
      labels[i] = i;
    }
    return ImageDataset.ofUint8("numbered", px, n, 1, 2, 2, labels);
  }

  @Test
  void aBatchIsAPureFunctionOfSeedAndIndex() {
    ImageDataset d = numbered(103);
    ImageSource a = new ImageSource(d, 7);
    float[] first = Tensors.toFloats(a.batch(25, 10).x());
    a.batch(3, 10); // another epoch in between
    // Same source again, and a fresh source as a resumed run would build.
    assertThat(Tensors.toFloats(a.batch(25, 10).x())).isEqualTo(first);
    assertThat(Tensors.toFloats(new ImageSource(d, 7).batch(25, 10).x())).isEqualTo(first);
    assertThat(Tensors.toFloats(a.batch(26, 10).x())).isNotEqualTo(first);
    assertThat(Tensors.toFloats(new ImageSource(d, 8).batch(25, 10).x())).isNotEqualTo(first);
  }

  @Test
  void everyImageAtMostOncePerEpochAndTheRemainderDropped() {
    ImageSource s = new ImageSource(numbered(103), 1);
    assertThat(s.batchesPerEpoch(10)).isEqualTo(10);
    for (int e = 0; e < 3; e++) {
      Set<Integer> seen = new HashSet<>();
      for (int b = 10 * e; b < 10 * e + 10; b++) {
        assertThat(s.epoch(b, 10)).isEqualTo(e);
        for (int i : s.indices(b, 10)) {
          assertThat(seen.add(i)).as("image %d twice in epoch %d", i, e).isTrue();
        }
      }
      assertThat(seen).hasSize(100);
      int[] perm = s.permutation(e);
      Set<Integer> dropped = new HashSet<>();
      for (int k = 100; k < 103; k++) {
        dropped.add(perm[k]);
      }
      assertThat(dropped).doesNotContainAnyElementsOf(seen);
    }
    assertThat(s.permutation(0)).isNotEqualTo(s.permutation(1));
    int[] sorted = s.permutation(2);
    Arrays.sort(sorted);
    assertThat(sorted).isEqualTo(java.util.stream.IntStream.range(0, 103).toArray());
  }

  @Test
  void batchHoldsTheImagesAndLabelsOfItsIndices() {
    ImageDataset d = numbered(50);
    ImageSource s = new ImageSource(d, 3);
    BatchSource.Batch b = s.batch(7, 8);
    assertThat(b.index()).isEqualTo(7);
    assertThat(b.epoch()).isEqualTo(1); // 6 batches per epoch
    assertThat(b.x().shape()).containsExactly(8, 1, 2, 2);
    assertThat(Tensors.toFloats(b.x())).isEqualTo(Tensors.toFloats(d.batch(s.indices(7, 8))));
    assertThat(s.labels(7, 8)).isEqualTo(s.indices(7, 8));
    assertThat(s.dims()).isEqualTo(4);

    ImageSource flat = new ImageSource(d, 3, true);
    INDArray f = flat.batch(7, 8).x();
    assertThat(f.shape()).containsExactly(8, 4);
    assertThat(Tensors.toFloats(f)).isEqualTo(Tensors.toFloats(b.x()));
    INDArray out = Nd4j.create(DataType.FLOAT, 8, 1, 2, 2);
    assertThat(s.fill(7, out)).isEqualTo(1);
    assertThat(Tensors.toFloats(out)).isEqualTo(Tensors.toFloats(b.x()));
  }

  @Test
  void labelsAreNullWithoutLabelsAndBadSizesAreRejected() {
    ImageSource s = new ImageSource(ImageDataset.ofUint8("x", new byte[12], 3, 1, 2, 2, null), 1);
    assertThat(s.labels(0, 2)).isNull();
    assertThatThrownBy(() -> s.batch(0, 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("batch size 4 must be in [1, 3]");
    assertThatThrownBy(() -> s.batch(-1, 2)).isInstanceOf(IllegalArgumentException.class);
  }
}
