package dev.agon.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HeapBudgetTest {
  private static final long MIB = 1L << 20;

  @Test
  void dataMayTakeAllButTheReserveOfALargeHeapAndHalfOfASmallOne() {
    assertThat(HeapBudget.forData(2048 * MIB)).isEqualTo(1792 * MIB);
    assertThat(HeapBudget.forData(768 * MIB)).isEqualTo(512 * MIB);
    assertThat(HeapBudget.forData(384 * MIB)).isEqualTo(192 * MIB);
    assertThat(HeapBudget.forData(96 * MIB)).isEqualTo(48 * MIB);
  }

  @Test
  void theBudgetItselfFitsOneByteMoreDoesNot() {
    HeapBudget.check("x.npy", "its pixels", 512 * MIB, 768 * MIB);
    assertThatThrownBy(() -> HeapBudget.check("x.npy", "its 9 images", 512 * MIB + 1, 768 * MIB))
        .isInstanceOf(DatasetException.class)
        .hasMessage(
            "x.npy: holding its 9 images needs 513 MiB of heap, more than the 512 MiB a data set"
                + " may take with this JVM's -Xmx of 768 MiB; raise -Xmx (AGON_JAVA_OPTS) or use"
                + " fewer or smaller images");
  }
}
