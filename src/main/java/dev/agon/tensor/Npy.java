package dev.agon.tensor;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} (format 1.0) for little-endian float32 C-order arrays: the exchange format of
 * {@code agon sample}, readable by any tool ({@code numpy.load}).
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

  private Npy() {}

  /** Writes {@code data} (row-major) with the given shape as {@code <f4}. */
  public static void writeFloat32(Path file, float[] data, long... shape) throws IOException {
    long count = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    if (count != data.length) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(shape) + " holds " + count + " values, got " + data.length);
    }
    StringBuilder dims = new StringBuilder();
    for (long d : shape) {
      dims.append(d).append(", ");
    }
    String shapeText =
        shape.length == 1
            ? "(" + shape[0] + ",)"
            : "(" + dims.substring(0, dims.length() - 2) + ")";
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shapeText + ", }";
    // Header (magic + version + length + dict + padding + '\n') is a multiple of 64 bytes.
    int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
    int pad = (64 - unpadded % 64) % 64;
    String header = dict + " ".repeat(pad) + "\n";
    ByteBuffer buf =
        ByteBuffer.allocate(MAGIC.length + 4 + header.length() + 4 * data.length)
            .order(ByteOrder.LITTLE_ENDIAN);
    buf.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
    buf.put(header.getBytes(StandardCharsets.US_ASCII));
    buf.asFloatBuffer().put(data);
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(buf.array());
    }
  }

  /** An array read back: shape and row-major values. */
  public record Array(long[] shape, float[] data) {}

  /** Reads a {@code <f4} C-order file written by {@link #writeFloat32} or NumPy. */
  public static Array readFloat32(Path file) throws IOException {
    ByteBuffer buf;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      buf = ByteBuffer.allocate(Math.toIntExact(ch.size())).order(ByteOrder.LITTLE_ENDIAN);
      while (buf.hasRemaining() && ch.read(buf) >= 0) {}
      buf.flip();
    }
    byte[] magic = new byte[MAGIC.length];
    if (buf.remaining() < 10) {
      throw new IOException(file + ": not an .npy file (too short)");
    }
    buf.get(magic);
    if (!Arrays.equals(magic, MAGIC)) {
      throw new IOException(file + ": not an .npy file (bad magic)");
    }
    int major = buf.get();
    buf.get();
    int headerLen = major == 1 ? Short.toUnsignedInt(buf.getShort()) : buf.getInt();
    byte[] h = new byte[headerLen];
    buf.get(h);
    String header = new String(h, StandardCharsets.US_ASCII);
    if (!header.contains("'<f4'") || header.contains("'fortran_order': True")) {
      throw new IOException(file + ": only little-endian float32 C-order arrays are supported");
    }
    Matcher m = SHAPE.matcher(header);
    if (!m.find()) {
      throw new IOException(file + ": header has no shape");
    }
    long[] shape =
        Arrays.stream(m.group(1).split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .mapToLong(Long::parseLong)
            .toArray();
    long count = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    if (buf.remaining() != 4 * count) {
      throw new IOException(
          file + ": expected " + count + " float32 values, found " + buf.remaining() + " bytes");
    }
    float[] data = new float[(int) count];
    buf.asFloatBuffer().get(data);
    return new Array(shape, data);
  }
}
