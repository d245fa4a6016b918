package dev.agon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.tensor.Npy;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agon sample} on a run with a categorical InfoGAN code: ceil(n / K) samples per code value,
 * value-major, and a PNG grid with one row per value.
 */
class InfoGanSampleTest {
  @TempDir Path tmp;

  @Test
  void sampleDrawsOneGridRowPerCodeValue() throws Exception {
    Path run = tmp.resolve("infogan");
    CliRunner.trainTiny(run, "config/fashion-mnist-infogan.conf");
    Path npy = tmp.resolve("s.npy");
    Path png = tmp.resolve("s.png");
    CliRunner s =
        CliRunner.run(
            "sample",
            "--run",
            run.toString(),
            "--n",
            "25",
            "--out",
            npy.toString(),
            "--png",
            png.toString());
    assertThat(s.status()).as(s.err()).isZero();
    // K = 10 values, ceil(25 / 10) = 3 per value.
    assertThat(s.out()).contains("(30 images, 3 per row, one row per InfoGAN code value)");
    Npy.Array a = Npy.readFloat32(npy);
    assertThat(a.shape()).containsExactly(30, 1, 28, 28);
    BufferedImage img = ImageIO.read(png.toFile());
    int border = 2;
    int cell = 28 * 3 + border; // 30 images <= 64: scale 3
    assertThat(img.getWidth()).isEqualTo(3 * cell + border);
    assertThat(img.getHeight()).isEqualTo(10 * cell + border);
    // Column 0 of rows 0 and 1: the same z and continuous codes, another category.
    float[] v = a.data();
    int px = 28 * 28;
    float[] first = Arrays.copyOfRange(v, 0, px);
    float[] second = Arrays.copyOfRange(v, 3 * px, 4 * px);
    assertThat(second).isNotEqualTo(first);

    // agon eval --metrics codes: the best one-to-one mapping of 10 values onto 10 classes
    // matches at least a tenth of the samples (the mean over all mappings).
    CliRunner e = CliRunner.run("eval", "--run", run.toString(), "--metrics", "codes", "--n", "50");
    assertThat(e.status()).as(e.err()).isZero();
    assertThat(e.out()).contains("code accuracy");
    Path json;
    try (var files = java.nio.file.Files.walk(run.resolve("checkpoints"))) {
      json = files.filter(f -> f.endsWith("eval.json")).findFirst().orElseThrow();
    }
    double accuracy =
        com.typesafe.config.ConfigFactory.parseFile(json.toFile()).getDouble("code_accuracy");
    assertThat(accuracy).isBetween(0.1, 1.0);
  }
}
