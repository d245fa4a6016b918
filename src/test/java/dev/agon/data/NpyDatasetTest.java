package dev.agon.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agon.tensor.Npy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyDatasetTest {
  @TempDir Path dir;

  /** A version 1.0 .npy file of {@code descr} and {@code shape} holding {@code data}. */
  private Path npy(String name, String descr, String shape, byte[] data) throws IOException {
    String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    int pad = (64 - (10 + dict.length() + 1) % 64) % 64;
    String header = dict + " ".repeat(pad) + "\n";
    ByteBuffer b =
        ByteBuffer.allocate(10 + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
    b.putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII)).put(data);
    return Files.write(dir.resolve(name), b.array());
  }

  /** Two 2x4 RGB images whose value encodes (image, channel, row, col) as 100i + 10c + 4y + x. */
  private static int value(int i, int c, int y, int x) {
    return 100 * i + 10 * c + 4 * y + x;
  }

  @Test
  void uint8InEveryLayoutEndsUpNchw() throws IOException {
    byte[] nhwc = new byte[2 * 2 * 4 * 3];
    byte[] nchw = new byte[nhwc.length];
    for (int i = 0; i < 2; i++) {
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < 2; y++) {
          for (int x = 0; x < 4; x++) {
            nhwc[((i * 2 + y) * 4 + x) * 3 + c] = (byte) value(i, c, y, x);
            nchw[((i * 3 + c) * 2 + y) * 4 + x] = (byte) value(i, c, y, x);
          }
        }
      }
    }
    ImageDataset a = NpyDataset.load(npy("last.npy", "|u1", "(2, 2, 4, 3)", nhwc));
    ImageDataset b = NpyDataset.load(npy("first.npy", "|u1", "(2, 3, 2, 4)", nchw));
    for (ImageDataset d : new ImageDataset[] {a, b}) {
      assertThat(d.shape()).containsExactly(2, 3, 2, 4);
      assertThat(d.isUint8()).isTrue();
      for (int i = 0; i < 2; i++) {
        for (int c = 0; c < 3; c++) {
          assertThat(d.pixel(i, c, 1, 3)).isEqualTo((float) (value(i, c, 1, 3) / 127.5 - 1));
        }
      }
    }
    assertThat(a.name()).isEqualTo("last");
    ImageDataset gray = NpyDataset.load(npy("g.npy", "|u1", "(3, 2, 2)", new byte[12]));
    assertThat(gray.shape()).containsExactly(3, 1, 2, 2);
  }

  @Test
  void float32InMinusOneOneIsReadWithLabels() throws IOException {
    float[] v = {-1f, -0.5f, 0f, 1f, 0.25f, 0.5f, 0.75f, -0.75f};
    Path f = dir.resolve("f.npy");
    Npy.writeFloat32(f, v, 2, 2, 2);
    ByteBuffer lb = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(4).putLong(9);
    Path labels = npy("y.npy", "<i8", "(2,)", lb.array());
    ImageDataset d = NpyDataset.load(f, NpyDataset.Layout.AUTO, labels);
    assertThat(d.isUint8()).isFalse();
    assertThat(d.shape()).containsExactly(2, 1, 2, 2);
    assertThat(d.pixel(1, 0, 1, 1)).isEqualTo(-0.75f);
    assertThat(d.labels()).containsExactly(4, 9);

    Npy.writeFloat32(f, new float[] {0f, 1.5f, 0f, 0f}, 1, 2, 2);
    assertThatThrownBy(() -> NpyDataset.load(f))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining(f + ": float32 pixels must lie in [-1, 1]")
        .hasMessageContaining("value 1 is 1.5");
  }

  @Test
  void ambiguousShapesNeedALayoutAndBadFilesAreNamed() throws IOException {
    Path cube = npy("cube.npy", "|u1", "(1, 3, 3, 3)", new byte[27]);
    assertThatThrownBy(() -> NpyDataset.load(cube))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("give the layout explicitly");
    assertThat(NpyDataset.load(cube, NpyDataset.Layout.NHWC, null).shape())
        .containsExactly(1, 3, 3, 3);
    Path flat = npy("flat.npy", "|u1", "(4, 9)", new byte[36]);
    assertThatThrownBy(() -> NpyDataset.load(flat))
        .hasMessageContaining("expected [N, H, W], [N, H, W, C] or [N, C, H, W]");
    Path ints = npy("ints.npy", "<i2", "(1, 2, 2)", new byte[8]);
    assertThatThrownBy(() -> NpyDataset.load(ints)).hasMessageContaining("dtype '<i2'");
    Path cut = npy("cut.npy", "|u1", "(2, 2, 2)", new byte[5]);
    assertThatThrownBy(() -> NpyDataset.load(cut))
        .hasMessageStartingWith(cut + ": truncated: shape [2, 2, 2] of |u1 needs 8 data bytes");
    Path img = npy("img.npy", "|u1", "(2, 2, 2)", new byte[8]);
    Path labels = npy("labels.npy", "|u1", "(3,)", new byte[3]);
    assertThatThrownBy(() -> NpyDataset.load(img, NpyDataset.Layout.AUTO, labels))
        .hasMessageContaining("labels must be a 1-D array of 2 entries, got [3]");
    Path junk = Files.write(dir.resolve("junk.npy"), new byte[20]);
    assertThatThrownBy(() -> NpyDataset.load(junk))
        .hasMessage(junk + ": not an .npy file (bad magic)");
  }
}
