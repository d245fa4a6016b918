package dev.agon.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
  @TempDir Path dir;

  @Test
  void roundTripWithAlignedHeader() throws IOException {
    float[] v = {1f, -2.5f, Float.MIN_VALUE, 3e7f, 0f, -0f};
    Path f = dir.resolve("a.npy");
    Npy.writeFloat32(f, v, 3, 2);
    byte[] bytes = Files.readAllBytes(f);
    int headerLen = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
    assertThat((10 + headerLen) % 64).isZero();
    String header = new String(bytes, 10, headerLen, StandardCharsets.US_ASCII);
    assertThat(header).startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }");
    assertThat(header).endsWith("\n");
    Npy.Array a = Npy.readFloat32(f);
    assertThat(a.shape()).containsExactly(3, 2);
    assertThat(Arrays.equals(a.data(), v)).isTrue();
  }

  @Test
  void oneDimensionalShapeUsesTupleComma() throws IOException {
    Path f = dir.resolve("b.npy");
    Npy.writeFloat32(f, new float[] {1, 2, 3}, 3);
    assertThat(new String(Files.readAllBytes(f), StandardCharsets.US_ASCII))
        .contains("'shape': (3,)");
    assertThat(Npy.readFloat32(f).shape()).containsExactly(3);
  }

  @Test
  void truncatedFileIsRejected() throws IOException {
    Path f = dir.resolve("c.npy");
    Npy.writeFloat32(f, new float[] {1, 2, 3, 4}, 2, 2);
    byte[] b = Files.readAllBytes(f);
    Files.write(f, Arrays.copyOf(b, b.length - 3));
    assertThatThrownBy(() -> Npy.readFloat32(f))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("expected 4 float32 values");
  }
}
