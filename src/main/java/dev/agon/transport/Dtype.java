package dev.agon.transport;

import org.nd4j.linalg.api.buffer.DataType;

/** Element type of a frame's payload; its code is the header's dtype byte. */
public enum Dtype {
  FLOAT32(1, 4, DataType.FLOAT),
  FLOAT64(2, 8, DataType.DOUBLE),
  /** Opaque bytes: a whole serialized engine message (the engine's tensor serializer's form). */
  BYTES(3, 1, DataType.UINT8);

  final int code;
  private final int bytes;
  private final DataType nd4j;

  Dtype(int code, int bytes, DataType nd4j) {
    this.code = code;
    this.bytes = bytes;
    this.nd4j = nd4j;
  }

  /** Bytes per element. */
  public int bytes() {
    return bytes;
  }

  /** The ND4J data type of this dtype. */
  public DataType nd4j() {
    return nd4j;
  }

  /** The dtype of ND4J type {@code t}; IllegalArgumentException for types frames do not carry. */
  public static Dtype of(DataType t) {
    for (Dtype d : values()) {
      if (d.nd4j == t) {
        return d;
      }
    }
    throw new IllegalArgumentException("frames carry FLOAT or DOUBLE tensors, not " + t);
  }

  /** The dtype with header code {@code code}, or null. */
  static Dtype ofCode(int code) {
    return code == 1 ? FLOAT32 : code == 2 ? FLOAT64 : code == 3 ? BYTES : null;
  }
}
