package dev.agon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The host off-heap gauge sees ND4J's CPU buffers, which JavaCPP's byte counter does not. */
class OffHeapEstimateTest {
  @Test
  void a256MibNd4jBufferRaisesTheEstimateByAboutItsSize() {
    Nd4j.create(DataType.FLOAT, 1).addi(1); // backend loaded before the first reading
    long before = Observability.hostOffHeapBytes();
    INDArray big = Nd4j.create(DataType.FLOAT, 64L << 20).assign(1.0f); // 256 MiB, touched
    long after = Observability.hostOffHeapBytes();
    assertThat(big.getFloat((64L << 20) - 1)).isEqualTo(1.0f);
    assertThat(after - before).as("growth of the estimate").isGreaterThan(200L << 20);
  }
}
