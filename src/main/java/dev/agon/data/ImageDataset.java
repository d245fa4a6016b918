package dev.agon.data;

import dev.agon.tensor.DenseAccess;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An immutable in-memory image data set: {@code N} images of {@code C×H×W} in NCHW order, seen as
 * float32 in [-1, 1], optional integer labels and a name.
 *
 * <p>Pixels are held once, compactly: 8-bit sources (IDX, PNG/JPEG, uint8 NPY) as one {@code
 * byte[]} of unsigned values (Fashion-MNIST train: 47 MB), scaled on the fly as {@code x/127.5 − 1}
 * (0 ↦ −1, 255 ↦ 1) through a 256-entry table; float sources as one {@code float[]} already in [-1,
 * 1]. The data set is limited to 2³¹ − 1 pixel values. Instances are safe to share between threads.
 */
public final class ImageDataset {
  private static final float[] SCALE = new float[256];

  static {
    for (int v = 0; v < 256; v++) {
      SCALE[v] = (float) (v / 127.5 - 1.0);
    }
  }

  private final String name;
  private final int size;
  private final int channels;
  private final int height;
  private final int width;
  private final int sampleSize;
  private final byte[] bytes;
  private final float[] floats;
  private final int[] labels;
  private volatile String fingerprint;

  /** Takes ownership of the arrays (no copy): exactly one of bytes and floats is non-null. */
  private ImageDataset(
      String name,
      int size,
      int channels,
      int height,
      int width,
      byte[] bytes,
      float[] floats,
      int[] labels) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("a data set needs a name");
    }
    if (size < 1 || channels < 1 || height < 1 || width < 1) {
      throw new IllegalArgumentException(
          name
              + ": shape ["
              + size
              + ", "
              + channels
              + ", "
              + height
              + ", "
              + width
              + "]"
              + " must be positive");
    }
    long total = (long) size * channels * height * width;
    int held = bytes != null ? bytes.length : floats.length;
    if (total != held) {
      throw new IllegalArgumentException(
          name
              + ": shape ["
              + size
              + ", "
              + channels
              + ", "
              + height
              + ", "
              + width
              + "] holds "
              + total
              + " values, got "
              + held);
    }
    if (labels != null && labels.length != size) {
      throw new IllegalArgumentException(
          name + ": " + size + " images but " + labels.length + " labels");
    }
    this.name = name;
    this.size = size;
    this.channels = channels;
    this.height = height;
    this.width = width;
    this.sampleSize = channels * height * width;
    this.bytes = bytes;
    this.floats = floats;
    this.labels = labels;
  }

  /** Wraps unsigned 8-bit NCHW pixels without copying them; for this package's readers. */
  static ImageDataset wrapUint8(
      String name, byte[] pixels, int size, int channels, int height, int width, int[] labels) {
    return new ImageDataset(name, size, channels, height, width, pixels, null, labels);
  }

  /** Wraps NCHW floats in [-1, 1] without copying them (range checked); for this package. */
  static ImageDataset wrapFloat(
      String name, float[] pixels, int size, int channels, int height, int width, int[] labels) {
    checkRange(name, pixels);
    return new ImageDataset(name, size, channels, height, width, null, pixels, labels);
  }

  /**
   * A data set of unsigned 8-bit pixels (0..255) in NCHW order; {@code labels} may be null. Both
   * arrays are copied.
   */
  public static ImageDataset ofUint8(
      String name, byte[] pixels, int size, int channels, int height, int width, int[] labels) {
    return wrapUint8(
        name,
        pixels.clone(),
        size,
        channels,
        height,
        width,
        labels == null ? null : labels.clone());
  }

  /**
   * A data set of float pixels already in [-1, 1] in NCHW order (a value outside, or NaN, is an
   * {@link IllegalArgumentException}); {@code labels} may be null. Both arrays are copied.
   */
  public static ImageDataset ofFloat(
      String name, float[] pixels, int size, int channels, int height, int width, int[] labels) {
    return wrapFloat(
        name,
        pixels.clone(),
        size,
        channels,
        height,
        width,
        labels == null ? null : labels.clone());
  }

  private static void checkRange(String name, float[] pixels) {
    for (int i = 0; i < pixels.length; i++) {
      float v = pixels[i];
      if (!(v >= -1f && v <= 1f)) {
        throw new IllegalArgumentException(
            name + ": pixel values must lie in [-1, 1]; value " + i + " is " + v);
      }
    }
  }

  public String name() {
    return name;
  }

  /** Number of images N. */
  public int size() {
    return size;
  }

  public int channels() {
    return channels;
  }

  public int height() {
    return height;
  }

  public int width() {
    return width;
  }

  /** Values per image, C·H·W. */
  public int sampleSize() {
    return sampleSize;
  }

  /** {@code [N, C, H, W]}. */
  public long[] shape() {
    return new long[] {size, channels, height, width};
  }

  /** Whether the pixels are held as unsigned bytes (else as floats). */
  public boolean isUint8() {
    return bytes != null;
  }

  public boolean hasLabels() {
    return labels != null;
  }

  /** A copy of the labels, or null when the data set has none. */
  public int[] labels() {
    return labels == null ? null : labels.clone();
  }

  /** Label of image {@code i}; an {@link IllegalStateException} when there are no labels. */
  public int label(int i) {
    if (labels == null) {
      throw new IllegalStateException(name + " has no labels");
    }
    return labels[checkIndex(i)];
  }

  /** Pixel (channel c, row y, column x) of image i, in [-1, 1]. */
  public float pixel(int i, int c, int y, int x) {
    int at = checkIndex(i) * sampleSize + (c * height + y) * width + x;
    return bytes != null ? SCALE[bytes[at] & 0xff] : floats[at];
  }

  /**
   * Each pixel's mean over all images, in [-1, 1], in {@code C·H·W} order: summed in double (8-bit
   * data as integer counts, exactly), one pass over the set.
   */
  public double[] pixelMeans() {
    double[] mean = new double[sampleSize];
    if (bytes != null) {
      long[] sum = new long[sampleSize];
      for (int i = 0, at = 0; i < size; i++) {
        for (int k = 0; k < sampleSize; k++, at++) {
          sum[k] += bytes[at] & 0xff;
        }
      }
      for (int k = 0; k < sampleSize; k++) {
        mean[k] = sum[k] / (127.5 * size) - 1.0;
      }
    } else {
      for (int i = 0, at = 0; i < size; i++) {
        for (int k = 0; k < sampleSize; k++, at++) {
          mean[k] += floats[at];
        }
      }
      for (int k = 0; k < sampleSize; k++) {
        mean[k] /= size;
      }
    }
    return mean;
  }

  /** A new FLOAT {@code [B, C, H, W]} array holding the images {@code indices}, in that order. */
  public INDArray batch(int[] indices) {
    INDArray out = Nd4j.create(DataType.FLOAT, indices.length, channels, height, width);
    fill(indices, 0, indices.length, out);
    return out;
  }

  /** {@link #fill(int[], int, int, INDArray)} with all of {@code indices}. */
  public void fill(int[] indices, INDArray out) {
    fill(indices, 0, indices.length, out);
  }

  /**
   * Writes the images {@code indices[from .. from+count-1]} into {@code out}, a dense FLOAT array
   * of shape {@code [count, C, H, W]} or {@code [count, C·H·W]} (the same memory in c-order). Cost:
   * one pass over {@code count·C·H·W} values written straight into the array's memory; nothing is
   * allocated but a pointer object.
   */
  public void fill(int[] indices, int from, int count, INDArray out) {
    if (from < 0 || count < 0 || from + count > indices.length) {
      throw new IllegalArgumentException(
          "indices [" + from + ", " + (from + count) + ") outside an array of " + indices.length);
    }
    long[] shape = out.shape();
    boolean nchw = Arrays.equals(shape, new long[] {count, channels, height, width});
    boolean flat = Arrays.equals(shape, new long[] {count, sampleSize});
    if (out.dataType() != DataType.FLOAT || !(nchw || flat) || !DenseAccess.isDense(out)) {
      throw new IllegalArgumentException(
          name
              + ": expected a dense FLOAT ["
              + count
              + ", "
              + channels
              + ", "
              + height
              + ", "
              + width
              + "] or ["
              + count
              + ", "
              + sampleSize
              + "] array, got "
              + out.dataType()
              + " "
              + Arrays.toString(shape));
    }
    FloatBuffer dst = DenseAccess.floatBuffer(out);
    for (int b = 0; b < count; b++) {
      int src = checkIndex(indices[from + b]) * sampleSize;
      int at = b * sampleSize;
      if (bytes != null) {
        for (int k = 0; k < sampleSize; k++) {
          dst.put(at + k, SCALE[bytes[src + k] & 0xff]);
        }
      } else {
        dst.put(at, floats, src, sampleSize);
      }
    }
  }

  /**
   * Lower-case hex SHA-256 of the data set's content: shape, pixel storage (bytes or float bits)
   * and labels, not its name. Two data sets with equal fingerprints hold the same images; caches of
   * derived data (classifier features) are keyed by it. Cost: one pass over the pixels, computed
   * once and kept.
   */
  public String fingerprint() {
    String f = fingerprint;
    if (f == null) {
      try {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        ByteBuffer head = ByteBuffer.allocate(21).order(ByteOrder.LITTLE_ENDIAN);
        head.putInt(size).putInt(channels).putInt(height).putInt(width);
        head.put((byte) (bytes != null ? 1 : 2)).putInt(labels != null ? labels.length : -1);
        md.update(head.array());
        if (bytes != null) {
          md.update(bytes);
        } else {
          ByteBuffer b = ByteBuffer.allocate(4 * floats.length).order(ByteOrder.LITTLE_ENDIAN);
          b.asFloatBuffer().put(floats);
          md.update(b.array());
        }
        if (labels != null) {
          ByteBuffer l = ByteBuffer.allocate(4 * labels.length).order(ByteOrder.LITTLE_ENDIAN);
          l.asIntBuffer().put(labels);
          md.update(l.array());
        }
        f = HexFormat.of().formatHex(md.digest());
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
      fingerprint = f;
    }
    return f;
  }

  private int checkIndex(int i) {
    if (i < 0 || i >= size) {
      throw new IndexOutOfBoundsException(name + ": image " + i + " of " + size);
    }
    return i;
  }

  @Override
  public String toString() {
    return name
        + " ["
        + size
        + ", "
        + channels
        + ", "
        + height
        + ", "
        + width
        + "]"
        + (labels != null ? " with labels" : "");
  }
}
