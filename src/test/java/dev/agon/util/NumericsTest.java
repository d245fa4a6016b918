package dev.agon.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class NumericsTest {
  @Test
  void thisProcessRecordsItsBuildCpuAndThreads() {
    Map<String, String> now = Numerics.current();
    assertThat(now)
        .containsKeys("nd4j", "nd4j_build", "conv_kernels", "cpu", "openblas_coretype")
        .containsEntry("nd4j_build", Nd4jVariant.requested());
    assertThat(Integer.parseInt(now.get("omp_threads"))).isPositive();
    assertThat(now.get("nd4j")).isNotEqualTo("unknown"); // the release is found on the class path
    assertThat(Numerics.current()).isSameAs(now);
  }

  @Test
  void differencesNameEachKeyBothWaysAndNothingForAnUnrecordedCheckpoint() {
    Map<String, String> now = Map.of("nd4j_build", "default", "cpu", "avx2", "omp_threads", "1");
    assertThat(Numerics.differences(Map.of(), now)).isEmpty();
    assertThat(Numerics.differences(now, now)).isEmpty();
    assertThat(
            Numerics.differences(Map.of("nd4j_build", "default", "cpu", "avx512", "x", "1"), now))
        .containsExactlyInAnyOrder(
            "cpu avx512 -> avx2", "omp_threads (unrecorded) -> 1", "x 1 -> (unrecorded)");
  }

  @Test
  void theWarningNamesTheBuildToResumeOnOnlyWhenTheBuildDiffers() {
    Map<String, String> now = Map.of("nd4j_build", "default", "cpu", "avx2");
    assertThat(Numerics.resumeWarning("0000000010", now, now)).isNull();
    assertThat(
            Numerics.resumeWarning(
                "0000000010", Map.of("nd4j_build", "onednn", "cpu", "avx2"), now))
        .contains(
            "checkpoint 0000000010", "nd4j_build onednn -> default", "AGON_ND4J_VARIANT=onednn");
    assertThat(
            Numerics.resumeWarning(
                "0000000010", Map.of("nd4j_build", "default", "cpu", "avx512"), now))
        .contains("cpu avx512 -> avx2", "may not be bit-identical")
        .doesNotContain("AGON_ND4J_VARIANT");
  }

  @Test
  void aForgedManifestCannotBreakTheWarningIntoLinesOrNameAnUnknownBuild() {
    Map<String, String> now = Map.of("nd4j_build", "default", "cpu", "avx2");
    String w =
        Numerics.resumeWarning(
            "0000000010",
            Map.of("nd4j_build", "x\nerror: forged; rm -rf /", "cpu", "a".repeat(10_000)),
            now);
    assertThat(w).doesNotContain("\n").doesNotContain("AGON_ND4J_VARIANT");
    assertThat(w).contains("nd4j_build x?error: forged; rm -rf / -> default");
    assertThat(w.length()).isLessThan(600);
    assertThat(Numerics.printable("a".repeat(64))).isEqualTo("a".repeat(64));
    assertThat(Numerics.printable("a".repeat(65))).isEqualTo("a".repeat(64) + "...");
  }
}
