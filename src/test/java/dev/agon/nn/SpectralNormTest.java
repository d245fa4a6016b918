package dev.agon.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Issue 16 item 4: spectral normalisation. The gradients of {@code W / (u^T W v)} (u, v constant)
 * against finite differences, sigma against the known largest singular value of a built matrix, and
 * u's keyed initial value.
 */
class SpectralNormTest {
  private static final DataType D = DataType.DOUBLE;

  private static Arguments of(String name, long[] in, UnaryOperator<Sequential.Builder> layers) {
    return Arguments.of(name, in, layers);
  }

  static Stream<Arguments> networks() {
    long[] img = {2, 5, 6};
    return Stream.of(
        of("sn linear", new long[] {4}, b -> b.spectralNorm(true).linear(3)),
        of("sn linear no bias", new long[] {4}, b -> b.spectralNorm(true).linear(3, false)),
        of("sn conv k3 s1 p1", img, b -> b.spectralNorm(true).conv2d(3, 3, 1, 1)),
        of("sn conv k2 s3 p2 no bias", img, b -> b.spectralNorm(true).conv2d(1, 2, 3, 2, false)),
        of(
            "sn conv, lrelu, flatten, sn linear",
            img,
            b -> b.spectralNorm(true).conv2d(3, 4, 2, 1).leakyRelu(0.2).flatten().linear(2)),
        of(
            "sn maxout, sn linear",
            new long[] {5},
            b ->
                b.add((s, t) -> SpectralNorm.maxout(new Maxout(5, 3, 2), t))
                    .spectralNorm(true)
                    .linear(2)),
        of(
            "sn dcgan critic 16",
            new long[] {2, 16, 16},
            b -> Dcgan.discriminator(2, 16, 2, false, true, 1)));
  }

  /** Built from {@code seed}, u and v moved off their initial values by a few power steps. */
  private static Sequential build(UnaryOperator<Sequential.Builder> layers, long[] in, long seed) {
    Sequential net = layers.apply(Sequential.builder(in)).build(D, seed);
    assertThat(net.spectralNorm()).isTrue();
    for (int i = 0; i < 3; i++) {
      net.powerIteration();
    }
    return net;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("networks")
  void gradientsThroughWOverSigmaMatchFiniteDifferences(
      String name, long[] in, UnaryOperator<Sequential.Builder> layers) {
    Sequential net = build(layers, in, 11);
    INDArray state = net.state().dup();
    for (int batch : new int[] {3, 1}) {
      INDArray x = NetCheck.gaussian(D, 1, NetCheck.batched(batch, in));
      INDArray r = NetCheck.gaussian(D, 2, NetCheck.batched(batch, net.outputShape()));
      double[] err = NetCheck.gradientErrors(net, x, r);
      assertThat(err[0]).as("param grads, batch " + batch).isLessThan(1.0);
      assertThat(err[1]).as("input grads, batch " + batch).isLessThan(1.0);
    }
    // forward and backward passes leave u and v alone: only powerIteration moves them
    assertThat(net.state()).isEqualTo(state);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("networks")
  void accumulatedGradientsAddUp(String name, long[] in, UnaryOperator<Sequential.Builder> layers) {
    Sequential net = build(layers, in, 12);
    INDArray x1 = NetCheck.gaussian(D, 3, NetCheck.batched(2, in));
    INDArray x2 = NetCheck.gaussian(D, 4, NetCheck.batched(2, in));
    INDArray r = NetCheck.gaussian(D, 5, NetCheck.batched(2, net.outputShape()));
    net.forward(x1);
    net.backward(r, true, false);
    INDArray g1 = net.grads().dup();
    net.forward(x2);
    net.backward(r, true, false);
    INDArray g2 = net.grads().dup();
    net.forward(x1);
    net.backward(r, true, false, false);
    net.forward(x2);
    net.backward(r, true, false, true);
    assertThat(NetCheck.maxAbsDiff(net.grads(), g1.add(g2))).isLessThan(1e-12);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("networks")
  void jvpBackwardMatchesFiniteDifferences(
      String name, long[] in, UnaryOperator<Sequential.Builder> layers) {
    Sequential net = build(layers, in, 6);
    assertThat(net.piecewiseLinear()).isTrue();
    INDArray x = NetCheck.gaussian(D, 3, NetCheck.batched(3, in));
    INDArray v = NetCheck.gaussian(D, 4, NetCheck.batched(3, in));
    INDArray dT = NetCheck.gaussian(D, 5, NetCheck.batched(3, net.outputShape()));
    long n = 2 * NetCheck.terms(net, x);
    INDArray before = NetCheck.gaussian(D, 6, 1, net.numParams());
    net.grads().assign(before);
    net.forward(x);
    net.jvp(v);
    net.jvpBackward(dT);
    INDArray analytic = net.grads().sub(before);
    double err =
        NetCheck.errorRatio(
            net.params(), analytic, () -> NetCheck.tangentLoss(net, x, v, dT), n, 1e-6);
    assertThat(err).as("param grads of <dT, Jv>").isLessThan(1.0);
  }

  /**
   * {@code M = sum_k s_k a_k b_k^T} with orthonormal a_k (columns of a Householder reflection of
   * size {@code rows}) and b_k (of size {@code cols}): its singular values are exactly {@code s}.
   */
  private static double[][] withSingularValues(int rows, int cols, double... s) {
    double[][] a = householder(rows, 0.3);
    double[][] b = householder(cols, -0.7);
    double[][] m = new double[rows][cols];
    for (int k = 0; k < s.length; k++) {
      for (int i = 0; i < rows; i++) {
        for (int j = 0; j < cols; j++) {
          m[i][j] += s[k] * a[i][k] * b[j][k];
        }
      }
    }
    return m;
  }

  /** {@code I - 2 h h^T / |h|^2} for {@code h_i = 1 + shift * i}: orthogonal columns. */
  private static double[][] householder(int n, double shift) {
    double[] h = new double[n];
    double norm2 = 0;
    for (int i = 0; i < n; i++) {
      h[i] = 1 + shift * i;
      norm2 += h[i] * h[i];
    }
    double[][] q = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        q[i][j] = (i == j ? 1 : 0) - 2 * h[i] * h[j] / norm2;
      }
    }
    return q;
  }

  @Test
  void sigmaConvergesToTheLargestSingularValueOfALinearWeight() {
    // Linear stores W^T ([in, out]); the singular values are those of either orientation.
    Sequential net = Sequential.builder(5).spectralNorm(true).linear(4).build(D, 3);
    SpectralNorm sn = (SpectralNorm) net.layer(0);
    INDArray w = Nd4j.createFromArray(withSingularValues(5, 4, 2.5, 1.7, 0.4, 0.1));
    net.params()
        .get(
            org.nd4j.linalg.indexing.NDArrayIndex.all(),
            org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 20))
        .assign(w.reshape('c', 1, 20));
    double first = sn.sigmaEstimate();
    assertThat(first).isLessThanOrEqualTo(2.5 + 1e-12); // u^T W v never exceeds sigma_max
    for (int i = 0; i < 40; i++) {
      net.powerIteration();
    }
    assertThat(sn.sigmaEstimate()).isCloseTo(2.5, within(1e-9));
    // the forward divides by it: the normalised layer's weight has spectral norm 1
    INDArray x = NetCheck.gaussian(D, 1, 3, 5);
    INDArray y = net.forward(x).dup();
    assertThat(sn.sigma()).isCloseTo(2.5, within(1e-9));
    INDArray expected =
        x.mmul(w)
            .divi(2.5)
            .addiRowVector(
                net.params()
                    .get(
                        org.nd4j.linalg.indexing.NDArrayIndex.all(),
                        org.nd4j.linalg.indexing.NDArrayIndex.interval(20, 24)));
    assertThat(NetCheck.maxAbsDiff(y, expected)).isLessThan(1e-9);
  }

  @Test
  void sigmaConvergesToTheLargestSingularValueOfAConvWeightAsOutByInKk() {
    // [O = 3, C k k = 2 * 2 * 2 = 8], the paper's reshape of the convolution weight
    Sequential net =
        Sequential.builder(2, 4, 4).spectralNorm(true).conv2d(3, 2, 1, 0, false).build(D, 4);
    SpectralNorm sn = (SpectralNorm) net.layer(0);
    INDArray w = Nd4j.createFromArray(withSingularValues(3, 8, 0.9, 0.6, 0.05));
    net.params().assign(w.reshape('c', 1, 24));
    for (int i = 0; i < 60; i++) {
      net.powerIteration();
    }
    assertThat(sn.sigmaEstimate()).isCloseTo(0.9, within(1e-9));
  }

  @Test
  void uStartsFromKeyedNoiseAndOneStepPerCall() {
    UnaryOperator<Sequential.Builder> layers = b -> b.spectralNorm(true).linear(6).linear(2);
    Sequential a = layers.apply(Sequential.builder(4)).build(D, 21);
    Sequential b = layers.apply(Sequential.builder(4)).build(D, 21);
    Sequential c = layers.apply(Sequential.builder(4)).build(D, 22);
    assertThat(a.state().length()).isEqualTo((6 + 4) + (2 + 6));
    assertThat(a.state()).isEqualTo(b.state());
    assertThat(a.state()).isNotEqualTo(c.state());
    // u (the first 6 values) is a unit vector
    INDArray u =
        a.state()
            .get(
                org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 6));
    assertThat(u.norm2Number().doubleValue()).isCloseTo(1.0, within(1e-12));
    // the same weights as without spectral norm: the wrapper draws the plain layer's values
    Sequential plain = Sequential.builder(4).linear(6).linear(2).build(D, 21);
    assertThat(a.params()).isEqualTo(plain.params());
    INDArray params = a.params().dup();
    a.powerIteration();
    assertThat(a.state()).isNotEqualTo(b.state());
    assertThat(a.params()).isEqualTo(params);
    b.powerIteration();
    assertThat(a.state()).isEqualTo(b.state());
    // a replica starts from the same u
    assertThat(c.replica().state())
        .isEqualTo(layers.apply(Sequential.builder(4)).build(D, 22).state());
  }
}
