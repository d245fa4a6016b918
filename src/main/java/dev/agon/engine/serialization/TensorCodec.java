package dev.agon.engine.serialization;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The binary form of one tensor: a format byte, the data type's name, the rank and shape, then the
 * elements in row-major ('c') order, little-endian, bit for bit (NaN payloads and -0 kept). Costs
 * one copy of the data each way (two when encoding a view or an 'f'-ordered array, which is made
 * contiguous first).
 */
public final class TensorCodec {
  /** The format of {@link #encode}; a reader refuses any other. */
  static final byte FORMAT = 1;

  private TensorCodec() {}

  /** The bytes of {@code a}. */
  public static byte[] encode(INDArray a) {
    DataType type = a.dataType();
    byte[] name = type.name().getBytes(StandardCharsets.US_ASCII);
    long[] shape = a.shape();
    long length = a.length();
    int width = type.width();
    long dataBytes = length * width;
    long header = 1 + 1 + name.length + 1 + 8L * shape.length;
    if (header + dataBytes > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("tensor too large to serialize: " + dataBytes + " bytes");
    }
    ByteBuffer out = ByteBuffer.allocate((int) (header + dataBytes)).order(ByteOrder.LITTLE_ENDIAN);
    out.put(FORMAT).put((byte) name.length).put(name).put((byte) shape.length);
    for (long d : shape) {
      out.putLong(d);
    }
    if (length > 0) {
      INDArray c = contiguous(a);
      ByteBuffer data = c.data().asNio().order(ByteOrder.nativeOrder());
      data.position((int) (c.offset() * width)).limit((int) (c.offset() * width + dataBytes));
      copyLittleEndian(data, out, width);
    }
    return out.array();
  }

  /** The tensor {@link #encode} wrote, a new array owned by the caller. */
  public static INDArray decode(byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    byte format = in.get();
    if (format != FORMAT) {
      throw new IllegalArgumentException("unknown tensor format " + format);
    }
    byte[] name = new byte[in.get()];
    in.get(name);
    DataType type = DataType.valueOf(new String(name, StandardCharsets.US_ASCII));
    long[] shape = new long[in.get()];
    long length = 1;
    for (int i = 0; i < shape.length; i++) {
      shape[i] = in.getLong();
      length *= shape[i];
    }
    int width = type.width();
    if (in.remaining() != length * width) {
      throw new IllegalArgumentException(
          "tensor data is " + in.remaining() + " bytes, shape needs " + length * width);
    }
    if (length == 0) {
      return Nd4j.create(type, shape);
    }
    INDArray a = Nd4j.createUninitialized(type, shape, 'c');
    ByteBuffer data = a.data().asNio().order(ByteOrder.nativeOrder());
    copyFromLittleEndian(in, data, width);
    return a;
  }

  /** {@code a} itself when its elements lie in one row-major run, else a 'c' copy. */
  private static INDArray contiguous(INDArray a) {
    boolean plain = !a.isView() && a.ordering() == 'c' && a.data().length() == a.length();
    return plain ? a : a.dup('c');
  }

  private static void copyLittleEndian(ByteBuffer nativeData, ByteBuffer le, int width) {
    if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN || width == 1) {
      le.put(nativeData);
    } else {
      swapCopy(nativeData, le, width);
    }
  }

  private static void copyFromLittleEndian(ByteBuffer le, ByteBuffer nativeData, int width) {
    if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN || width == 1) {
      nativeData.put(le);
    } else {
      swapCopy(le, nativeData, width);
    }
  }

  // Big-endian hosts only: reverses the bytes of each element.
  private static void swapCopy(ByteBuffer from, ByteBuffer to, int width) {
    byte[] e = new byte[width];
    while (from.remaining() >= width) {
      from.get(e);
      for (int i = width - 1; i >= 0; i--) {
        to.put(e[i]);
      }
    }
  }
}
