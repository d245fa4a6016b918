package dev.agon.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agon.tensor.Noise;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Packing's shapes (PacGAN, issue 17): rows m i .. m i + m - 1 of a batch form pack i, joined along
 * the first sample dimension; one output per pack; the input gradient back per sample.
 */
class PackedTest {

  @Test
  void packsOfVectorsAreConsecutiveRowsSideBySide() {
    // 2-D samples in packs of 3: the inner network sees [B / 3, 6] rows (x_0, x_1, x_2), ...
    Mlp inner =
        Mlp.create(
            new MlpSpec(6, List.of(5), 1, Activation.TANH, Activation.IDENTITY, 0.2),
            7,
            DataType.DOUBLE);
    Packed d = new Packed(inner, 3, new long[] {2});
    INDArray x = Nd4j.create(DataType.DOUBLE, 6, 2);
    Noise.gaussian(x, 3, 0, 1);
    INDArray byHand = Nd4j.create(DataType.DOUBLE, 2, 6);
    for (int pack = 0; pack < 2; pack++) {
      for (int j = 0; j < 3; j++) {
        for (int f = 0; f < 2; f++) {
          byHand.putScalar(pack, 2 * j + f, x.getDouble(3 * pack + j, f));
        }
      }
    }
    Mlp twin = (Mlp) inner.replica();
    twin.copyParamsFrom(inner.params());
    INDArray expected = twin.forward(byHand).dup();
    assertThat(d.outputRows(6)).isEqualTo(2);
    assertThat(d.forward(x)).isEqualTo(expected);
    assertThat(d.inputShape()).containsExactly(2);
    assertThat(d.outputShape()).isEqualTo(inner.outputShape());

    INDArray dOut = Nd4j.create(new double[][] {{0.5}, {-2.0}});
    INDArray dx = d.backward(dOut, true, true);
    INDArray dxByHand = twin.backward(dOut, true, true);
    assertThat(dx.shape()).containsExactly(6, 2);
    for (int pack = 0; pack < 2; pack++) {
      for (int j = 0; j < 3; j++) {
        for (int f = 0; f < 2; f++) {
          assertThat(dx.getDouble(3 * pack + j, f)).isEqualTo(dxByHand.getDouble(pack, 2 * j + f));
        }
      }
    }
    assertThat(d.grads()).isEqualTo(twin.grads());
  }

  @Test
  void packsOfImagesJoinTheirChannels() {
    // Packs of 2 one-channel 28x28 images: a DCGAN D with 2 input channels, [B / 2, 2, 28, 28].
    Sequential inner = Dcgan.discriminator(2, 28, 4, false).build(DataType.FLOAT, 3);
    Packed d = new Packed(inner, 2, new long[] {1, 28, 28});
    INDArray x = Nd4j.create(DataType.FLOAT, 4, 1, 28, 28);
    Noise.gaussian(x, 5, 0, 2);
    Sequential twin = (Sequential) inner.replica();
    twin.copyParamsFrom(inner.params());
    INDArray joined = Nd4j.concat(1, x.get(rows(0, 1)), x.get(rows(1, 2)));
    joined = Nd4j.concat(0, joined, Nd4j.concat(1, x.get(rows(2, 3)), x.get(rows(3, 4))));
    assertThat(d.forward(x)).isEqualTo(twin.forward(joined).dup());
    INDArray dx = d.backward(Nd4j.ones(DataType.FLOAT, 2, 1), false, true);
    assertThat(dx.shape()).containsExactly(4, 1, 28, 28);
    assertThat(d.replica()).isInstanceOf(Packed.class);
  }

  @Test
  void aBatchThatDoesNotSplitIntoPacksOrAMismatchedNetworkIsRefused() {
    Mlp inner =
        Mlp.create(
            new MlpSpec(4, List.of(3), 1, Activation.TANH, Activation.IDENTITY, 0.2),
            1,
            DataType.DOUBLE);
    Packed d = new Packed(inner, 2, new long[] {2});
    assertThatThrownBy(() -> d.forward(Nd4j.create(DataType.DOUBLE, 5, 2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("5 samples does not split into packs of 2");
    assertThatThrownBy(() -> new Packed(inner, 3, new long[] {2}))
        .hasMessageContaining("need input [6]");
    assertThatThrownBy(() -> new Packed(inner, 1, new long[] {4}))
        .hasMessageContaining("at least 2");
  }

  private static org.nd4j.linalg.indexing.INDArrayIndex[] rows(int from, int to) {
    return new org.nd4j.linalg.indexing.INDArrayIndex[] {
      org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to),
      org.nd4j.linalg.indexing.NDArrayIndex.all(),
      org.nd4j.linalg.indexing.NDArrayIndex.all(),
      org.nd4j.linalg.indexing.NDArrayIndex.all()
    };
  }
}
