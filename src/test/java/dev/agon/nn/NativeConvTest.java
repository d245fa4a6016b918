package dev.agon.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.tensor.Tolerance;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The native path of the convolution layers ({@link ConvKernels#NATIVE}: libnd4j's conv2d /
 * deconv2d ops and their {@code _bp} ops) on whatever ND4J build runs the tests: finite-difference
 * gradients and jvp in DOUBLE, agreement with the Java path within reordering, and run-to-run bit
 * identity of both paths.
 */
class NativeConvTest {

  /** A convolution or transposed convolution on {@code [C, H, W]} inputs. */
  record Spec(long[] in, boolean transposed, int out, int k, int s, int p, boolean bias) {
    Layer layer(long[] shape, DataType t, ConvKernels kernels) {
      return transposed
          ? new ConvTranspose2d(shape, out, k, s, p, bias, Init.PYTORCH, t, kernels)
          : new Conv2d(shape, out, k, s, p, bias, Init.PYTORCH, t, kernels);
    }

    Sequential net(DataType t, long seed, ConvKernels kernels) {
      return Sequential.builder(in).add((shape, dt) -> layer(shape, dt, kernels)).build(t, seed);
    }
  }

  static Stream<Arguments> specs() {
    long[] img = {2, 5, 6};
    return Stream.of(
        Arguments.of("conv k3 s1 p1", new Spec(img, false, 3, 3, 1, 1, true)),
        Arguments.of("conv k4 s2 p1", new Spec(img, false, 3, 4, 2, 1, true)),
        Arguments.of("conv k2 s3 p2 no bias", new Spec(img, false, 1, 2, 3, 2, false)),
        Arguments.of(
            "conv k5 s1 p0 (whole width)", new Spec(new long[] {3, 5, 5}, false, 2, 5, 1, 0, true)),
        Arguments.of("convT k4 s2 p1", new Spec(img, true, 3, 4, 2, 1, true)),
        Arguments.of("convT k3 s2 p1 no bias", new Spec(img, true, 4, 3, 2, 1, false)),
        Arguments.of(
            "convT k4 s1 p0 from 1x1", new Spec(new long[] {3, 1, 1}, true, 2, 4, 1, 0, true)),
        Arguments.of(
            "convT k2 s3 p0 (gaps)", new Spec(new long[] {2, 3, 2}, true, 2, 2, 3, 0, true)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("specs")
  void nativeGradientsMatchFiniteDifferences(String name, Spec spec) {
    Sequential net = spec.net(DataType.DOUBLE, 11, ConvKernels.NATIVE);
    for (int batch : new int[] {3, 1}) {
      INDArray x = NetCheck.gaussian(DataType.DOUBLE, 1, NetCheck.batched(batch, spec.in()));
      INDArray r =
          NetCheck.gaussian(DataType.DOUBLE, 2, NetCheck.batched(batch, net.outputShape()));
      double[] err = NetCheck.gradientErrors(net, x, r);
      assertThat(err[0]).as("param grads, batch " + batch).isLessThan(1.0);
      assertThat(err[1]).as("input grads, batch " + batch).isLessThan(1.0);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("specs")
  void nativeJvpAndItsBackwardMatchFiniteDifferences(String name, Spec spec) {
    Sequential net = spec.net(DataType.DOUBLE, 5, ConvKernels.NATIVE);
    INDArray x = NetCheck.gaussian(DataType.DOUBLE, 3, NetCheck.batched(3, spec.in()));
    INDArray v = NetCheck.gaussian(DataType.DOUBLE, 4, NetCheck.batched(3, spec.in()));
    INDArray dT = NetCheck.gaussian(DataType.DOUBLE, 5, NetCheck.batched(3, net.outputShape()));
    long n = NetCheck.terms(net, x);
    double h = 1e-6;
    INDArray plus = net.forward(x.add(v.mul(h))).dup();
    INDArray minus = net.forward(x.sub(v.mul(h))).dup();
    net.forward(x);
    assertThat(Tolerance.directionalRatio(net.jvp(v), plus, minus, h, n)).as("jvp").isLessThan(1.0);

    INDArray before = NetCheck.gaussian(DataType.DOUBLE, 6, 1, net.numParams());
    net.grads().assign(before);
    net.forward(x);
    net.jvp(v);
    net.jvpBackward(dT);
    INDArray analytic = net.grads().sub(before);
    double err =
        NetCheck.errorRatio(
            net.params(), analytic, () -> NetCheck.tangentLoss(net, x, v, dT), 2 * n, 1e-6);
    assertThat(err).as("param grads of <dT, Jv>").isLessThan(1.0);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("specs")
  void nativeAndJavaPathsAgreeWithinReordering(String name, Spec spec) {
    for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      Sequential javaNet = spec.net(t, 9, ConvKernels.JAVA);
      // every parameter, input and output element: more than any one sum's terms
      long n = NetCheck.terms(javaNet, NetCheck.gaussian(t, 21, NetCheck.batched(4, spec.in())));
      List<INDArray> java = pass(javaNet, spec, t);
      List<INDArray> nat = pass(spec.net(t, 9, ConvKernels.NATIVE), spec, t);
      for (int i = 0; i < java.size(); i++) {
        double bound = Tolerance.reordered(n, Tolerance.absMax(java.get(i)), t);
        assertThat(Tolerance.ratio(nat.get(i), java.get(i), bound))
            .as(t + " result " + i)
            .isLessThan(1.0);
      }
    }
  }

  /**
   * The same network and inputs twice, in fresh layers and again in the same layers: every result
   * bit for bit equal, on both paths, at the DCGAN's channel-rich shapes (where oneDNN's kernels
   * run on its builds) and a one-channel end.
   */
  @Test
  void bothPathsAreRunToRunBitIdentical() {
    Spec[] specs = {
      new Spec(new long[] {64, 14, 14}, false, 128, 4, 2, 1, false),
      new Spec(new long[] {128, 7, 7}, true, 64, 4, 2, 1, false),
      new Spec(new long[] {64, 14, 14}, true, 1, 4, 2, 1, true),
    };
    for (ConvKernels kernels : ConvKernels.values()) {
      for (Spec spec : specs) {
        Sequential net = spec.net(DataType.FLOAT, 3, kernels);
        List<INDArray> first = pass(net, spec, DataType.FLOAT);
        List<INDArray> again = pass(net, spec, DataType.FLOAT);
        List<INDArray> fresh = pass(spec.net(DataType.FLOAT, 3, kernels), spec, DataType.FLOAT);
        for (int i = 0; i < first.size(); i++) {
          String what = kernels + " " + spec + " result " + i;
          assertThat(again.get(i).data().asFloat())
              .as(what)
              .isEqualTo(first.get(i).data().asFloat());
          assertThat(fresh.get(i).data().asFloat())
              .as(what)
              .isEqualTo(first.get(i).data().asFloat());
        }
      }
    }
  }

  /**
   * The kernels are chosen when a network is built, which may be a process's first use of ND4J (the
   * DCGAN bench builds its networks first): the choice must load ND4J itself. Runs in a fresh JVM,
   * since this one has long loaded it.
   */
  @Test
  void choosingTheKernelsWorksAsAProcesssFirstUseOfNd4j() throws Exception {
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                FirstContact.class.getName())
            .redirectErrorStream(true)
            .start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("exited").isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).as(out).containsPattern("(?m)^kernels (JAVA|NATIVE)$");
  }

  /** Builds a DCGAN generator before anything else touches ND4J. */
  static final class FirstContact {
    public static void main(String[] args) {
      Sequential g = Dcgan.generator(100, 1, 28, 64).build(DataType.FLOAT, 1);
      System.out.println("kernels " + ConvKernels.forLayer(128, 64));
      System.out.println("params " + g.numParams());
    }
  }

  /**
   * Forward, backward (overwriting, then accumulating), jvp and its backward at fixed inputs (batch
   * 4): the copies of every result, gradients included.
   */
  private static List<INDArray> pass(Sequential net, Spec spec, DataType t) {
    INDArray x = NetCheck.gaussian(t, 21, NetCheck.batched(4, spec.in()));
    INDArray r = NetCheck.gaussian(t, 22, NetCheck.batched(4, net.outputShape()));
    INDArray v = NetCheck.gaussian(t, 23, NetCheck.batched(4, spec.in()));
    List<INDArray> out = new ArrayList<>();
    out.add(net.forward(x).dup());
    out.add(net.backward(r, true, true).dup());
    out.add(net.grads().dup());
    net.forward(v);
    net.backward(r, true, false, true);
    out.add(net.grads().dup());
    net.forward(x);
    out.add(net.jvp(v).dup());
    net.jvpBackward(r);
    out.add(net.grads().dup());
    return out;
  }
}
