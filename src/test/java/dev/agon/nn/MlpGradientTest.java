package dev.agon.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.objective.GLoss;
import dev.agon.objective.StandardGan;
import dev.agon.tensor.Noise;
import dev.agon.tensor.Tolerance;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class MlpGradientTest {
  static Stream<Arguments> cases() {
    Stream.Builder<Arguments> b = Stream.builder();
    for (Activation hidden : Activation.values()) {
      for (Activation out : Activation.values()) {
        b.add(Arguments.of(hidden, out, 3, List.of(4, 5), 2, 3));
        b.add(Arguments.of(hidden, out, 2, List.of(3), 1, 1));
      }
      b.add(Arguments.of(hidden, hidden, 4, List.of(), 3, 2));
    }
    return b.build();
  }

  private static INDArray gaussian(long seed, long rows, long cols) {
    INDArray a = Nd4j.create(DataType.DOUBLE, rows, cols);
    Noise.gaussian(a, seed, 99, rows * 1000 + cols);
    return a;
  }

  /** The terms of L = sum(forward(x) * r): dL/dOut = r. */
  private static INDArray loss(Mlp mlp, INDArray x, INDArray r) {
    return mlp.forward(x).mul(r);
  }

  @ParameterizedTest(name = "{0}/{1} {2}->{3}->{4} batch {5}")
  @MethodSource("cases")
  void paramAndInputGradientsMatchFiniteDifferences(
      Activation hidden, Activation out, int in, List<Integer> widths, int outDim, int batch) {
    Mlp mlp = Mlp.create(new MlpSpec(in, widths, outDim, hidden, out, 0.2), 17, DataType.DOUBLE);
    INDArray x = gaussian(1, batch, in);
    INDArray r = gaussian(2, batch, outDim);
    // a dense layer's fan-in is below its weight count: the parameters bound the chain's sums
    long n = GradCheck.terms(mlp.params(), x, r);
    mlp.forward(x);
    INDArray dx = mlp.backward(r, true, true).dup();
    INDArray grads = mlp.grads().dup();

    assertThat(GradCheck.errorRatio(mlp.params(), grads, () -> loss(mlp, x, r), n))
        .as("param grads")
        .isLessThan(1.0);
    assertThat(GradCheck.errorRatio(x, dx, () -> loss(mlp, x, r), n))
        .as("input grads")
        .isLessThan(1.0);
  }

  @ParameterizedTest
  @EnumSource(Activation.class)
  void onlyInputGradLeavesGradsUntouchedAndAgrees(Activation act) {
    Mlp mlp = Mlp.create(new MlpSpec(3, List.of(6, 4), 2, act, act, 0.1), 5, DataType.DOUBLE);
    INDArray x = gaussian(3, 4, 3);
    INDArray r = gaussian(4, 4, 2);
    mlp.forward(x);
    INDArray full = mlp.backward(r, true, true).dup();
    mlp.grads().assign(123.0);
    mlp.forward(x);
    INDArray only = mlp.backward(r, false, true);
    assertThat(only).isEqualTo(full);
    assertThat(mlp.grads().minNumber().doubleValue()).isEqualTo(123.0);
    assertThat(mlp.grads().maxNumber().doubleValue()).isEqualTo(123.0);
    mlp.forward(x);
    assertThat(mlp.backward(r, true, false)).isNull();
  }

  /**
   * The generator step: loss(D(G(z))) with D frozen (paramGrads=false, inputGrad=true) feeding
   * G.backward.
   */
  @ParameterizedTest
  @EnumSource(StandardGan.GeneratorLoss.class)
  void generatorStepChainMatchesFiniteDifferences(StandardGan.GeneratorLoss kind) {
    Mlp g =
        Mlp.create(
            new MlpSpec(4, List.of(8, 8), 2, Activation.TANH, Activation.IDENTITY, 0),
            21,
            DataType.DOUBLE);
    Mlp d =
        Mlp.create(
            new MlpSpec(2, List.of(8, 6), 1, Activation.LEAKY_RELU, Activation.IDENTITY, 0.2),
            22,
            DataType.DOUBLE);
    StandardGan objective = new StandardGan(kind);
    INDArray z = gaussian(5, 6, 4);
    // the logit gradient is a row view (offset 6) of a larger array, as in a combined D batch
    INDArray gradLogits =
        Nd4j.create(DataType.DOUBLE, 12, 1).get(NDArrayIndex.interval(6, 12), NDArrayIndex.all());

    INDArray logits = d.forward(g.forward(z));
    objective.generator(logits, gradLogits);
    d.grads().assign(-7.0);
    INDArray dFake = d.backward(gradLogits, false, true);
    g.backward(dFake, true, false);
    INDArray analytic = g.grads().dup();
    assertThat(d.grads().minNumber().doubleValue()).isEqualTo(-7.0);
    assertThat(d.grads().maxNumber().doubleValue()).isEqualTo(-7.0);

    INDArray scratch = Nd4j.create(DataType.DOUBLE, 6, 1);
    // the loss is a mean of softplus terms of one sign, so |L| is their absolute sum; a term
    // moves by at most its logit's error (slope <= 1), hence + mean |logit|. The chain: both
    // networks' sums, then softplus and the mean, a few operations per term.
    long n = GradCheck.terms(g.params(), d.params(), z, scratch) + 8;
    java.util.function.DoubleSupplier value =
        () -> {
          GLoss l = objective.generator(d.forward(g.forward(z)), scratch);
          return l.loss();
        };
    double abs =
        Math.abs(value.getAsDouble()) + Tolerance.absSum(d.forward(g.forward(z))) / z.rows();
    double err =
        Tolerance.finiteDifferenceRatio(
            g.params(), analytic, new Tolerance.Loss(value, abs, n), GradCheck.H);
    assertThat(err).isLessThan(1.0);
  }
}
