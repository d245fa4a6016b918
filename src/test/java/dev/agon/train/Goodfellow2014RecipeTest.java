package dev.agon.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.agon.config.AgonConfig;
import dev.agon.config.ConfigLoader;
import dev.agon.data.Datasets;
import dev.agon.data.ImageDataset;
import dev.agon.nn.Affine;
import dev.agon.nn.Layer;
import dev.agon.nn.Linear;
import dev.agon.nn.Maxout;
import dev.agon.nn.Network;
import dev.agon.nn.Sequential;
import dev.agon.nn.Sigmoid;
import dev.agon.tensor.Noise;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The released 2014 recipe's network choices ({@code config/mnist-goodfellow2014.conf}): pixels in
 * [0, 1] inside both networks, uniform initialisation, G's output bias from the data.
 */
class Goodfellow2014RecipeTest {
  private static final long[] PIXELS = {784};

  /** The shipped experiment on the embedded Fashion-MNIST test split, small hidden layers. */
  private static AgonConfig recipe(String... more) {
    List<String> o =
        new ArrayList<>(
            List.of(
                "data.kind=fashion-mnist",
                "data.path=\"\"",
                "data.split=test",
                "model.goodfellow2014.generator-hidden=32",
                "model.goodfellow2014.maxout-units=16"));
    o.addAll(List.of(more));
    return ConfigLoader.load(
            Optional.of(Path.of("config/mnist-goodfellow2014.conf")), List.copyOf(o))
        .config();
  }

  private static Sequential g(AgonConfig c) {
    return (Sequential) Factory.generator(c, PIXELS, 5);
  }

  private static Sequential d(AgonConfig c) {
    return (Sequential) Factory.discriminator(c, PIXELS, 6);
  }

  /**
   * With unit-pixels D reads Agon's [-1, 1] pixels as the released D read [0, 1]: on the same
   * parameters it scores x exactly as the [-1, 1] network scores (x + 1) / 2.
   */
  @Test
  void unitPixelDiscriminatorScoresXAsThePlainOneScoresItsUnitPixels() {
    Sequential unit = d(recipe());
    Sequential plain =
        d(
            recipe(
                "model.goodfellow2014.unit-pixels=false",
                "model.goodfellow2014.output-bias-from-data=false"));
    assertThat(unit.layer(0)).isInstanceOf(Affine.class);
    assertThat(plain.numParams()).isEqualTo(unit.numParams());
    plain.params().assign(unit.params());
    unit.training(false);
    plain.training(false);
    INDArray x = Nd4j.create(DataType.FLOAT, 6, 784);
    Noise.uniform(x, 1, 2, 3);
    x.muli(2).subi(1); // pixels in [-1, 1]
    INDArray want = plain.forward(x.add(1).muli(0.5)).dup();
    INDArray got = unit.forward(x);
    for (int i = 0; i < 6; i++) {
      assertThat(got.getDouble(i, 0)).isCloseTo(want.getDouble(i, 0), within(1e-5));
    }
  }

  /** G ends in the released sigmoid, carried to [-1, 1] as 2 sigmoid(a) - 1. */
  @Test
  void unitPixelGeneratorEndsInSigmoidThenTwoYMinusOne() {
    Sequential g = g(recipe());
    List<Layer> layers = g.layers();
    assertThat(layers.get(layers.size() - 2)).isInstanceOf(Sigmoid.class);
    Affine out = (Affine) layers.get(layers.size() - 1);
    assertThat(out.scale()).isEqualTo(2.0);
    assertThat(out.shift()).isEqualTo(-1.0);
    Sequential tanh =
        g(
            recipe(
                "model.goodfellow2014.unit-pixels=false",
                "model.goodfellow2014.output-bias-from-data=false"));
    assertThat(tanh.layers().get(tanh.layers().size() - 1)).isInstanceOf(dev.agon.nn.Tanh.class);
  }

  /** G's weights from U(-0.05, 0.05), D's from U(-0.005, 0.005), hidden biases zero. */
  @Test
  void weightsFollowTheReleasedRanges() {
    AgonConfig c = recipe();
    for (Layer l : g(c).layers()) {
      if (l instanceof Linear lin) {
        assertThat(lin.weight().amaxNumber().doubleValue())
            .isLessThanOrEqualTo(0.05)
            .isGreaterThan(0.04);
      }
    }
    Sequential g = g(c);
    assertThat(((Linear) g.layer(0)).bias().amaxNumber().doubleValue()).isEqualTo(0.0);
    int maxouts = 0;
    for (Layer l : d(c).layers()) {
      if (l instanceof Maxout m) {
        maxouts++;
        assertThat(m.weight().amaxNumber().doubleValue())
            .isLessThanOrEqualTo(0.005)
            .isGreaterThan(0.004);
        assertThat(m.bias().amaxNumber().doubleValue()).isEqualTo(0.0);
      }
    }
    assertThat(maxouts).isEqualTo(2);
  }

  /**
   * G's output bias is the logit of each pixel's mean over the training data in [0, 1] (clipped to
   * [1e-7, 1 - 1e-7]), computed here from the raw pixels independently of the loader's means.
   */
  @Test
  void outputBiasIsTheLogitOfThePixelMeans() {
    AgonConfig c = recipe();
    ImageDataset images = Datasets.standard().load("fashion-mnist", "test", Optional.empty());
    Linear out = null;
    for (Layer l : g(c).layers()) {
      if (l instanceof Linear lin) {
        out = lin;
      }
    }
    for (int p = 0; p < 784; p++) {
      double sum = 0;
      for (int i = 0; i < images.size(); i++) {
        sum += (images.pixel(i, 0, p / 28, p % 28) + 1.0) / 2.0;
      }
      double mean = Math.min(Math.max(sum / images.size(), 1e-7), 1 - 1e-7);
      double logit = Math.log(mean / (1 - mean));
      assertThat(out.bias().getDouble(p))
          .as("pixel " + p)
          .isCloseTo(logit, within(2e-5 * Math.max(1, Math.abs(logit))));
    }
    // the data's mean image: dark corners, a bright centre
    assertThat(out.bias().getDouble(0)).isLessThan(-5);
    assertThat(out.bias().getDouble(14 * 28 + 14)).isGreaterThan(-1.5);
  }

  /** Off by default: the plain tanh network's output layer keeps PyTorch's drawn bias. */
  @Test
  void withoutTheOptionTheOutputBiasIsDrawn() {
    Network plain =
        Factory.generator(
            recipe(
                "model.goodfellow2014.unit-pixels=false",
                "model.goodfellow2014.output-bias-from-data=false",
                "model.goodfellow2014.generator-init-range=0"),
            PIXELS,
            5);
    Linear out = (Linear) ((Sequential) plain).layer(4);
    double bound = 1 / Math.sqrt(32);
    assertThat(out.bias().amaxNumber().doubleValue())
        .isLessThanOrEqualTo(bound)
        .isGreaterThan(0.9 * bound);
  }
}
