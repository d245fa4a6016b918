package dev.agon.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class DenseAccessTest {

  @Test
  void rowViewsAreDenseAndAddressedAtTheirOffset() {
    for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      INDArray base = Nd4j.create(t, 6, 2);
      INDArray rows = base.get(NDArrayIndex.interval(3, 5), NDArrayIndex.all());
      assertThat(DenseAccess.isDense(rows)).isTrue();
      assertThat(DenseAccess.isDense(base.getColumn(1, true))).isFalse();
      DenseAccess.write(rows, new double[] {1, 2, 3, 4});
      assertThat(base.getDouble(3, 0)).isEqualTo(1.0);
      assertThat(base.getDouble(4, 1)).isEqualTo(4.0);
      assertThat(base.sumNumber().doubleValue()).isEqualTo(10.0);
      double[] back = new double[4];
      DenseAccess.read(rows, back);
      assertThat(back).containsExactly(1, 2, 3, 4);
      if (t == DataType.FLOAT) {
        DenseAccess.floatBuffer(rows).put(1, 9f);
      } else {
        DenseAccess.doubleBuffer(rows).put(1, 9.0);
      }
      assertThat(base.getDouble(3, 1)).isEqualTo(9.0);
    }
  }

  @Test
  void nonDenseArraysGoThroughACopy() {
    INDArray base = Nd4j.create(DataType.FLOAT, 3, 2);
    INDArray col = base.getColumn(1, true);
    DenseAccess.write(col, new double[] {5, 6, 7});
    assertThat(base.getDouble(2, 1)).isEqualTo(7.0);
    assertThat(base.getDouble(2, 0)).isEqualTo(0.0);
    double[] back = new double[3];
    DenseAccess.read(col, back);
    assertThat(back).containsExactly(5, 6, 7);
  }

  @Test
  void everyEntryPointCountsOneCopyWithItsBytes() {
    INDArray f = Nd4j.create(DataType.FLOAT, 2, 3);
    INDArray d = Nd4j.create(DataType.DOUBLE, 5);
    DenseAccess.HostCopies before = DenseAccess.copies();
    DenseAccess.floatBuffer(f);
    DenseAccess.doubleBuffer(d);
    DenseAccess.read(f, new double[6]);
    DenseAccess.write(d, new double[5]);
    DenseAccess.HostCopies counted = DenseAccess.copies().since(before);
    assertThat(counted).isEqualTo(new DenseAccess.HostCopies(4, 24 + 40 + 24 + 40));
    DenseAccess.resetCopies();
    assertThat(DenseAccess.copies()).isEqualTo(new DenseAccess.HostCopies(0, 0));
  }
}
