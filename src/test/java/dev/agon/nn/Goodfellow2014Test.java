package dev.agon.nn;

import static dev.agon.nn.SingleLayerHarness.EVAL;
import static dev.agon.nn.SingleLayerHarness.TRAIN;
import static dev.agon.nn.SingleLayerHarness.gaussian;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agon.nn.Goodfellow2014.ActivationSpec;
import dev.agon.nn.Goodfellow2014.DropoutSpec;
import dev.agon.nn.Goodfellow2014.LayerSpec;
import dev.agon.nn.Goodfellow2014.LinearSpec;
import dev.agon.nn.Goodfellow2014.MaxoutSpec;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class Goodfellow2014Test {
  private static final DataType D = DataType.DOUBLE;

  /** Test-only chain of layers over one flat parameter, gradient and state vector. */
  private static final class Chain {
    final List<Layer> layers;
    final INDArray params;
    final INDArray grads;
    final INDArray state;

    Chain(List<Layer> layers, DataType t, long seed) {
      this.layers = layers;
      long p = 0;
      long s = 0;
      for (Layer l : layers) {
        p += l.numParams();
        s += l.numState();
      }
      params = Nd4j.create(t, 1, Math.max(p, 1));
      grads = Nd4j.create(t, 1, Math.max(p, 1));
      state = Nd4j.create(t, 1, Math.max(s, 1));
      long po = 0;
      long so = 0;
      for (int i = 0; i < layers.size(); i++) {
        Layer l = layers.get(i);
        long np = l.numParams();
        long ns = l.numState();
        l.bind(
            np > 0 ? Vectors.slice(params, po, np) : null,
            np > 0 ? Vectors.slice(grads, po, np) : null,
            ns > 0 ? Vectors.slice(state, so, ns) : null);
        l.initialize(seed, i);
        po += np;
        so += ns;
      }
    }

    INDArray forward(INDArray x, Layer.Context ctx) {
      INDArray a = x;
      for (Layer l : layers) {
        a = l.forward(a, ctx);
      }
      return a;
    }

    /** {@link GradCheck#terms}: parameters, input and every layer's output on x. */
    long terms(INDArray x, Layer.Context ctx, INDArray... more) {
      long n = GradCheck.terms(params, x) + GradCheck.terms(more);
      INDArray a = x;
      for (Layer l : layers) {
        a = l.forward(a, ctx);
        n += a.length();
      }
      return n;
    }

    INDArray backward(INDArray dOut) {
      INDArray g = dOut;
      for (int i = layers.size() - 1; i >= 0; i--) {
        g = layers.get(i).backward(g, true, true, false);
      }
      return g;
    }
  }

  /** Linear layers as maxout with one piece, which is exactly {@code x W + b}. */
  private static Layer linearAsMaxout(LayerSpec s) {
    if (s instanceof LinearSpec) {
      LinearSpec l = (LinearSpec) s;
      return new Maxout(l.in(), l.out(), 1);
    }
    throw new UnsupportedOperationException("no test layer for " + s);
  }

  @Test
  void generatorIsTwoReluLayersOf1200AndTanhByDefault() {
    List<LayerSpec> g = Goodfellow2014.generator();
    assertThat(g)
        .containsExactly(
            new LinearSpec(100, 1200),
            new ActivationSpec(Activation.RELU, 1200),
            new LinearSpec(1200, 1200),
            new ActivationSpec(Activation.RELU, 1200),
            new LinearSpec(1200, 784),
            new ActivationSpec(Activation.TANH, 784));
    assertThat(Goodfellow2014.generator(Activation.SIGMOID).get(5))
        .isEqualTo(new ActivationSpec(Activation.SIGMOID, 784));
    assertThat(Goodfellow2014.numParams(g))
        .isEqualTo(100L * 1200 + 1200 + 1200L * 1200 + 1200 + 1200L * 784 + 784);
    assertThatThrownBy(() -> Goodfellow2014.generator(Activation.RELU))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void discriminatorIsTwoMaxoutLayersWithTheReleasedDropout() {
    List<LayerSpec> d = Goodfellow2014.discriminator();
    assertThat(d)
        .containsExactly(
            new DropoutSpec(0.2, 784),
            new MaxoutSpec(784, 240, 5),
            new DropoutSpec(0.5, 240),
            new MaxoutSpec(240, 240, 5),
            new DropoutSpec(0.5, 240),
            new LinearSpec(240, 1));
    assertThat(Goodfellow2014.numParams(d))
        .isEqualTo(784L * 1200 + 1200 + 240L * 1200 + 1200 + 240 + 1);
    assertThat(Goodfellow2014.discriminator(0, 0))
        .containsExactly(
            new MaxoutSpec(784, 240, 5), new MaxoutSpec(240, 240, 5), new LinearSpec(240, 1));
  }

  @Test
  void discriminatorLayersRunForwardAndBackward() {
    List<Layer> layers =
        Goodfellow2014.layers(Goodfellow2014.discriminator(), Goodfellow2014Test::linearAsMaxout);
    assertThat(layers).hasSize(6);
    assertThat(((Dropout) layers.get(0)).stream()).isEqualTo(0);
    assertThat(((Dropout) layers.get(2)).stream()).isEqualTo(2);
    Chain c = new Chain(layers, DataType.FLOAT, 4);
    assertThat(c.params.length())
        .isEqualTo(Goodfellow2014.numParams(Goodfellow2014.discriminator()));
    INDArray x = gaussian(DataType.FLOAT, 1, 8, 784);
    INDArray logits = c.forward(x, TRAIN);
    assertThat(logits.shape()).containsExactly(8, 1);
    INDArray dx = c.backward(Nd4j.ones(DataType.FLOAT, 8, 1));
    assertThat(dx.shape()).containsExactly(8, 784);
    assertThat(c.grads.amaxNumber().doubleValue()).isGreaterThan(0.0);
    assertThat(c.forward(x, EVAL).shape()).containsExactly(8, 1);
  }

  @Test
  void layersRejectsAFactoryWithTheWrongShapes() {
    assertThatThrownBy(
            () -> Goodfellow2014.layers(Goodfellow2014.discriminator(), s -> new Maxout(240, 2, 1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> Goodfellow2014.checked(List.of(new LinearSpec(3, 4), new MaxoutSpec(5, 2, 2))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** All the layers of this package's GAN papers chained, checked against finite differences. */
  @Test
  void aChainOfTheseLayersHasFiniteDifferenceGradients() {
    List<Layer> layers =
        List.of(
            new Dropout(0.3, 0, 5),
            new Maxout(5, 4, 3),
            new VirtualBatchNorm(4),
            new Dropout(0.5, 3, 4),
            new MinibatchDiscrimination(4, 3, 2),
            new Maxout(7, 1, 1));
    Chain c = new Chain(layers, D, 8);
    c.params.addi(gaussian(D, 5, c.params.shape()).muli(0.5));
    INDArray refs = gaussian(D, 6, 6, 5);
    VirtualBatchNorm.recordReferences(layers, refs, EVAL);
    INDArray x = gaussian(D, 7, 4, 5);
    INDArray r = gaussian(D, 8, 4, 1);
    long n = c.terms(x, TRAIN, refs);
    c.forward(x, TRAIN);
    INDArray dx = c.backward(r).dup();
    INDArray grads = c.grads.dup();
    java.util.function.Supplier<INDArray> loss = () -> c.forward(x, TRAIN).mul(r);
    assertThat(GradCheck.errorRatio(c.params, grads, loss, n)).isLessThan(1.0);
    assertThat(GradCheck.errorRatio(x, dx, loss, n)).isLessThan(1.0);
  }
}
