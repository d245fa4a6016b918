package dev.agon.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.IntBinaryOperator;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderDatasetTest {
  @TempDir Path dir;

  /** Writes a w×h RGB image whose pixel (x, y) is {@code rgb.applyAsInt(x, y)}. */
  private static Path rgb(Path file, int w, int h, IntBinaryOperator rgb) throws IOException {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, rgb.applyAsInt(x, y));
      }
    }
    Files.createDirectories(file.getParent());
    String format = file.toString().endsWith(".png") ? "png" : "jpg";
    assertThat(ImageIO.write(img, format, file.toFile())).isTrue();
    return file;
  }

  /** Writes an 8-bit grayscale PNG whose pixel (x, y) is {@code v.applyAsInt(x, y)}. */
  private static Path gray(Path file, int w, int h, IntBinaryOperator v) throws IOException {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.getRaster().setSample(x, y, 0, v.applyAsInt(x, y));
      }
    }
    Files.createDirectories(file.getParent());
    assertThat(ImageIO.write(img, "png", file.toFile())).isTrue();
    return file;
  }

  private static float scaled(double v) {
    return (float) (Math.round(v) / 127.5 - 1);
  }

  @Test
  void classFoldersInNameOrderGiveTheLabels() throws IOException {
    rgb(dir.resolve("cat/1.png"), 6, 8, (x, y) -> 0xff0000);
    rgb(dir.resolve("ant/b.png"), 5, 5, (x, y) -> 0x00ff00);
    rgb(dir.resolve("ant/a.PNG"), 9, 4, (x, y) -> 0x0000ff);
    gray(dir.resolve("bee/z.png"), 4, 4, (x, y) -> 77);
    Files.writeString(dir.resolve("bee/notes.txt"), "ignored");
    Files.createDirectories(dir.resolve(".hidden"));
    assertThat(ImageFolderDataset.classes(dir)).containsExactly("ant", "bee", "cat");
    ImageDataset g = ImageFolderDataset.load(dir, 4, false);
    assertThat(g.shape()).containsExactly(4, 1, 4, 4);
    assertThat(g.labels()).containsExactly(0, 0, 1, 2);
    // Constant images stay constant under resampling: the Rec. 601 luma of each colour.
    assertThat(g.pixel(0, 0, 2, 3)).isEqualTo(scaled(0.114 * 255));
    assertThat(g.pixel(1, 0, 0, 0)).isEqualTo(scaled(0.587 * 255));
    assertThat(g.pixel(2, 0, 3, 1)).isEqualTo(scaled(77));
    assertThat(g.pixel(3, 0, 1, 1)).isEqualTo(scaled(0.299 * 255));

    ImageDataset c = ImageFolderDataset.load(dir, 3, true);
    assertThat(c.shape()).containsExactly(4, 3, 3, 3);
    assertThat(new float[] {c.pixel(3, 0, 1, 1), c.pixel(3, 1, 1, 1), c.pixel(3, 2, 1, 1)})
        .containsExactly(1f, -1f, -1f);
    assertThat(new float[] {c.pixel(2, 0, 0, 0), c.pixel(2, 1, 2, 2), c.pixel(2, 2, 1, 0)})
        .containsExactly(scaled(77), scaled(77), scaled(77));
  }

  @Test
  void shorterSideIsScaledThenTheCentreCropped() throws IOException {
    // 8x4, scale 1: the crop is columns 2..5.
    gray(dir.resolve("flat/a.png"), 8, 4, (x, y) -> x < 4 ? 0 : 255);
    ImageDataset same = ImageFolderDataset.load(dir.resolve("flat"), 4, false);
    assertThat(same.hasLabels()).isFalse();
    assertThat(row(same, 0, 1)).containsExactly(-1f, -1f, 1f, 1f);

    // 16x8 shrunk by 2 (area: mean of 2x2 blocks) to 8x4, crop columns 2..5 = source 4..11.
    gray(dir.resolve("shrink/a.png"), 16, 8, (x, y) -> 10 * x);
    ImageDataset shrunk = ImageFolderDataset.load(dir.resolve("shrink"), 4, false);
    assertThat(row(shrunk, 0, 3)).containsExactly(scaled(45), scaled(65), scaled(85), scaled(105));

    // 3x2 shrunk by 2/3 horizontally too: output x=0 covers source [0, 1.5).
    gray(dir.resolve("area/a.png"), 3, 3, (x, y) -> 30 * x);
    ImageDataset area = ImageFolderDataset.load(dir.resolve("area"), 2, false);
    assertThat(row(area, 0, 0)).containsExactly(scaled(10), scaled(50));

    // 2x2 enlarged to 4x4 (bilinear, centres aligned, edges clamped).
    gray(dir.resolve("grow/a.png"), 2, 2, (x, y) -> 100 * x);
    ImageDataset grown = ImageFolderDataset.load(dir.resolve("grow"), 4, false);
    assertThat(row(grown, 0, 2)).containsExactly(scaled(0), scaled(25), scaled(75), scaled(100));
  }

  private static float[] row(ImageDataset d, int image, int y) {
    float[] out = new float[d.width()];
    for (int x = 0; x < out.length; x++) {
      out[x] = d.pixel(image, 0, y, x);
    }
    return out;
  }

  @Test
  void jpegIsReadToo() throws IOException {
    rgb(dir.resolve("j/photo.jpg"), 16, 16, (x, y) -> 0x808080);
    ImageDataset d = ImageFolderDataset.load(dir.resolve("j"), 8, true);
    for (int c = 0; c < 3; c++) {
      assertThat(d.pixel(0, c, 4, 4)).isCloseTo(scaled(128), within(0.05f));
    }
  }

  @Test
  void unreadableImagesAndBadLayoutsAreNamed() throws IOException {
    Path junk = dir.resolve("bad/x/broken.png");
    Files.createDirectories(junk.getParent());
    Files.write(junk, "not a png at all".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    assertThatThrownBy(() -> ImageFolderDataset.load(dir.resolve("bad"), 4, false))
        .isInstanceOf(DatasetException.class)
        .hasMessageStartingWith(junk.toString());

    Path good = rgb(dir.resolve("cut/a.png"), 32, 32, (x, y) -> x * 0x010203 + y * 0x030201);
    byte[] bytes = Files.readAllBytes(good);
    Files.write(good, Arrays.copyOf(bytes, bytes.length / 2));
    assertThatThrownBy(() -> ImageFolderDataset.load(dir.resolve("cut"), 4, false))
        .isInstanceOf(DatasetException.class)
        .hasMessageStartingWith(good.toString());

    rgb(dir.resolve("mixed/a.png"), 2, 2, (x, y) -> 0);
    rgb(dir.resolve("mixed/cls/b.png"), 2, 2, (x, y) -> 0);
    assertThatThrownBy(() -> ImageFolderDataset.load(dir.resolve("mixed"), 2, false))
        .hasMessageContaining("holds both images (e.g. a.png) and class folders (e.g. cls)");

    Files.createDirectories(dir.resolve("empty"));
    assertThatThrownBy(() -> ImageFolderDataset.load(dir.resolve("empty"), 2, false))
        .hasMessageContaining("no PNG or JPEG images");
    assertThatThrownBy(() -> ImageFolderDataset.load(dir.resolve("nowhere"), 2, false))
        .hasMessage(dir.resolve("nowhere") + ": no such directory");
  }
}
