package dev.agon.data;

import dev.agon.tensor.Npy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Images from a NumPy {@code .npy} file (C order, format 1.0 to 3.0). Accepted arrays:
 *
 * <ul>
 *   <li>{@code uint8} ({@code |u1}), values 0..255 scaled as {@code x/127.5 − 1}, in one of the
 *       layouts {@code [N, H, W]} (one channel), {@code [N, H, W, C]} (channels last, as NumPy and
 *       PIL produce) or {@code [N, C, H, W]};
 *   <li>{@code float32} ({@code <f4}) in the same layouts, already scaled to [-1, 1] (read with
 *       {@link Npy#readFloat32}; any value outside, or NaN, is an error).
 * </ul>
 *
 * <p>{@link Layout#AUTO} takes a 3-D array as {@code [N, H, W]} and a 4-D one as channels-last when
 * only its last dimension is 1 or 3, channels-first when only its second is; any other 4-D shape is
 * ambiguous and needs an explicit layout. Channels-last data is transposed once to NCHW on load.
 * Labels, when given, come from a separate 1-D {@code .npy} of N non-negative integers ({@code
 * |u1}, {@code <i4} or {@code <i8}). Cost: the file is read into memory once (uint8 stays one byte
 * per value).
 */
public final class NpyDataset {
  /** How the dimensions of a 3-D or 4-D array are to be read. */
  public enum Layout {
    /** Decide from the shape (see the class comment). */
    AUTO,
    /** {@code [N, H, W]}: one channel. */
    NHW,
    /** {@code [N, H, W, C]}: channels last. */
    NHWC,
    /** {@code [N, C, H, W]}: channels first. */
    NCHW
  }

  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']*)'");
  private static final Pattern ITEM_SIZE = Pattern.compile("[<>|=]?[a-zA-Z]([0-9]{1,2})");
  private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

  private NpyDataset() {}

  /** The images of {@code file} with {@link Layout#AUTO} and no labels. */
  public static ImageDataset load(Path file) {
    return load(file, Layout.AUTO, null);
  }

  /**
   * The images of {@code file} read with {@code layout}, labels from {@code labels} if not null.
   */
  public static ImageDataset load(Path file, Layout layout, Path labels) {
    Header h = header(file);
    int[] dims = nchw(file, h.shape, layout);
    int n = dims[0];
    int c = dims[1];
    int height = dims[2];
    int w = dims[3];
    boolean channelsLast = h.shape.length == 4 && resolve(file, h.shape, layout) == Layout.NHWC;
    int[] lab = labels == null ? null : readLabels(labels, n);
    String name = file.getFileName().toString().replaceFirst("\\.npy$", "");
    // The file as read (float32: read a second time by Npy), beside the pixels copied out of it,
    // and a second copy of those while channels-last data is reordered.
    boolean uint8 = isUint8(h.descr);
    long held = (long) n * c * height * w * (uint8 ? 1 : Float.BYTES);
    HeapBudget.check(
        file,
        String.format(java.util.Locale.ROOT, "its %,d images of %dx%dx%d", n, c, height, w),
        (uint8 ? 1 : 2) * (long) h.data.capacity() + (channelsLast ? 2 * held : held));
    if (uint8) {
      byte[] px = new byte[h.data.remaining()];
      h.data.get(px);
      if (channelsLast) {
        px = toChannelsFirst(px, n, height, w, c);
      }
      return ImageDataset.wrapUint8(name, px, n, c, height, w, lab);
    }
    if (h.descr.equals("<f4")) {
      float[] px;
      try {
        px = Npy.readFloat32(file).data();
      } catch (IOException e) {
        throw new DatasetException(e.getMessage(), e);
      }
      for (int i = 0; i < px.length; i++) {
        if (!(px[i] >= -1f && px[i] <= 1f)) {
          throw new DatasetException(
              file
                  + ": float32 pixels must lie in [-1, 1] (scale them as x/127.5 - 1); value "
                  + i
                  + " is "
                  + px[i]);
        }
      }
      if (channelsLast) {
        px = toChannelsFirst(px, n, height, w, c);
      }
      return ImageDataset.wrapFloat(name, px, n, c, height, w, lab);
    }
    throw new DatasetException(
        file
            + ": dtype '"
            + h.descr
            + "' not supported; images must be uint8 (|u1) or float32 (<f4)");
  }

  private static boolean isUint8(String descr) {
    return descr.equals("|u1") || descr.equals("<u1") || descr.equals("u1");
  }

  /** [N, C, H, W] of the array under the layout. */
  private static int[] nchw(Path file, long[] shape, Layout layout) {
    for (long d : shape) {
      if (d < 1 || d > Integer.MAX_VALUE) {
        throw new DatasetException(file + ": bad shape " + Arrays.toString(shape));
      }
    }
    switch (resolve(file, shape, layout)) {
      case NHW:
        return new int[] {(int) shape[0], 1, (int) shape[1], (int) shape[2]};
      case NHWC:
        return new int[] {(int) shape[0], (int) shape[3], (int) shape[1], (int) shape[2]};
      default:
        return new int[] {(int) shape[0], (int) shape[1], (int) shape[2], (int) shape[3]};
    }
  }

  private static Layout resolve(Path file, long[] shape, Layout layout) {
    int rank = shape.length;
    Layout l = layout;
    if (l == Layout.AUTO) {
      if (rank == 3) {
        l = Layout.NHW;
      } else if (rank == 4) {
        boolean last = shape[3] == 1 || shape[3] == 3;
        boolean first = shape[1] == 1 || shape[1] == 3;
        if (last == first) {
          throw new DatasetException(
              file
                  + ": shape "
                  + Arrays.toString(shape)
                  + " could be [N, H, W, C] or [N, C, H, W]; give the layout explicitly");
        }
        l = last ? Layout.NHWC : Layout.NCHW;
      } else {
        l = Layout.NCHW; // rejected just below
      }
    }
    if ((l == Layout.NHW) != (rank == 3) || rank < 3 || rank > 4) {
      throw new DatasetException(
          file
              + ": shape "
              + Arrays.toString(shape)
              + " does not fit layout "
              + l
              + "; expected [N, H, W], [N, H, W, C] or [N, C, H, W]");
    }
    return l;
  }

  private static byte[] toChannelsFirst(byte[] src, int n, int h, int w, int c) {
    byte[] dst = new byte[src.length];
    int plane = h * w;
    for (int i = 0; i < n; i++) {
      int base = i * plane * c;
      for (int p = 0; p < plane; p++) {
        for (int k = 0; k < c; k++) {
          dst[base + k * plane + p] = src[base + p * c + k];
        }
      }
    }
    return dst;
  }

  private static float[] toChannelsFirst(float[] src, int n, int h, int w, int c) {
    float[] dst = new float[src.length];
    int plane = h * w;
    for (int i = 0; i < n; i++) {
      int base = i * plane * c;
      for (int p = 0; p < plane; p++) {
        for (int k = 0; k < c; k++) {
          dst[base + k * plane + p] = src[base + p * c + k];
        }
      }
    }
    return dst;
  }

  private static int[] readLabels(Path file, int n) {
    Header h = header(file);
    if (h.shape.length != 1 || h.shape[0] != n) {
      throw new DatasetException(
          file
              + ": labels must be a 1-D array of "
              + n
              + " entries, got "
              + Arrays.toString(h.shape));
    }
    int[] out = new int[n];
    ByteBuffer d = h.data;
    for (int i = 0; i < n; i++) {
      long v;
      if (isUint8(h.descr)) {
        v = d.get() & 0xff;
      } else if (h.descr.equals("<i4")) {
        v = d.getInt();
      } else if (h.descr.equals("<i8")) {
        v = d.getLong();
      } else {
        throw new DatasetException(
            file + ": label dtype '" + h.descr + "' not supported; use uint8, int32 or int64");
      }
      if (v < 0 || v > Integer.MAX_VALUE) {
        throw new DatasetException(file + ": label " + i + " is " + v + ", not a class index");
      }
      out[i] = (int) v;
    }
    return out;
  }

  /** Parsed header; {@code data} holds exactly the array's bytes (little-endian view). */
  private record Header(String descr, long[] shape, ByteBuffer data) {}

  private static Header header(Path file) {
    ByteBuffer buf;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      if (ch.size() > Integer.MAX_VALUE) {
        throw new DatasetException(file + ": " + ch.size() + " bytes, too large for one array");
      }
      HeapBudget.check(file, "the file as read", ch.size());
      buf = ByteBuffer.allocate((int) ch.size()).order(ByteOrder.LITTLE_ENDIAN);
      while (buf.hasRemaining() && ch.read(buf) >= 0) {}
      buf.flip();
    } catch (NoSuchFileException e) {
      throw new DatasetException(file + ": no such file", e);
    } catch (IOException e) {
      throw new DatasetException(file + ": cannot read: " + e, e);
    }
    byte[] magic = new byte[MAGIC.length];
    if (buf.remaining() < 10) {
      throw new DatasetException(file + ": not an .npy file (too short)");
    }
    buf.get(magic);
    if (!Arrays.equals(magic, MAGIC)) {
      throw new DatasetException(file + ": not an .npy file (bad magic)");
    }
    int major = buf.get();
    buf.get();
    long headerLen = major == 1 ? Short.toUnsignedInt(buf.getShort()) : buf.getInt();
    if (headerLen < 0 || headerLen > buf.remaining()) {
      throw new DatasetException(file + ": truncated .npy header");
    }
    byte[] hb = new byte[(int) headerLen];
    buf.get(hb);
    String header = new String(hb, StandardCharsets.ISO_8859_1);
    Matcher dm = DESCR.matcher(header);
    Matcher sm = SHAPE.matcher(header);
    if (!dm.find() || !sm.find()) {
      throw new DatasetException(file + ": .npy header lacks descr or shape: " + header.trim());
    }
    if (header.contains("'fortran_order': True")) {
      throw new DatasetException(file + ": Fortran-order arrays are not supported; save C order");
    }
    long[] shape;
    try {
      shape =
          Arrays.stream(sm.group(1).split(","))
              .map(String::trim)
              .filter(s -> !s.isEmpty())
              .mapToLong(Long::parseLong)
              .toArray();
    } catch (NumberFormatException e) {
      throw new DatasetException(file + ": bad shape in .npy header: " + sm.group(1), e);
    }
    String descr = dm.group(1);
    Matcher size = ITEM_SIZE.matcher(descr);
    if (!size.matches()) {
      throw new DatasetException(file + ": dtype '" + descr + "' not supported");
    }
    int itemSize = Integer.parseInt(size.group(1));
    long expected = itemSize;
    try {
      for (long d : shape) {
        expected = Math.multiplyExact(expected, Math.max(d, 0));
      }
    } catch (ArithmeticException e) {
      throw new DatasetException(
          file
              + ": shape "
              + Arrays.toString(shape)
              + " of "
              + descr
              + " needs more data bytes than any file holds",
          e);
    }
    if (buf.remaining() != expected) {
      throw new DatasetException(
          file
              + ": "
              + (buf.remaining() < expected ? "truncated" : "oversized")
              + ": shape "
              + Arrays.toString(shape)
              + " of "
              + descr
              + " needs "
              + expected
              + " data bytes, the file has "
              + buf.remaining());
    }
    return new Header(descr, shape, buf.slice().order(ByteOrder.LITTLE_ENDIAN));
  }
}
