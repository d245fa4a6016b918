package dev.agon.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.agon.tensor.Tolerance;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SequentialTest {
  private static final DataType D = DataType.DOUBLE;

  private static final long[] IMG = {2, 6, 6};

  /** conv, BN, leaky ReLU, convT, ReLU, flatten, linear: every kind of parametrised layer. */
  private static Sequential.Builder mixed() {
    return Sequential.builder(IMG)
        .conv2d(3, 4, 2, 1)
        .batchNorm()
        .leakyRelu(0.2)
        .convTranspose2d(2, 3, 1, 0)
        .relu()
        .flatten()
        .linear(3);
  }

  private static INDArray x(DataType t, long key, int batch) {
    return NetCheck.gaussian(t, key, NetCheck.batched(batch, IMG));
  }

  @Test
  void shapesLayoutAndFlags() {
    Sequential net = mixed().build(DataType.FLOAT, 1);
    assertThat(net.inputShape()).containsExactly(IMG);
    assertThat(net.outputShape()).containsExactly(3);
    assertThat(net.numLayers()).isEqualTo(7);
    long conv = 3 * 2 * 16 + 3;
    long bn = 2 * 3;
    long convT = 3 * 2 * 9 + 2;
    long linear = 2 * 5 * 5 * 3 + 3;
    assertThat(net.numParams()).isEqualTo(conv + bn + convT + linear);
    assertThat(net.params().shape()).containsExactly(1, net.numParams());
    assertThat(net.grads().shape()).containsExactly(1, net.numParams());
    assertThat(net.paramOffset(3)).isEqualTo(conv + bn);
    assertThat(net.state().shape()).containsExactly(1, 6);
    assertThat(net.batchCoupled()).isTrue();
    assertThat(net.piecewiseLinear()).isFalse();
    assertThat(net.dtype()).isEqualTo(DataType.FLOAT);
    // the layers' views are the flat vectors
    net.params().putScalar(0, conv, 42.0);
    assertThat(((BatchNorm) net.layer(1)).gamma().getDouble(0)).isEqualTo(42.0);
    net.state().putScalar(0, 3, -3.0);
    assertThat(((BatchNorm) net.layer(1)).runningVar().getDouble(0)).isEqualTo(-3.0);
    net.params().putScalar(0, conv + bn, 7.0);
    assertThat(((ConvTranspose2d) net.layer(3)).weight().getDouble(0, 0)).isEqualTo(7.0);

    Sequential plain = Sequential.builder(4).linear(3).relu().build(DataType.DOUBLE, 1);
    assertThat(plain.state()).isNull();
    assertThat(plain.batchCoupled()).isFalse();
    assertThat(plain.piecewiseLinear()).isTrue();
  }

  @Test
  void builderTracksShapesAndRejectsMismatches() {
    Sequential.Builder b = Sequential.builder(3, 28, 28).conv2d(8, 4, 2, 1);
    assertThat(b.shape()).containsExactly(8, 14, 14);
    b.convTranspose2d(5, 4, 2, 1);
    assertThat(b.shape()).containsExactly(5, 28, 28);
    b.flatten();
    assertThat(b.shape()).containsExactly(5 * 28 * 28);
    assertThatThrownBy(() -> b.conv2d(1, 3, 1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.reshape(7, 7)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Sequential.builder(1, 2, 2).conv2d(1, 5, 1, 0))
        .isInstanceOf(IllegalArgumentException.class);
    Sequential net = Sequential.builder(4).linear(3).build(DataType.DOUBLE, 1);
    assertThatThrownBy(() -> net.forward(Nd4j.create(DataType.DOUBLE, 2, 5)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> net.forward(Nd4j.create(DataType.FLOAT, 2, 4)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void initialisationDependsOnlyOnSeedAndLayerIndex() {
    Sequential a = mixed().build(DataType.DOUBLE, 7);
    Sequential b = mixed().build(DataType.DOUBLE, 7);
    Sequential c = mixed().build(DataType.DOUBLE, 8);
    Sequential f = mixed().build(DataType.FLOAT, 7);
    assertThat(a.params()).isEqualTo(b.params());
    assertThat(a.params()).isNotEqualTo(c.params());
    assertThat(f.params()).isEqualTo(a.params().castTo(DataType.FLOAT));
    // a different network sharing the first layer draws the same first-layer values
    Sequential other = Sequential.builder(IMG).conv2d(3, 4, 2, 1).tanh().build(DataType.DOUBLE, 7);
    long n = other.numParams();
    assertThat(other.params())
        .isEqualTo(
            a.params()
                .get(
                    org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(0, n)));
    // PyTorch's bound 1/sqrt(fan_in); conv fan_in = 2*4*4
    double bound = 1 / Math.sqrt(32);
    INDArray w = ((Conv2d) a.layer(0)).weight();
    assertThat(w.amaxNumber().doubleValue()).isLessThanOrEqualTo(bound).isGreaterThan(0.8 * bound);
    // transposed conv fan_in = out_channels*k*k = 2*3*3 (PyTorch reads weight dimension 1)
    double boundT = 1 / Math.sqrt(18);
    INDArray wt = ((ConvTranspose2d) a.layer(3)).weight();
    assertThat(wt.amaxNumber().doubleValue())
        .isLessThanOrEqualTo(boundT)
        .isGreaterThan(0.8 * boundT);
    assertThat(((BatchNorm) a.layer(1)).gamma().minNumber().doubleValue()).isEqualTo(1.0);
    assertThat(a.state().getDouble(0)).isEqualTo(0.0);
    assertThat(a.state().getDouble(3)).isEqualTo(1.0);
  }

  @Test
  void dcganInitIsNormalWithStd002() {
    Sequential g = Dcgan.generator(100, 1, 28, 64).build(DataType.DOUBLE, 3);
    Linear lin = (Linear) g.layer(0);
    assertThat(lin.bias()).isNull();
    INDArray w = lin.weight();
    // 5 standard errors of N values of std 0.02: 0.02 / sqrt(N) for the mean, 0.02 / sqrt(2N)
    // for the standard deviation
    double seMean = 0.02 / Math.sqrt(w.length());
    assertThat(w.meanNumber().doubleValue()).isCloseTo(0.0, within(5 * seMean));
    assertThat(w.stdNumber().doubleValue()).isCloseTo(0.02, within(5 * seMean / Math.sqrt(2)));
    INDArray gamma = ((BatchNorm) g.layer(1)).gamma();
    double seGamma = 0.02 / Math.sqrt(gamma.length());
    assertThat(gamma.meanNumber().doubleValue()).isCloseTo(1.0, within(5 * seGamma));
    assertThat(gamma.stdNumber().doubleValue()).isCloseTo(0.02, within(5 * seGamma / Math.sqrt(2)));
    assertThat(((BatchNorm) g.layer(1)).beta().amaxNumber().doubleValue()).isEqualTo(0.0);
    assertThat(((ConvTranspose2d) g.layer(7)).bias().amaxNumber().doubleValue()).isEqualTo(0.0);
  }

  @Test
  void accumulateAddsAndParamGradsFalseLeavesGradsAlone() {
    Sequential net = mixed().build(DataType.DOUBLE, 2);
    INDArray x1 = x(DataType.DOUBLE, 1, 3);
    INDArray x2 = x(DataType.DOUBLE, 2, 4);
    INDArray r1 = NetCheck.gaussian(DataType.DOUBLE, 3, 3, 3);
    INDArray r2 = NetCheck.gaussian(DataType.DOUBLE, 4, 4, 3);
    long n = NetCheck.terms(net, x1) + NetCheck.terms(net, x2) + r1.length() + r2.length();
    net.forward(x1);
    INDArray dx1 = net.backward(r1, true, true).dup();
    INDArray g1 = net.grads().dup();
    net.forward(x2);
    net.backward(r2, true, false);
    INDArray g2 = net.grads().dup();
    net.forward(x1);
    net.backward(r1, true, false);
    net.forward(x2);
    assertThat(net.backward(r2, true, false, true)).isNull();
    // the second pass adds onto the first's gradients: the same sums, one more term each
    double bound = Tolerance.reordered(n, Tolerance.absMax(g1) + Tolerance.absMax(g2), D);
    assertThat(Tolerance.ratio(net.grads(), g1.add(g2), bound)).isLessThan(1.0);

    net.grads().assign(5.0);
    net.forward(x1);
    INDArray only = net.backward(r1, false, true);
    assertThat(NetCheck.maxAbsDiff(only, dx1)).isEqualTo(0.0);
    assertThat(net.grads().minNumber().doubleValue()).isEqualTo(5.0);
    assertThat(net.grads().maxNumber().doubleValue()).isEqualTo(5.0);
    assertThat(net.backward(r1, false, false)).isNull();
  }

  @Test
  void backwardFromAnInnerLayer() {
    Sequential net = mixed().build(DataType.DOUBLE, 4);
    INDArray x = x(DataType.DOUBLE, 5, 3);
    int index = 4; // the ReLU after the transposed convolution
    net.forward(x);
    INDArray act = net.activation(index).dup();
    INDArray r = NetCheck.gaussian(DataType.DOUBLE, 6, act.shape());
    net.grads().assign(9.0);
    INDArray dx = net.backwardFrom(index, r, true, true, false).dup();
    INDArray grads = net.grads().dup();
    // the linear layer above gets 0
    long lin = net.paramOffset(6);
    assertThat(grads.getDouble(lin)).isEqualTo(0.0);
    assertThat(grads.getDouble(net.numParams() - 1)).isEqualTo(0.0);
    java.util.function.Supplier<INDArray> loss =
        () -> {
          net.forward(x);
          return net.activation(index).mul(r);
        };
    long n = NetCheck.terms(net, x);
    assertThat(NetCheck.errorRatio(net.params(), grads, loss, n)).isLessThan(1.0);
    assertThat(NetCheck.errorRatio(x, dx, loss, n)).isLessThan(1.0);
  }

  @Test
  void replicaHasItsOwnBuffersAndMatchesAfterCopy() {
    Sequential net = mixed().build(DataType.FLOAT, 3);
    Sequential rep = net.replica();
    assertThat(rep.numParams()).isEqualTo(net.numParams());
    assertThat(rep.params().amaxNumber().doubleValue()).isEqualTo(0.0);
    INDArray x = x(DataType.FLOAT, 1, 5);
    INDArray r = NetCheck.gaussian(DataType.FLOAT, 2, 5, 3);
    rep.copyParamsFrom(net.params());
    rep.state().assign(net.state());
    INDArray y = net.forward(x).dup();
    net.backward(r, true, false);
    INDArray ownOutput = net.activation(net.numLayers() - 1);
    assertThat(rep.forward(x)).isEqualTo(y);
    assertThat(ownOutput).isEqualTo(y); // the replica did not write into net's buffers
    rep.backward(r, true, false);
    assertThat(rep.grads()).isEqualTo(net.grads());
    // running statistics moved identically; evaluation mode agrees too
    assertThat(rep.state()).isEqualTo(net.state());
    net.training(false);
    rep.training(false);
    assertThat(rep.forward(x)).isEqualTo(net.forward(x));
  }

  @Test
  void buffersPerBatchSize() {
    Sequential net = mixed().build(DataType.DOUBLE, 5);
    INDArray a = x(DataType.DOUBLE, 1, 2);
    INDArray b = x(DataType.DOUBLE, 2, 3);
    INDArray ya = net.forward(a).dup();
    INDArray yb = net.forward(b).dup();
    INDArray rb = NetCheck.gaussian(DataType.DOUBLE, 3, 3, 3);
    INDArray dxb = net.backward(rb, true, true).dup();
    assertThat(net.forward(a)).isEqualTo(ya);
    net.forward(b);
    assertThat(net.backward(rb, true, true)).isEqualTo(dxb);
    assertThat(net.forward(b)).isEqualTo(yb);
  }

  @Test
  void floatPassesAgreeWithDouble() {
    for (Sequential.Builder builder :
        List.of(
            mixed(),
            Dcgan.generator(5, 2, 28, 4),
            Dcgan.discriminator(2, 28, 4),
            Dcgan.generator(5, 3, 16, 4),
            Dcgan.discriminator(3, 16, 4, false))) {
      Sequential d = builder.build(DataType.DOUBLE, 9);
      Sequential f = builder.build(DataType.FLOAT, 9);
      INDArray x = NetCheck.gaussian(DataType.DOUBLE, 1, NetCheck.batched(4, d.inputShape()));
      INDArray r = NetCheck.gaussian(DataType.DOUBLE, 2, NetCheck.batched(4, d.outputShape()));
      // the backward adds r's terms to the chain (counted on a copy: a forward moves d's state)
      long n = NetCheck.terms(builder.build(DataType.DOUBLE, 9), x) + r.length();
      INDArray yd = d.forward(x);
      INDArray yf = f.forward(x.castTo(DataType.FLOAT));
      assertThat(Tolerance.floatVsDoubleRatio(yf, yd, n, Tolerance.absMax(yd))).isLessThan(1.0);
      INDArray dxd = d.backward(r, true, true);
      INDArray dxf = f.backward(r.castTo(DataType.FLOAT), true, true);
      assertThat(Tolerance.floatVsDoubleRatio(dxf, dxd, n, Tolerance.absMax(dxd))).isLessThan(1.0);
      assertThat(Tolerance.floatVsDoubleRatio(f.grads(), d.grads(), n, Tolerance.absMax(d.grads())))
          .isLessThan(1.0);
      if (d.state() != null) {
        assertThat(
                Tolerance.floatVsDoubleRatio(f.state(), d.state(), n, Tolerance.absMax(d.state())))
            .isLessThan(1.0);
      }
    }
  }

  /** The plain-Java loops split over threads give bit-identical results. */
  @Test
  void resultsDoNotDependOnTheKernelThreadCount() {
    int before = Parallel.threadCount();
    try {
      INDArray[][] results = new INDArray[2][];
      int[] counts = {1, 3};
      for (int i = 0; i < 2; i++) {
        Parallel.threads(counts[i]);
        Sequential g = Dcgan.generator(8, 3, 28, 8).build(DataType.FLOAT, 1);
        Sequential d = Dcgan.discriminator(3, 28, 8).build(DataType.FLOAT, 2);
        INDArray z = NetCheck.gaussian(DataType.FLOAT, 1, 16, 8);
        INDArray fake = g.forward(z);
        INDArray logits = d.forward(fake).dup();
        INDArray dFake = d.backward(NetCheck.gaussian(DataType.FLOAT, 2, 16, 1), true, true);
        g.backward(dFake, true, false);
        results[i] = new INDArray[] {fake.dup(), logits, d.grads().dup(), g.grads().dup()};
      }
      for (int k = 0; k < results[0].length; k++) {
        assertThat(results[1][k]).as("result " + k).isEqualTo(results[0][k]);
      }
    } finally {
      Parallel.threads(before);
    }
  }
}
