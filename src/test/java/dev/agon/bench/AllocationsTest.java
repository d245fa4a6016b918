package dev.agon.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The two counters {@code agon bench steps} reports per iteration. */
class AllocationsTest {
  @Test
  void readingTwiceCountsNoNd4jObject() {
    Nd4j.create(DataType.FLOAT, 4); // ND4J initialised outside the stretch
    Allocations a = Allocations.now();
    Allocations b = Allocations.now();
    assertThat(b.perUnitSince(a, 1)[1]).isZero();
  }

  @Test
  void countsNewArraysAndHeapBytes() {
    Nd4j.create(DataType.FLOAT, 4);
    Allocations a = Allocations.now();
    byte[] heap = new byte[8 << 20];
    INDArray[] arrays = new INDArray[10];
    for (int i = 0; i < arrays.length; i++) {
      arrays[i] = Nd4j.create(DataType.FLOAT, 1000);
    }
    double[] per = Allocations.now().perUnitSince(a, 2);
    assertThat(heap).hasSize(8 << 20);
    assertThat(per[0]).as("heap bytes per unit").isGreaterThanOrEqualTo(4 << 20);
    assertThat(per[1]).as("ND4J objects per unit").isGreaterThanOrEqualTo(5);
  }
}
