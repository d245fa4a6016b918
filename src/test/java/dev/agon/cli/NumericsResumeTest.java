package dev.agon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.checkpoint.CheckpointStore;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint records the numerics it was computed with (ND4J build, CPU kernels, threads), and a
 * resume under other numerics says so: the run continues, but its floats may round differently from
 * an uninterrupted run's, and the warning names how to resume exactly.
 */
class NumericsResumeTest {
  @TempDir Path tmp;

  private static final String[] SMALL = {
    "schedule.batch-size=8", "eval.samples=50", "eval.plots=false", "metrics.enabled=false"
  };

  @Test
  void aResumeOnAnotherNd4jBuildOrCpuWarnsOnceAndStillResumes() throws Exception {
    Path run = tmp.resolve("run");
    train(run, 2);
    Path manifest = CheckpointStore.dirOf(run, 2).resolve(CheckpointStore.MANIFEST);
    String text = Files.readString(manifest);
    assertThat(text).contains("\"numerics\":{").contains("\"nd4j_build\":\"default\"");

    // As if written by the oneDNN build on an AVX-512 machine.
    Files.writeString(
        manifest,
        text.replaceFirst("\"nd4j_build\":\"[^\"]*\"", "\"nd4j_build\":\"onednn-avx512\"")
            .replaceFirst("\"cpu\":\"[^\"]*\"", "\"cpu\":\"avx512-test\""));
    CliRunner r = train(run, 4);
    assertThat(r.errLines())
        .singleElement()
        .asString()
        .startsWith("warning: checkpoint 0000000002 was computed with other numerics")
        .contains("nd4j_build onednn-avx512 -> default")
        .contains("cpu avx512-test -> ")
        .contains("may not be bit-identical")
        .contains("AGON_ND4J_VARIANT=onednn-avx512");
    assertThat(r.out()).contains("agon: resuming from");

    // The checkpoint the resumed run wrote carries this process's numerics: no warning now.
    CliRunner again = train(run, 6);
    assertThat(again.errLines()).isEmpty();
    assertThat(again.out()).contains("agon: resuming from");
  }

  @Test
  void aCheckpointWithoutNumericsResumesSilentlyAndMalformedNumericsAreADamagedManifest()
      throws Exception {
    Path run = tmp.resolve("old");
    train(run, 2);
    Path manifest = CheckpointStore.dirOf(run, 2).resolve(CheckpointStore.MANIFEST);
    String text = Files.readString(manifest);
    // An earlier Agon wrote no numerics: nothing to compare, nothing said.
    Files.writeString(manifest, text.replaceFirst(",\"numerics\":\\{[^}]*\\}", ""));
    assertThat(Files.readString(manifest)).doesNotContain("numerics");
    CliRunner r = train(run, 4);
    assertThat(r.errLines()).isEmpty();
    assertThat(Files.readString(CheckpointStore.dirOf(run, 4).resolve(CheckpointStore.MANIFEST)))
        .contains("\"numerics\":{");

    // Not an object: the manifest is malformed, reported as such by name.
    Files.writeString(manifest, text.replaceFirst("\"numerics\":\\{[^}]*\\}", "\"numerics\":5"));
    assertThat(
            org.assertj.core.api.Assertions.catchThrowable(
                () -> CheckpointStore.read(CheckpointStore.dirOf(run, 2))))
        .hasMessageContaining("malformed manifest")
        .hasMessageContaining("numerics");
  }

  private static CliRunner train(Path run, int iterations) {
    String[] sets = new String[SMALL.length + 1];
    System.arraycopy(SMALL, 0, sets, 0, SMALL.length);
    sets[SMALL.length] = "schedule.iterations=" + iterations;
    CliRunner r = CliRunner.train(run, "config/ring.conf", sets);
    assertThat(r.status()).as(r.err()).isZero();
    return r;
  }
}
