package dev.agon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.nn.KernelChoice;
import org.junit.jupiter.api.Test;

/**
 * The engine tests run with the layers' kernels their execution asks for: the CPU default (Java
 * loops) unless {@code agon.test.kernels} names the one forced (pom.xml, execution
 * engine-nd4j-kernels), so that execution cannot pass on the default kernels unnoticed.
 */
class KernelsInEffectTest {
  @Test
  void theKernelsInEffectAreTheOnesTheExecutionAsked() {
    String asked = System.getProperty("agon.test.kernels");
    KernelChoice expected =
        asked == null
            ? KernelChoice.HOST_LOOP
            : switch (asked) {
              case "nd4j" -> KernelChoice.ND4J_OPS;
              case "host" -> KernelChoice.HOST_LOOP;
              default -> throw new AssertionError("agon.test.kernels=" + asked);
            };
    assertThat(KernelChoice.forBackend()).isEqualTo(expected);
  }
}
