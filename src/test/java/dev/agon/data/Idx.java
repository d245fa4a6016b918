package dev.agon.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.zip.GZIPOutputStream;

/** Builds small IDX files for tests. */
final class Idx {
  private Idx() {}

  /** An image file: header for (count, rows, cols) followed by {@code pixels} as they are. */
  static byte[] images(int count, int rows, int cols, byte[] pixels) {
    return ByteBuffer.allocate(16 + pixels.length)
        .putInt(IdxReader.IMAGES_MAGIC)
        .putInt(count)
        .putInt(rows)
        .putInt(cols)
        .put(pixels)
        .array();
  }

  /** A label file holding {@code labels}. */
  static byte[] labels(int... labels) {
    ByteBuffer b =
        ByteBuffer.allocate(8 + labels.length).putInt(IdxReader.LABELS_MAGIC).putInt(labels.length);
    for (int l : labels) {
      b.put((byte) l);
    }
    return b.array();
  }

  /** Pixels 0, 1, 2, ... (mod 256) for {@code n} values, with the last one 255. */
  static byte[] ramp(int n) {
    byte[] p = new byte[n];
    for (int i = 0; i < n; i++) {
      p[i] = (byte) i;
    }
    p[n - 1] = (byte) 255;
    return p;
  }

  static byte[] gzip(byte[] raw) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      out.write(raw);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }
}
