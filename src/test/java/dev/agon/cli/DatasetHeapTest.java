package dev.agon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data set larger than the heap can hold is refused before it is read, with one {@code error:}
 * line naming the file, what it needs and the heap option, exit 2 and no run directory; not a JVM
 * OutOfMemoryError stack trace. Each case trains in a child JVM with a 96 MiB heap.
 */
class DatasetHeapTest {
  private static final List<String> SMALL_HEAP = List.of("-Xmx96m");

  @Test
  void npyLargerThanTheHeapIsRefusedBeforeItIsRead(@TempDir Path dir) throws Exception {
    // 100,000 uint8 images of 32x32: 98 MiB of pixels, more than a 96 MiB heap holds.
    Path npy = dir.resolve("big.npy");
    writeUint8Npy(npy, 100_000, 1, 32, 32);
    Path run = dir.resolve("run");
    TrainProcess p =
        TrainProcess.start(
            run,
            "npy",
            "config/fashion-mnist-dcgan.conf",
            SMALL_HEAP,
            List.of("data.kind=npy", "data.path=\"" + npy + "\"", "schedule.iterations=1"));
    assertRefused(p, run, "big.npy");
  }

  @Test
  void imageFolderLargerThanTheHeapIsRefusedBeforeItIsRead(@TempDir Path dir) throws Exception {
    // 40 tiny PNGs held at 1024x1024 RGB: 3 MiB each, 120 MiB in all.
    Path images = dir.resolve("images");
    Files.createDirectories(images);
    for (int i = 0; i < 40; i++) {
      BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
      assertThat(ImageIO.write(img, "png", images.resolve(i + ".png").toFile())).isTrue();
    }
    Path run = dir.resolve("run");
    TrainProcess p =
        TrainProcess.start(
            run,
            "folder",
            "config/fashion-mnist-dcgan.conf",
            SMALL_HEAP,
            List.of(
                "data.kind=image-folder",
                "data.path=\"" + images + "\"",
                "data.image-size=1024",
                "data.channels=3",
                "schedule.iterations=1"));
    assertRefused(p, run, "images");
  }

  private static void assertRefused(TrainProcess p, Path run, String names) throws Exception {
    int code = p.waitFor(120);
    String err = p.err();
    assertThat(code).as(p.diagnosis()).isEqualTo(2);
    List<String> errors = err.lines().filter(l -> l.startsWith("error:")).toList();
    assertThat(errors).as(err).hasSize(1);
    assertThat(errors.get(0)).contains(names).contains("MiB").contains("-Xmx");
    assertThat(err + p.out()).doesNotContain("OutOfMemoryError").doesNotContain("\tat ");
    assertThat(run).doesNotExist();
  }

  /** An NPY file (format 1.0) of zero bytes of dtype uint8 and shape {@code dims}. */
  private static void writeUint8Npy(Path file, int... dims) throws IOException {
    StringBuilder shape = new StringBuilder();
    long n = 1;
    for (int d : dims) {
      shape.append(d).append(", ");
      n *= d;
    }
    String dict =
        "{'descr': '|u1', 'fortran_order': False, 'shape': (" + shape.toString().strip() + "), }";
    int unpadded = 10 + dict.length() + 1;
    String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
      out.write(header.length() & 0xff);
      out.write(header.length() >> 8);
      out.write(header.getBytes(StandardCharsets.US_ASCII));
      byte[] zeros = new byte[1 << 20];
      for (long left = n; left > 0; left -= zeros.length) {
        out.write(zeros, 0, (int) Math.min(zeros.length, left));
      }
    }
  }
}
