package dev.agon.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The numerics tests run a second time with another OpenBLAS kernel family (pom.xml, execution
 * {@code numerics-kernels}). OpenBLAS reads {@code OPENBLAS_CORETYPE} once, when the native library
 * loads, so the family must be in the forked JVM's environment: this checks it is.
 */
class OpenBlasCoretypeTest {
  @Test
  void theForkedJvmHasTheKernelFamilyItWasAskedFor() {
    String expected = System.getProperty("agon.test.coretype", "");
    if (!expected.isEmpty()) {
      assertThat(System.getenv("OPENBLAS_CORETYPE")).isEqualTo(expected);
    }
  }
}
