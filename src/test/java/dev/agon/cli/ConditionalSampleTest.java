package dev.agon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.tensor.Npy;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agon sample} on a conditional run: a grid of one row per class, and {@code --class C}
 * exactly the rows of class C of that grid (the same noise, G given class C).
 */
class ConditionalSampleTest {
  @TempDir Path tmp;

  @Test
  void sampleByClassAndOfOneClass() throws Exception {
    Path run = tmp.resolve("cond");
    CliRunner.trainTiny(run, "config/fashion-mnist-sngan.conf");
    Path grid = tmp.resolve("grid.npy");
    CliRunner s =
        CliRunner.run("sample", "--run", run.toString(), "--n", "20", "--out", grid.toString());
    assertThat(s.status()).as(s.err()).isZero();
    Npy.Array all = Npy.readFloat32(grid);
    assertThat(all.shape()).containsExactly(20, 1, 28, 28); // 10 classes x 2
    int px = 28 * 28;
    assertThat(Arrays.copyOfRange(all.data(), 0, 2 * px))
        .as("class 0 and class 1 rows differ")
        .isNotEqualTo(Arrays.copyOfRange(all.data(), 2 * px, 4 * px));
    Path three = tmp.resolve("three.npy");
    CliRunner c =
        CliRunner.run(
            "sample",
            "--run",
            run.toString(),
            "--n",
            "2",
            "--class",
            "3",
            "--out",
            three.toString());
    assertThat(c.status()).as(c.err()).isZero();
    Npy.Array of3 = Npy.readFloat32(three);
    assertThat(of3.shape()).containsExactly(2, 1, 28, 28);
    assertThat(of3.data()).isEqualTo(Arrays.copyOfRange(all.data(), 3 * 2 * px, 4 * 2 * px));
    CliRunner out =
        CliRunner.run(
            "sample",
            "--run",
            run.toString(),
            "--class",
            "10",
            "--out",
            tmp.resolve("x.npy").toString());
    assertThat(out.status()).isEqualTo(2);
    assertThat(out.err()).contains("error: --class: must be in [0, 9]");
    assertThat(tmp.resolve("x.npy")).doesNotExist();
  }
}
