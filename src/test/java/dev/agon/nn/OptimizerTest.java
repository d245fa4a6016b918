package dev.agon.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.tensor.Tolerance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Expected values are the update formulas evaluated by hand (in double) on p0 = [1, -2, 0.5] with
 * gradients g1 = [0.5, -1, 2], g2 = [0.1, 0.2, -0.3], g3 = [-0.4, 0, 1].
 */
class OptimizerTest {
  private static final double[] P0 = {1.0, -2.0, 0.5};
  private static final double[][] G = {{0.5, -1.0, 2.0}, {0.1, 0.2, -0.3}, {-0.4, 0.0, 1.0}};

  private static INDArray vec(DataType t, double... v) {
    return Nd4j.createFromArray(v).castTo(t).reshape(1, v.length);
  }

  private static void assertValues(INDArray p, double tol, double... expected) {
    for (int i = 0; i < expected.length; i++) {
      Tolerance.assertClose("element " + i, p.getDouble(0, i), expected[i], tol);
    }
  }

  /**
   * Bound after {@code steps} steps in type t: each step about 12 operations (moments, bias
   * corrections, square root, division, update) on values up to 3 (|p| <= 2.1 plus the updates).
   */
  private static double tol(DataType t, int steps) {
    return Tolerance.sum(12L * steps + 1, 3, t);
  }

  @ParameterizedTest
  @EnumSource(
      value = DataType.class,
      names = {"FLOAT", "DOUBLE"})
  void adamDefaults(DataType t) {
    // step 1: m^ = g, v^ = g^2, so p -= 0.1 g / (|g| + 1e-8), e.g. 1 - 0.05/0.50000001
    Adam adam = new Adam(3, t, 0.1);
    INDArray p = vec(t, P0);
    adam.step(p, vec(t, G[0]));
    assertValues(p, tol(t, 1), 0.900000002, -1.900000001, 0.4000000005);
    adam.step(p, vec(t, G[1]));
    assertValues(p, tol(t, 2), 0.8196959063846518, -1.8488973939904947, 0.3447801952059978);
    adam.step(p, vec(t, G[2]));
    assertValues(p, tol(t, 3), 0.8103259663582117, -1.8093949307841704, 0.2781872295336901);
    assertThat(adam.steps()).isEqualTo(3);
  }

  /**
   * Both kernels reproduce the fused elementwise loop (PyTorch's order, element type, no fused
   * multiply-add) bit for bit, over many steps and values from 1e-6 to 10.
   */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({
    "FLOAT, ND4J_OPS",
    "DOUBLE, ND4J_OPS",
    "FLOAT, HOST_LOOP",
    "DOUBLE, HOST_LOOP"
  })
  void adamKernelsEqualTheElementwiseLoopBitForBit(DataType t, KernelChoice kernel) {
    int n = 1001;
    java.util.Random rnd = new java.util.Random(5);
    double[] p = new double[n];
    double[] m = new double[n];
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      p[i] = rnd.nextGaussian();
    }
    Adam adam = new Adam(n, t, 2e-4, 0.5, 0.999, 1e-8, kernel);
    INDArray pa = vec(t, p);
    boolean f = t == DataType.FLOAT;
    for (int step = 1; step <= 7; step++) {
      double[] g = new double[n];
      for (int i = 0; i < n; i++) {
        g[i] = rnd.nextGaussian() * Math.pow(10, rnd.nextInt(8) - 6);
        if (f) {
          g[i] = (float) g[i];
        }
      }
      adam.step(pa, vec(t, g));
      double stepSize = 2e-4 / (1.0 - Math.pow(0.5, step));
      double bc2 = Math.sqrt(1.0 - Math.pow(0.999, step));
      for (int i = 0; i < n; i++) {
        if (f) {
          float mi = (float) m[i] * 0.5f + 0.5f * (float) g[i];
          float vi = (float) v[i] * 0.999f + (float) (1 - 0.999) * ((float) g[i] * (float) g[i]);
          float denom = (float) Math.sqrt(vi) / (float) bc2 + 1e-8f;
          p[i] = (float) p[i] + (float) -stepSize * (mi / denom);
          m[i] = mi;
          v[i] = vi;
        } else {
          m[i] = m[i] * 0.5 + 0.5 * g[i];
          v[i] = v[i] * 0.999 + (1 - 0.999) * (g[i] * g[i]);
          p[i] = p[i] + -stepSize * (m[i] / (Math.sqrt(v[i]) / bc2 + 1e-8));
        }
      }
      for (int i = 0; i < n; i++) {
        assertThat(pa.getDouble(0, i)).as("step %d element %d", step, i).isEqualTo(p[i]);
      }
    }
  }

  @Test
  void kernelPropertyForcesAKernelAndRefusesOthers() {
    String key = KernelChoice.PROPERTY;
    String saved = System.getProperty(key);
    try {
      System.setProperty(key, "nd4j");
      assertThat(KernelChoice.forBackend()).isEqualTo(KernelChoice.ND4J_OPS);
      assertThat(KernelChoice.problem()).isNull();
      System.setProperty(key, "host");
      assertThat(KernelChoice.forBackend()).isEqualTo(KernelChoice.HOST_LOOP);
      System.setProperty(key, "gpu");
      org.assertj.core.api.Assertions.assertThatThrownBy(KernelChoice::forBackend)
          .hasMessageContaining(key)
          .hasMessageContaining("gpu");
      assertThat(KernelChoice.problem()).contains(key).contains("gpu");
      System.clearProperty(key);
      // this suite runs on the CPU backend
      assertThat(KernelChoice.forBackend()).isEqualTo(KernelChoice.HOST_LOOP);
    } finally {
      if (saved == null) {
        System.clearProperty(key);
      } else {
        System.setProperty(key, saved);
      }
    }
  }

  @Test
  void adamWithLargeEpsAndLearningRateChange() {
    // b1 = 0.5, b2 = 0.9, eps = 0.1; step 1 on p=1, g=0.5: m^ = 0.5, sqrt(v^) = 0.5,
    // p = 1 - 0.1 * 0.5 / 0.6 = 0.91666...; lr drops to 0.01 from step 2 on.
    Adam adam = new Adam(3, DataType.DOUBLE, 0.1, 0.5, 0.9, 0.1);
    INDArray p = vec(DataType.DOUBLE, P0);
    adam.step(p, vec(DataType.DOUBLE, G[0]));
    assertValues(
        p, tol(DataType.DOUBLE, 1), 0.9166666666666666, -1.9090909090909092, 0.40476190476190477);
    adam.learningRate(0.01);
    assertThat(adam.learningRate()).isEqualTo(0.01);
    adam.step(p, vec(DataType.DOUBLE, G[1]));
    assertValues(
        p, tol(DataType.DOUBLE, 2), 0.9115008551169125, -1.9066014126527266, 0.4016374509169147);
    adam.step(p, vec(DataType.DOUBLE, G[2]));
    assertValues(
        p, tol(DataType.DOUBLE, 3), 0.9142349646189616, -1.90530020382342, 0.3959765090787076);
  }

  @ParameterizedTest
  @EnumSource(
      value = DataType.class,
      names = {"FLOAT", "DOUBLE"})
  void sgdPlainMomentumNesterov(DataType t) {
    double[][][] expected = {
      {{0.95, -1.9, 0.3}, {0.94, -1.92, 0.33}, {0.98, -1.92, 0.23}},
      {{0.95, -1.9, 0.3}, {0.895, -1.83, 0.15}, {0.8855, -1.767, -0.085}},
      {{0.905, -1.81, 0.12}, {0.8455, -1.767, 0.015}, {0.87695, -1.7103, -0.2965}},
    };
    SgdMomentum[] opts = {
      new SgdMomentum(3, t, 0.1),
      new SgdMomentum(3, t, 0.1, 0.9, false),
      new SgdMomentum(3, t, 0.1, 0.9, true)
    };
    for (int k = 0; k < opts.length; k++) {
      INDArray p = vec(t, P0);
      for (int s = 0; s < 3; s++) {
        opts[k].step(p, vec(t, G[s]));
        assertValues(p, tol(t, s + 1), expected[k][s]);
      }
    }
  }

  @Test
  void sgdLearningRateChangeTakesEffectOnNextStep() {
    SgdMomentum sgd = new SgdMomentum(3, DataType.DOUBLE, 0.1, 0.9, false);
    INDArray p = vec(DataType.DOUBLE, P0);
    sgd.step(p, vec(DataType.DOUBLE, G[0]));
    sgd.learningRate(1.0);
    sgd.step(p, vec(DataType.DOUBLE, G[1]));
    // buf2 = 0.9 * g1 + g2 = [0.55, -0.7, 1.5]; p = p1 - 1.0 * buf2
    assertValues(p, tol(DataType.DOUBLE, 2), 0.95 - 0.55, -1.9 + 0.7, 0.3 - 1.5);
  }

  @Test
  void stateRoundTripContinuesIdentically() {
    for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      Optimizer[] a = {new Adam(3, t, 0.1), new SgdMomentum(3, t, 0.1, 0.9, true)};
      Optimizer[] b = {new Adam(3, t, 0.5), new SgdMomentum(3, t, 0.5, 0.9, true)};
      for (int k = 0; k < a.length; k++) {
        INDArray p = vec(t, P0);
        a[k].step(p, vec(t, G[0]));
        a[k].step(p, vec(t, G[1]));
        INDArray q = p.dup();
        b[k].restore(a[k].state().dup(), a[k].steps());
        b[k].learningRate(a[k].learningRate());
        assertThat(b[k].steps()).isEqualTo(2);
        a[k].step(p, vec(t, G[2]));
        b[k].step(q, vec(t, G[2]));
        assertThat(q).isEqualTo(p);
        assertThat(b[k].state()).isEqualTo(a[k].state());
      }
    }
  }

  @Test
  void adamStateIsMThenV() {
    Adam adam = new Adam(3, DataType.DOUBLE, 0.1);
    adam.step(vec(DataType.DOUBLE, P0), vec(DataType.DOUBLE, G[0]));
    // m = 0.1 g, v = 0.001 g^2: three operations each, on values up to 0.2
    assertValues(adam.state(), Tolerance.ops(3, 0.2), 0.05, -0.1, 0.2, 0.00025, 0.001, 0.004);
  }
}
