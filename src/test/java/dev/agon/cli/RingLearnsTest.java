package dev.agon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.data.Mixture2d;
import dev.agon.eval.ModeMetrics;
import dev.agon.tensor.Npy;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real learning on the user's path: the shipped ring experiment (VEEGAN/GDPP protocol, fixed seed)
 * is trained by {@code agon train}, its samples exported by {@code agon sample} and scored from the
 * NPY file with the VEEGAN/PacGAN metric: at least 7 of 8 modes and 50% high quality.
 */
@Tag("slow")
class RingLearnsTest {
  @TempDir Path tmp;

  @Test
  void ringExperimentCoversTheModes() throws Exception {
    Path run = tmp.resolve("ring");
    CliRunner t = CliRunner.train(run, "config/ring.conf", "seed=2");
    assertThat(t.status()).as(t.err()).isZero();
    Path npy = tmp.resolve("ring.npy");
    CliRunner s =
        CliRunner.run("sample", "--run", run.toString(), "--n", "2500", "--out", npy.toString());
    assertThat(s.status()).as(s.err()).isZero();

    Npy.Array a = Npy.readFloat32(npy);
    assertThat(a.shape()).containsExactly(2500, 2);
    Mixture2d ring = Mixture2d.ring(8, 1.0, 0.01, 0);
    ModeMetrics.Result r = ModeMetrics.score(a.data(), ring.centres(), ring.std());
    System.out.println("ring experiment, seed 2: " + r.summary());
    assertThat(r.modes()).as(r.summary()).isGreaterThanOrEqualTo(7);
    assertThat(r.highQualityFraction()).as(r.summary()).isGreaterThanOrEqualTo(0.5);
  }
}
