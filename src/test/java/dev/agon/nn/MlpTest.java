package dev.agon.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agon.tensor.Noise;
import dev.agon.tensor.Tolerance;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

class MlpTest {
  private static final MlpSpec SPEC =
      new MlpSpec(5, List.of(16, 8), 3, Activation.LEAKY_RELU, Activation.TANH, 0.2);

  private static INDArray gaussian(DataType t, long seed, long rows, long cols) {
    INDArray a = Nd4j.create(t, rows, cols);
    Noise.gaussian(a, seed, 0, 0);
    return a;
  }

  @Test
  void layoutAndPyTorchDefaultInit() {
    Mlp m = Mlp.create(SPEC, 1, DataType.FLOAT);
    assertThat(m.numParams()).isEqualTo(5 * 16 + 16 + 16 * 8 + 8 + 8 * 3 + 3);
    assertThat(m.params().shape()).containsExactly(1, m.numParams());
    assertThat(m.grads().shape()).containsExactly(1, m.numParams());
    assertThat(m.dtype()).isEqualTo(DataType.FLOAT);
    int[] fanIn = {5, 16, 8};
    for (int l = 0; l < 3; l++) {
      double bound = 1 / Math.sqrt(fanIn[l]);
      for (INDArray p : new INDArray[] {m.weight(l), m.bias(l)}) {
        assertThat(p.maxNumber().doubleValue()).isLessThanOrEqualTo(bound);
        assertThat(p.minNumber().doubleValue()).isGreaterThanOrEqualTo(-bound);
      }
      // uniform on [-b, b]: spread close to the bound for the 80- and 128-weight layers
      if (l < 2) {
        assertThat(m.weight(l).maxNumber().doubleValue()).isGreaterThan(0.8 * bound);
      }
    }
    // layer 1's W starts right after layer 0's W and b
    m.params().putScalar(0, 5 * 16 + 16, 42.0);
    assertThat(m.weight(1).getDouble(0, 0)).isEqualTo(42.0);
    m.params().putScalar(0, 5 * 16 + 3, -42.0);
    assertThat(m.bias(0).getDouble(0, 3)).isEqualTo(-42.0);
  }

  @Test
  void sameSeedSameParamsAndFloatIsRoundedDouble() {
    Mlp a = Mlp.create(SPEC, 7, DataType.FLOAT);
    Mlp b = Mlp.create(SPEC, 7, DataType.FLOAT);
    Mlp c = Mlp.create(SPEC, 8, DataType.FLOAT);
    Mlp d = Mlp.create(SPEC, 7, DataType.DOUBLE);
    assertThat(a.params()).isEqualTo(b.params());
    assertThat(a.params()).isNotEqualTo(c.params());
    assertThat(a.params()).isEqualTo(d.params().castTo(DataType.FLOAT));
  }

  @Test
  void forwardMatchesPlainMatrixAlgebra() {
    Mlp m = Mlp.create(SPEC, 3, DataType.DOUBLE);
    INDArray x = gaussian(DataType.DOUBLE, 4, 6, 5);
    INDArray h = x.mmul(m.weight(0).dup()).addRowVector(m.bias(0).dup());
    h = Transforms.leakyRelu(h, 0.2);
    h = Transforms.leakyRelu(h.mmul(m.weight(1).dup()).addRowVector(m.bias(1).dup()), 0.2);
    INDArray expected = Transforms.tanh(h.mmul(m.weight(2).dup()).addRowVector(m.bias(2).dup()));
    INDArray y = m.forward(x);
    INDArray bound = magnitudes(m, x).muli(2 * Tolerance.gamma(fanIns(SPEC), DataType.DOUBLE));
    assertThat(Tolerance.ratio(y, expected, bound)).isLessThan(1.0);
  }

  /**
   * Componentwise magnitudes of the output's sums, {@code S_l = |S_(l-1)| |W_l| + |b_l|} from
   * {@code S_0 = |x|}: the activations here are 1-Lipschitz with {@code |f(z)| <= |z|}, so {@code
   * gamma(n) S_L} bounds the output's rounding, n the fan-ins along the chain, to first order
   * (Higham 3.5 for each product; each activation's own rounding is one more operation).
   */
  private static INDArray magnitudes(Mlp m, INDArray x) {
    INDArray s = Transforms.abs(x.castTo(DataType.DOUBLE));
    for (int l = 0; l < m.spec().numLayers(); l++) {
      INDArray w = Transforms.abs(m.weight(l).castTo(DataType.DOUBLE));
      INDArray b = Transforms.abs(m.bias(l).castTo(DataType.DOUBLE));
      s = s.mmul(w).addRowVector(b);
    }
    return s;
  }

  /** The fan-ins along the chain (+1 each: the bias, the activation). */
  private static long fanIns(MlpSpec spec) {
    long n = spec.inputDim() + 2;
    for (int h : spec.hidden()) {
      n += h + 2;
    }
    return n;
  }

  @Test
  void forwardIsRepeatableAndReusesItsBuffer() {
    Mlp m = Mlp.create(SPEC, 3, DataType.FLOAT);
    INDArray x = gaussian(DataType.FLOAT, 4, 7, 5);
    INDArray first = m.forward(x);
    INDArray kept = first.dup();
    INDArray second = m.forward(x);
    assertThat(second).isSameAs(first);
    assertThat(second).isEqualTo(kept);
  }

  @Test
  void batchSizesCanAlternate() {
    Mlp m = Mlp.create(SPEC, 3, DataType.DOUBLE);
    INDArray x3 = gaussian(DataType.DOUBLE, 1, 3, 5);
    INDArray x5 = gaussian(DataType.DOUBLE, 2, 5, 5);
    INDArray y3 = m.forward(x3).dup();
    INDArray r5 = gaussian(DataType.DOUBLE, 3, 5, 3);
    m.forward(x5);
    INDArray dx5 = m.backward(r5, true, true).dup();
    INDArray g5 = m.grads().dup();
    assertThat(m.forward(x3)).isEqualTo(y3);
    m.forward(x5);
    m.backward(r5, true, true);
    assertThat(m.grads()).isEqualTo(g5);
    assertThat(dx5.shape()).containsExactly(5, 5);
    assertThatThrownBy(() -> m.backward(Nd4j.create(DataType.DOUBLE, 3, 3), true, true))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void createdOnOneThreadUsedOnAnother() throws Exception {
    ExecutorService creator = Executors.newSingleThreadExecutor();
    ExecutorService user = Executors.newSingleThreadExecutor();
    try {
      Mlp m = creator.submit(() -> Mlp.create(SPEC, 11, DataType.FLOAT)).get();
      INDArray x = gaussian(DataType.FLOAT, 5, 8, 5);
      INDArray r = gaussian(DataType.FLOAT, 6, 8, 3);
      INDArray[] remote =
          user.submit(
                  () -> {
                    INDArray y = m.forward(x).dup();
                    INDArray dx = m.backward(r, true, true).dup();
                    return new INDArray[] {y, dx, m.grads().dup()};
                  })
              .get();
      Mlp local = Mlp.create(SPEC, 11, DataType.FLOAT);
      assertThat(local.forward(x)).isEqualTo(remote[0]);
      assertThat(local.backward(r, true, true)).isEqualTo(remote[1]);
      assertThat(local.grads()).isEqualTo(remote[2]);
    } finally {
      creator.shutdownNow();
      user.shutdownNow();
    }
  }

  @Test
  void floatForwardMatchesDoubleForward() {
    MlpSpec spec =
        new MlpSpec(100, List.of(256, 512, 1024), 784, Activation.LEAKY_RELU, Activation.TANH, 0.2);
    Mlp f = Mlp.create(spec, 5, DataType.FLOAT);
    Mlp d = Mlp.create(spec, 5, DataType.DOUBLE);
    INDArray xd = gaussian(DataType.DOUBLE, 9, 16, 100);
    INDArray yf = f.forward(xd.castTo(DataType.FLOAT)).castTo(DataType.DOUBLE);
    INDArray yd = d.forward(xd);
    double g =
        Tolerance.gamma(fanIns(spec) + 1, DataType.FLOAT)
            + Tolerance.gamma(fanIns(spec) + 1, DataType.DOUBLE);
    assertThat(Tolerance.ratio(yf, yd, magnitudes(d, xd).muli(g))).isLessThan(1.0);
  }

  @Test
  void copyParamsFromAndReluKinks() {
    Mlp a = Mlp.create(SPEC, 1, DataType.FLOAT);
    Mlp b = Mlp.create(SPEC, 2, DataType.FLOAT);
    b.copyParamsFrom(a.params().dup());
    assertThat(b.params()).isEqualTo(a.params());
    INDArray x = gaussian(DataType.FLOAT, 1, 2, 5);
    assertThat(b.forward(x)).isEqualTo(a.forward(x));

    // at a pre-activation of exactly 0, PyTorch's derivative is 0 for ReLU and the slope for leaky
    for (Activation act : new Activation[] {Activation.RELU, Activation.LEAKY_RELU}) {
      Mlp m = Mlp.create(new MlpSpec(1, List.of(), 1, act, act, 0.25), 1, DataType.DOUBLE);
      m.params().assign(0.0);
      m.forward(Nd4j.ones(DataType.DOUBLE, 1, 1));
      m.backward(Nd4j.ones(DataType.DOUBLE, 1, 1), true, false);
      assertThat(m.grads().getDouble(0, 1)).isEqualTo(act == Activation.RELU ? 0.0 : 0.25);
    }
  }

  @Test
  void rejectsBadInput() {
    Mlp m = Mlp.create(SPEC, 1, DataType.FLOAT);
    assertThatThrownBy(() -> m.forward(Nd4j.create(DataType.FLOAT, 2, 4)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> m.forward(Nd4j.create(DataType.DOUBLE, 2, 5)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> m.copyParamsFrom(Nd4j.create(DataType.FLOAT, 1, 3)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> new MlpSpec(2, List.of(3), 1, Activation.LEAKY_RELU, Activation.TANH, -0.1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
