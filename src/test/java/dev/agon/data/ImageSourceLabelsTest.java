package dev.agon.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.tensor.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Real batches with labels (data.labels): the classes of x and the labelled minibatch. */
class ImageSourceLabelsTest {
  /** N images of 1x2x2 whose first pixel is their index (N <= 256), of class index % 5. */
  private static ImageDataset numbered(int n) {
    byte[] px = new byte[n * 4];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      px[4 * i] = (byte) i;
      labels[i] = (i * 7) % 5;
    }
    return ImageDataset.ofUint8("numbered", px, n, 1, 2, 2, labels);
  }

  /** The data-set index of each image of {@code x} ([B, 1, 2, 2] or [B, 4]), from pixel 0. */
  private static int[] indicesOf(INDArray x) {
    float[] v = Tensors.toFloats(x);
    int[] out = new int[(int) x.size(0)];
    for (int b = 0; b < out.length; b++) {
      out[b] = Math.round((v[4 * b] + 1) * 127.5f);
    }
    return out;
  }

  @Test
  void eachImageCarriesItsOwnLabelAndXIsTheUnlabelledOrderOfTheWholeSet() {
    ImageDataset d = numbered(103);
    LabelledSet set = LabelledSet.draw(d, 4, 9);
    ImageSource plain = new ImageSource(d, 7);
    ImageSource labelled = new ImageSource(d, 7, false, true, set);
    for (long i : new long[] {0, 5, 11, 40}) {
      BatchSource.Batch b = labelled.batch(i, 9);
      // x is the batch the run without labels sees: drawn from all 103 images.
      assertThat(Tensors.toFloats(b.x())).isEqualTo(Tensors.toFloats(plain.batch(i, 9).x()));
      int[] idx = indicesOf(b.x());
      assertThat(idx).isEqualTo(labelled.indices(i, 9));
      for (int k = 0; k < idx.length; k++) {
        assertThat(b.labels()[k]).as("label of image %d", idx[k]).isEqualTo(d.label(idx[k]));
      }
    }
  }

  @Test
  void theLabelledMinibatchHoldsLabelledExamplesWithTheirLabels() {
    ImageDataset d = numbered(103);
    LabelledSet set = LabelledSet.draw(d, 4, 9);
    for (boolean flat : new boolean[] {false, true}) {
      ImageSource s = new ImageSource(d, 7, flat, true, set);
      BatchSource.Batch b = s.batch(3, 8);
      BatchSource.Labelled l = b.labelled();
      assertThat(l.x().shape()).isEqualTo(b.x().shape());
      int[] idx = indicesOf(l.x());
      assertThat(idx).isEqualTo(s.labelledIndices(3, 8));
      for (int k = 0; k < idx.length; k++) {
        assertThat(Arrays.binarySearch(set.indices(), idx[k])).as("labelled").isNotNegative();
        assertThat(l.labels()[k]).isEqualTo(d.label(idx[k]));
      }
    }
  }

  @Test
  void eachPassOverTheLabelledSetHoldsEveryExampleOnceEvenWhenTheBatchIsLarger() {
    ImageDataset d = numbered(103);
    LabelledSet set = LabelledSet.draw(d, 2, 9); // 10 examples, batches of 16
    ImageSource s = new ImageSource(d, 7, false, true, set);
    List<Integer> stream = new ArrayList<>();
    for (long i = 0; i < 5; i++) {
      for (int k : s.labelledIndices(i, 16)) {
        stream.add(k);
      }
    }
    for (int pass = 0; pass < 8; pass++) {
      int[] got =
          stream.subList(pass * 10, pass * 10 + 10).stream().mapToInt(Integer::intValue).toArray();
      Arrays.sort(got);
      assertThat(got).as("pass %d", pass).isEqualTo(set.indices());
    }
    // Passes are shuffled differently.
    assertThat(stream.subList(0, 10)).isNotEqualTo(stream.subList(10, 20));
  }

  @Test
  void labelledBatchesAreAPureFunctionOfSeedAndIndexSoAResumeSeesTheSameOnes() {
    ImageDataset d = numbered(103);
    LabelledSet set = LabelledSet.draw(d, 4, 9);
    ImageSource run = new ImageSource(d, 7, false, true, set);
    List<float[]> xs = new ArrayList<>();
    List<int[]> labels = new ArrayList<>();
    for (long i = 0; i < 30; i++) {
      BatchSource.Batch b = run.batch(i, 8);
      xs.add(Tensors.toFloats(b.labelled().x()));
      labels.add(b.labelled().labels());
    }
    // A resumed run builds a fresh source (the set drawn again) and goes on from batch 17.
    ImageSource resumed = new ImageSource(d, 7, false, true, LabelledSet.draw(d, 4, 9));
    for (long i = 17; i < 30; i++) {
      BatchSource.Batch b = resumed.batch(i, 8);
      assertThat(Tensors.toFloats(b.labelled().x())).isEqualTo(xs.get((int) i));
      assertThat(b.labelled().labels()).isEqualTo(labels.get((int) i));
    }
    // Another run seed orders the labelled examples differently.
    ImageSource other = new ImageSource(d, 8, false, true, set);
    assertThat(Tensors.toFloats(other.batch(0, 8).labelled().x())).isNotEqualTo(xs.get(0));
  }

  @Test
  void withoutALabelledSetBatchesCarryOnlyWhatWasAskedFor() {
    ImageDataset d = numbered(20);
    BatchSource.Batch none = new ImageSource(d, 7, false).batch(0, 4);
    assertThat(none.labels()).isNull();
    assertThat(none.labelled()).isNull();
    BatchSource.Batch classes = new ImageSource(d, 7, false, true, null).batch(0, 4);
    assertThat(classes.labels()).hasSize(4);
    assertThat(classes.labelled()).isNull();
  }
}
