package dev.agon.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the IDX files of MNIST and Fashion-MNIST: images ({@code idx3-ubyte}, magic {@code
 * 0x00000803}: unsigned bytes, 3 dimensions N×rows×cols) and labels ({@code idx1-ubyte}, magic
 * {@code 0x00000801}: unsigned bytes, N). Integers in the header are big-endian.
 *
 * <p>A file is raw or gzip-compressed, recognised by the gzip magic bytes {@code 1f 8b}, whatever
 * its name. The header is checked (magic, positive dimensions) and the data must be exactly as long
 * as the header says; anything else is a {@link DatasetException} naming the file and the problem.
 * Cost: one sequential read (and inflation) of the file into one {@code byte[]}; the Fashion-MNIST
 * train images take about half a second.
 */
public final class IdxReader {
  /** Magic number of an image file: unsigned bytes (0x08), 3 dimensions. */
  public static final int IMAGES_MAGIC = 0x00000803;

  /** Magic number of a label file: unsigned bytes (0x08), 1 dimension. */
  public static final int LABELS_MAGIC = 0x00000801;

  private IdxReader() {}

  /**
   * Images and (if {@code labels} is not null) labels as one data set of 1-channel images; the two
   * files must hold the same number of items.
   */
  public static ImageDataset read(String name, Path images, Path labels) {
    Item img = readItem(images, IMAGES_MAGIC);
    if (img.count == 0) {
      throw new DatasetException(images + ": holds 0 images; a data set needs at least one");
    }
    int[] lab = null;
    if (labels != null) {
      lab = readLabels(labels);
      if (lab.length != img.count) {
        throw new DatasetException(
            images
                + ": "
                + img.count
                + " images but "
                + labels
                + ": "
                + lab.length
                + " labels; the two files must belong to the same split");
      }
    }
    return ImageDataset.wrapUint8(name, img.data, img.count, 1, img.rows, img.cols, lab);
  }

  /** The labels of a label file, each in 0..255. */
  public static int[] readLabels(Path file) {
    byte[] raw = readItem(file, LABELS_MAGIC).data;
    int[] out = new int[raw.length];
    for (int i = 0; i < raw.length; i++) {
      out[i] = raw[i] & 0xff;
    }
    return out;
  }

  /** Header fields and payload of one file. */
  private record Item(int count, int rows, int cols, byte[] data) {}

  private static Item readItem(Path file, int magic) {
    try (InputStream in = open(file)) {
      boolean gzip = in instanceof GZIPInputStream;
      int headerLen = magic == IMAGES_MAGIC ? 16 : 8;
      byte[] header = in.readNBytes(headerLen);
      if (header.length < 4) {
        throw new DatasetException(
            file
                + ": truncated: "
                + header.length
                + " bytes"
                + (gzip ? " (decompressed)" : "")
                + ", too short for an IDX header");
      }
      int found = intAt(header, 0);
      if (found != magic) {
        throw new DatasetException(file + ": " + describeMagic(found, magic));
      }
      if (header.length < headerLen) {
        throw new DatasetException(
            file
                + ": truncated: "
                + header.length
                + " bytes"
                + (gzip ? " (decompressed)" : "")
                + ", shorter than the "
                + headerLen
                + "-byte header");
      }
      int count = intAt(header, 4);
      int rows = magic == IMAGES_MAGIC ? intAt(header, 8) : 1;
      int cols = magic == IMAGES_MAGIC ? intAt(header, 12) : 1;
      String what =
          magic == IMAGES_MAGIC
              ? Integer.toUnsignedString(count)
                  + " images of "
                  + Integer.toUnsignedString(rows)
                  + "x"
                  + Integer.toUnsignedString(cols)
              : Integer.toUnsignedString(count) + " labels";
      if (count < 0 || rows < 1 || cols < 1) {
        throw new DatasetException(file + ": bad dimensions: header says " + what);
      }
      long payload = (long) count * rows * cols;
      if (payload > Integer.MAX_VALUE - 16) {
        throw new DatasetException(
            file
                + ": header says "
                + what
                + " ("
                + payload
                + " bytes): too large to hold in memory"
                + " as one array");
      }
      long expected = headerLen + payload;
      String says = "header says " + what + " (" + expected + " bytes)";
      if (!gzip) {
        long length = Files.size(file);
        if (length != expected) {
          throw new DatasetException(
              file
                  + ": "
                  + (length < expected ? "truncated" : "oversized")
                  + ": "
                  + says
                  + " but the file has "
                  + length
                  + " bytes");
        }
      }
      byte[] data = in.readNBytes((int) payload);
      if (data.length < payload) {
        throw new DatasetException(
            file
                + ": truncated: "
                + says
                + " but the file has "
                + (headerLen + data.length)
                + " bytes"
                + (gzip ? " (decompressed)" : ""));
      }
      if (gzip) {
        long extra = in.transferTo(OutputStream.nullOutputStream());
        if (extra > 0) {
          throw new DatasetException(
              file
                  + ": oversized: "
                  + says
                  + " but the file has "
                  + (expected + extra)
                  + " bytes (decompressed)");
        }
      }
      return new Item(count, rows, cols, data);
    } catch (NoSuchFileException e) {
      throw new DatasetException(file + ": no such file", e);
    } catch (ZipException e) {
      throw new DatasetException(file + ": corrupt gzip data: " + e.getMessage(), e);
    } catch (EOFException e) {
      throw new DatasetException(file + ": truncated gzip stream: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new DatasetException(file + ": cannot read: " + e, e);
    }
  }

  /** The file's bytes: inflated when it starts with the gzip magic, else as they are. */
  private static InputStream open(Path file) throws IOException {
    BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    in.mark(2);
    int b0 = in.read();
    int b1 = in.read();
    in.reset();
    if (b0 == 0x1f && b1 == 0x8b) {
      try {
        return new GZIPInputStream(in, 1 << 16);
      } catch (IOException e) {
        in.close();
        throw e;
      }
    }
    return in;
  }

  private static String describeMagic(int found, int expected) {
    String want =
        String.format(
            "expected 0x%08x (%s)",
            expected,
            expected == IMAGES_MAGIC
                ? "images: unsigned bytes, 3 dimensions"
                : "labels: unsigned bytes, 1 dimension");
    if ((found >>> 16) != 0) {
      return String.format("bad magic number 0x%08x, not an IDX file; %s", found, want);
    }
    int type = (found >>> 8) & 0xff;
    int dims = found & 0xff;
    String hint = "";
    if (found == IMAGES_MAGIC) {
      hint = " (this is an image file)";
    } else if (found == LABELS_MAGIC) {
      hint = " (this is a label file)";
    } else if (type != 0x08) {
      hint = String.format(" (element type 0x%02x; only unsigned bytes, 0x08, are read)", type);
    }
    return String.format(
        "unexpected magic number 0x%08x: IDX data of %d dimensions%s; %s", found, dims, hint, want);
  }

  private static int intAt(byte[] b, int at) {
    return (b[at] & 0xff) << 24
        | (b[at + 1] & 0xff) << 16
        | (b[at + 2] & 0xff) << 8
        | b[at + 3] & 0xff;
  }
}
