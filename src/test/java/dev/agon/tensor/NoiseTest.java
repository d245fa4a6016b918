package dev.agon.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class NoiseTest {

  private static INDArray gaussian(DataType t, long seed, long stream, long index, long... shape) {
    INDArray a = Nd4j.create(t, shape);
    Noise.gaussian(a, seed, stream, index);
    return a;
  }

  @Test
  void sameKeysGiveBitIdenticalValuesAcrossThreads() throws Exception {
    INDArray here = gaussian(DataType.FLOAT, 7, 1, 42, 64, 33);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<INDArray> a = pool.submit(() -> gaussian(DataType.FLOAT, 7, 1, 42, 64, 33));
      Future<INDArray> b = pool.submit(() -> gaussian(DataType.FLOAT, 7, 1, 42, 64, 33));
      assertThat(a.get()).isEqualTo(here);
      assertThat(b.get()).isEqualTo(here);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void interleavedCallsDoNotInfluenceEachOther() {
    INDArray first = gaussian(DataType.DOUBLE, 1, 0, 5, 10, 10);
    INDArray u1 = Nd4j.create(DataType.DOUBLE, 10, 10);
    Noise.uniform(u1, 1, 0, 5);
    gaussian(DataType.DOUBLE, 2, 3, 4, 7, 3); // unrelated call in between
    INDArray again = gaussian(DataType.DOUBLE, 1, 0, 5, 10, 10);
    INDArray u2 = Nd4j.create(DataType.DOUBLE, 10, 10);
    Noise.uniform(u2, 1, 0, 5);
    assertThat(again).isEqualTo(first);
    assertThat(u2).isEqualTo(u1);
  }

  @Test
  void eachKeyChangesTheValues() {
    INDArray base = gaussian(DataType.FLOAT, 1, 2, 3, 4, 8);
    assertThat(gaussian(DataType.FLOAT, 1, 2, 4, 4, 8)).isNotEqualTo(base);
    assertThat(gaussian(DataType.FLOAT, 1, 3, 3, 4, 8)).isNotEqualTo(base);
    assertThat(gaussian(DataType.FLOAT, 2, 2, 3, 4, 8)).isNotEqualTo(base);
    // swapping keys must not collide either
    assertThat(gaussian(DataType.FLOAT, 1, 3, 2, 4, 8)).isNotEqualTo(base);
  }

  @Test
  void floatValuesAreTheDoubleValuesRoundedAndPrefixesAgree() {
    INDArray d = gaussian(DataType.DOUBLE, 9, 9, 9, 20, 50);
    INDArray f = gaussian(DataType.FLOAT, 9, 9, 9, 20, 50);
    assertThat(f).isEqualTo(d.castTo(DataType.FLOAT));
    INDArray shorter = gaussian(DataType.DOUBLE, 9, 9, 9, 3, 50);
    assertThat(shorter).isEqualTo(d.get(NDArrayIndex.interval(0, 3), NDArrayIndex.all()));
  }

  @Test
  void fillsNonContiguousViewsInLogicalOrder() {
    INDArray m = Nd4j.zeros(DataType.FLOAT, 6, 2);
    INDArray col = m.getColumn(1, true);
    Noise.gaussian(col, 3, 0, 0);
    assertThat(col).isEqualTo(gaussian(DataType.FLOAT, 3, 0, 0, 6, 1));
    assertThat(m.getColumn(0).sumNumber().doubleValue()).isZero();
    INDArray fOrder = Nd4j.create(DataType.DOUBLE, new long[] {5, 4}, 'f');
    Noise.gaussian(fOrder, 3, 0, 1);
    assertThat(fOrder).isEqualTo(gaussian(DataType.DOUBLE, 3, 0, 1, 5, 4));
  }

  @Test
  void gaussianMomentsAndTails() {
    int n = 200_000;
    double[] v = gaussian(DataType.DOUBLE, 11, 0, 0, 1, n).toDoubleVector();
    double s = 0;
    double s2 = 0;
    double s4 = 0;
    int below1 = 0;
    int beyond3 = 0;
    for (double x : v) {
      s += x;
      s2 += x * x;
      s4 += x * x * x * x;
      below1 += x < -1 ? 1 : 0;
      beyond3 += Math.abs(x) > 3 ? 1 : 0;
    }
    double mean = s / n;
    double var = s2 / n - mean * mean;
    assertThat(mean).isBetween(-0.01, 0.01); // 4.5 standard errors
    assertThat(var).isBetween(0.985, 1.015);
    assertThat(s4 / n).isBetween(2.9, 3.1); // kurtosis of N(0,1) is 3
    assertThat(below1 / (double) n).isBetween(0.1586 - 0.004, 0.1586 + 0.004);
    assertThat(beyond3 / (double) n).isBetween(0.0027 - 0.0006, 0.0027 + 0.0006);
  }

  @Test
  void uniformIsInUnitIntervalWithRightMoments() {
    for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      INDArray u = Nd4j.create(t, 1, 100_000);
      Noise.uniform(u, 5, 6, 7);
      assertThat(u.minNumber().doubleValue()).isGreaterThanOrEqualTo(0.0);
      assertThat(u.maxNumber().doubleValue()).isLessThan(1.0);
      assertThat(u.meanNumber().doubleValue()).isBetween(0.495, 0.505);
      assertThat(u.varNumber().doubleValue()).isBetween(1 / 12.0 - 0.002, 1 / 12.0 + 0.002);
    }
  }
}
