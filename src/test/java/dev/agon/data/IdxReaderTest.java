package dev.agon.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agon.tensor.Tensors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class IdxReaderTest {
  @TempDir Path dir;

  private Path write(String name, byte[] bytes) throws IOException {
    return Files.write(dir.resolve(name), bytes);
  }

  @Test
  void readsRawImagesAndLabelsScaledToMinusOneOne() throws IOException {
    byte[] px = Idx.ramp(3 * 2 * 3);
    Path img = write("imgs", Idx.images(3, 2, 3, px));
    Path lab = write("labs", Idx.labels(7, 0, 9));
    ImageDataset d = IdxReader.read("tiny", img, lab);
    assertThat(d.shape()).containsExactly(3, 1, 2, 3);
    assertThat(d.labels()).containsExactly(7, 0, 9);
    assertThat(d.pixel(0, 0, 0, 0)).isEqualTo(-1f);
    assertThat(d.pixel(2, 0, 1, 2)).isEqualTo(1f);
    assertThat(d.pixel(1, 0, 0, 1)).isEqualTo((float) (7 / 127.5 - 1));
  }

  @Test
  void gzipIsRecognisedByItsMagicBytesWhateverTheName() throws IOException {
    byte[] px = Idx.ramp(4 * 5 * 6);
    Path raw = write("raw-images", Idx.images(4, 5, 6, px));
    Path gz = write("compressed-without-suffix", Idx.gzip(Idx.images(4, 5, 6, px)));
    Path labels = write("labels.gz", Idx.gzip(Idx.labels(1, 2, 3, 4)));
    ImageDataset a = IdxReader.read("a", raw, null);
    ImageDataset b = IdxReader.read("b", gz, labels);
    assertThat(a.hasLabels()).isFalse();
    assertThat(a.labels()).isNull();
    assertThat(b.labels()).containsExactly(1, 2, 3, 4);
    assertThat(Tensors.toFloats(b.batch(new int[] {0, 1, 2, 3})))
        .isEqualTo(Tensors.toFloats(a.batch(new int[] {0, 1, 2, 3})));
  }

  @Test
  void truncatedRawFileSaysWhatTheHeaderPromised() throws IOException {
    byte[] whole = Idx.images(3, 2, 3, Idx.ramp(18));
    Path f = write("train-images-idx3-ubyte", Arrays.copyOf(whole, 30));
    assertThatThrownBy(() -> IdxReader.read("t", f, null))
        .isInstanceOf(DatasetException.class)
        .hasMessage(
            f + ": truncated: header says 3 images of 2x3 (34 bytes) but the file has 30 bytes");
  }

  @Test
  void truncatedGzipContentCountsDecompressedBytes() throws IOException {
    byte[] whole = Idx.images(3, 2, 3, Idx.ramp(18));
    Path f = write("train-images-idx3-ubyte.gz", Idx.gzip(Arrays.copyOf(whole, 20)));
    assertThatThrownBy(() -> IdxReader.read("t", f, null))
        .isInstanceOf(DatasetException.class)
        .hasMessage(
            f
                + ": truncated: header says 3 images of 2x3 (34 bytes) but the file has 20 bytes"
                + " (decompressed)");
  }

  @Test
  void cutGzipStreamAndGarbageAfterTheMagicAreReported() throws IOException {
    byte[] gz = Idx.gzip(Idx.images(50, 10, 10, new byte[5000]));
    Path cut = write("cut.gz", Arrays.copyOf(gz, gz.length / 2));
    assertThatThrownBy(() -> IdxReader.read("t", cut, null))
        .isInstanceOf(DatasetException.class)
        .hasMessageStartingWith(cut + ": truncated");
    byte[] garbage = gz.clone();
    for (int i = 12; i < garbage.length; i++) {
      garbage[i] = (byte) (i * 31);
    }
    Path bad = write("bad.gz", garbage);
    assertThatThrownBy(() -> IdxReader.read("t", bad, null))
        .isInstanceOf(DatasetException.class)
        .hasMessageStartingWith(bad + ": ");
  }

  @Test
  void trailingBytesAreAnOversizedFile() throws IOException {
    byte[] whole = Idx.images(3, 2, 3, Idx.ramp(18));
    byte[] longer = Arrays.copyOf(whole, whole.length + 5);
    Path raw = write("raw", longer);
    Path gz = write("gz", Idx.gzip(longer));
    assertThatThrownBy(() -> IdxReader.read("t", raw, null))
        .hasMessage(
            raw + ": oversized: header says 3 images of 2x3 (34 bytes) but the file has 39 bytes");
    assertThatThrownBy(() -> IdxReader.read("t", gz, null))
        .hasMessage(
            gz
                + ": oversized: header says 3 images of 2x3 (34 bytes) but the file has 39 bytes"
                + " (decompressed)");
  }

  @Test
  void wrongMagicNumbersAreNamed() throws IOException {
    Path labels = write("labels", Idx.labels(1, 2));
    assertThatThrownBy(() -> IdxReader.read("t", labels, null))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(labels + ": unexpected magic number 0x00000801")
        .hasMessageContaining("this is a label file")
        .hasMessageContaining("expected 0x00000803");
    byte[] floats = Idx.images(1, 1, 1, new byte[4]);
    floats[2] = 0x0d;
    Path f = write("floats", floats);
    assertThatThrownBy(() -> IdxReader.read("t", f, null))
        .hasMessageContaining("element type 0x0d");
    Path png = write("image.png", new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
    assertThatThrownBy(() -> IdxReader.read("t", png, null))
        .hasMessageStartingWith(png + ": bad magic number 0x89504e47, not an IDX file");
    Path empty = write("empty", new byte[0]);
    assertThatThrownBy(() -> IdxReader.read("t", empty, null))
        .hasMessageStartingWith(empty + ": truncated: 0 bytes");
  }

  @Test
  void negativeOrZeroDimensionsAreRejected() throws IOException {
    byte[] b = Idx.images(1, 1, 1, new byte[1]);
    ByteBuffer.wrap(b).putInt(8, 0);
    Path f = write("zero-rows", b);
    assertThatThrownBy(() -> IdxReader.read("t", f, null))
        .hasMessage(f + ": bad dimensions: header says 1 images of 0x1");
    byte[] huge = Idx.images(1, 1, 1, new byte[1]);
    ByteBuffer.wrap(huge).putInt(4, 0x7fffffff).putInt(8, 28).putInt(12, 28);
    Path h = write("huge", huge);
    assertThatThrownBy(() -> IdxReader.read("t", h, null)).hasMessageContaining("too large");
  }

  @Test
  void imageAndLabelCountsMustAgree() throws IOException {
    Path img = write("imgs", Idx.images(3, 2, 2, new byte[12]));
    Path lab = write("labs", Idx.labels(1, 2));
    assertThatThrownBy(() -> IdxReader.read("t", img, lab))
        .isInstanceOf(DatasetException.class)
        .hasMessageStartingWith(img + ": 3 images but " + lab + ": 2 labels");
  }

  @Test
  void missingFileIsADatasetException() {
    Path nowhere = dir.resolve("nowhere");
    assertThatThrownBy(() -> IdxReader.read("t", nowhere, null))
        .isInstanceOf(DatasetException.class)
        .hasMessage(nowhere + ": no such file");
  }

  @Test
  void fillWritesChosenImagesIntoNchwOrFlatBatches() throws IOException {
    byte[] px = Idx.ramp(5 * 2 * 2);
    ImageDataset d = IdxReader.read("t", write("imgs", Idx.images(5, 2, 2, px)), null);
    INDArray nchw = Nd4j.create(DataType.FLOAT, 2, 1, 2, 2);
    d.fill(new int[] {9, 4, 1, 9}, 1, 2, nchw);
    float[] got = Tensors.toFloats(nchw);
    float[] want = new float[8];
    for (int k = 0; k < 4; k++) {
      want[k] = (float) ((px[16 + k] & 0xff) / 127.5 - 1);
      want[4 + k] = (float) ((px[4 + k] & 0xff) / 127.5 - 1);
    }
    assertThat(got).containsExactly(want);
    INDArray flat = Nd4j.create(DataType.FLOAT, 2, 4);
    d.fill(new int[] {4, 1}, flat);
    assertThat(Tensors.toFloats(flat)).containsExactly(want);
    assertThatThrownBy(() -> d.fill(new int[] {4, 1}, Nd4j.create(DataType.FLOAT, 2, 5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected a dense FLOAT [2, 1, 2, 2] or [2, 4] array");
    assertThatThrownBy(() -> d.fill(new int[] {4, 5}, flat))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }
}
