package dev.agon.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The MNIST networks of Goodfellow, Pouget-Abadie, Mirza, Xu, Warde-Farley, Ozair, Courville and
 * Bengio, "Generative Adversarial Nets", NIPS 2014, as in the authors' released configuration
 * ({@code mnist.yaml} of goodfeli/adversarial), described as lists of {@link LayerSpec} records
 * that {@link #layers} turns into {@link Layer}s.
 *
 * <p>Generator: noise of dimension 100, then linear 1200 + ReLU, linear 1200 + ReLU, linear 784 and
 * an output nonlinearity: the released code's sigmoid, for pixels in [0, 1], or tanh for Agon's
 * [-1, 1] data ({@link #generator(Activation)}).
 *
 * <p>Discriminator: 784 inputs, maxout 240 units x 5 pieces, maxout 240 x 5, linear 1. The released
 * code ended in a sigmoid unit; here the network outputs the logit and the loss applies the sigmoid
 * (the same function, computed stably). Dropout follows the released code, which is what produced
 * the paper's MNIST results: pylearn2's {@code input_include_probs} of 0.8 for the first layer and
 * a default of 0.5 for the others, with {@code input_scales} 1.25 and 2, i.e. inverted dropout with
 * {@code p = 0.2} on the input and {@code p = 0.5} on the input of each later layer (both maxout
 * outputs). {@link #discriminator(double, double)} sets other rates ({@code 0} removes the layer).
 *
 * <p>These specs describe the shapes. The networks a run trains are built by the training factory
 * from {@code model.goodfellow2014}, which adds the rest of the released recipe: pixels in [0, 1]
 * inside both networks ({@code unit-pixels}, with fixed {@link Affine} maps to and from Agon's [-1,
 * 1]), the uniform initialisation ({@link Init#uniform}: 0.05 for G, 0.005 for D, zero biases) and
 * G's output biases from the data's pixel marginals; the optimiser settings (SGD, rate 0.1 divided
 * by 1.000004 per update, momentum 0.5 rising to 0.7, batch 100) are {@code optim}'s.
 */
public final class Goodfellow2014 {
  /** Noise dimension of the generator. */
  public static final int LATENT = 100;

  /** Width of the generator's two hidden layers. */
  public static final int GENERATOR_HIDDEN = 1200;

  /** 28 x 28 MNIST pixels. */
  public static final int PIXELS = 784;

  /** Maxout units of each discriminator hidden layer. */
  public static final int MAXOUT_UNITS = 240;

  /** Pieces per maxout unit. */
  public static final int MAXOUT_PIECES = 5;

  /** Dropout probability on the discriminator's input (include probability 0.8). */
  public static final double INPUT_DROPOUT = 0.2;

  /** Dropout probability on the input of the later discriminator layers (include 0.5). */
  public static final double HIDDEN_DROPOUT = 0.5;

  private Goodfellow2014() {}

  /** One layer, described by its kind and sizes; all act on {@code [B, features]} arrays. */
  public sealed interface LayerSpec permits LinearSpec, ActivationSpec, MaxoutSpec, DropoutSpec {
    int inputWidth();

    int outputWidth();

    /** Trainable parameters of the layer. */
    long numParams();
  }

  /** {@code y = x W + b}, {@code W} of shape {@code [in, out]}. */
  public record LinearSpec(int in, int out) implements LayerSpec {
    public LinearSpec {
      positive(in, out);
    }

    @Override
    public int inputWidth() {
      return in;
    }

    @Override
    public int outputWidth() {
      return out;
    }

    @Override
    public long numParams() {
      return (long) in * out + out;
    }
  }

  /** An element-wise activation on {@code features} inputs. */
  public record ActivationSpec(Activation activation, int features) implements LayerSpec {
    public ActivationSpec {
      Objects.requireNonNull(activation, "activation");
      positive(features);
    }

    @Override
    public int inputWidth() {
      return features;
    }

    @Override
    public int outputWidth() {
      return features;
    }

    @Override
    public long numParams() {
      return 0;
    }
  }

  /** A {@link Maxout} layer. */
  public record MaxoutSpec(int in, int units, int pieces) implements LayerSpec {
    public MaxoutSpec {
      positive(in, units, pieces);
    }

    @Override
    public int inputWidth() {
      return in;
    }

    @Override
    public int outputWidth() {
      return units;
    }

    @Override
    public long numParams() {
      return (long) in * units * pieces + (long) units * pieces;
    }

    public Maxout toLayer() {
      return new Maxout(in, units, pieces);
    }
  }

  /** A {@link Dropout} layer with drop probability {@code p} on {@code features} inputs. */
  public record DropoutSpec(double p, int features) implements LayerSpec {
    public DropoutSpec {
      if (!(p >= 0.0 && p < 1.0)) {
        throw new IllegalArgumentException("p must be in [0, 1), got " + p);
      }
      positive(features);
    }

    @Override
    public int inputWidth() {
      return features;
    }

    @Override
    public int outputWidth() {
      return features;
    }

    @Override
    public long numParams() {
      return 0;
    }

    /** The layer, with noise stream {@code stream} (unique among the network's dropout layers). */
    public Dropout toLayer(long stream) {
      return new Dropout(p, stream, features);
    }
  }

  private static void positive(int... sizes) {
    for (int s : sizes) {
      if (s < 1) {
        throw new IllegalArgumentException("sizes must be >= 1, got " + Arrays.toString(sizes));
      }
    }
  }

  /** The generator with tanh output, for data in [-1, 1]. */
  public static List<LayerSpec> generator() {
    return generator(Activation.TANH);
  }

  /**
   * The generator: 100 -> 1200 ReLU -> 1200 ReLU -> 784 {@code output}.
   *
   * @param output {@link Activation#TANH} (data in [-1, 1]) or {@link Activation#SIGMOID} (data in
   *     [0, 1], the released code)
   */
  public static List<LayerSpec> generator(Activation output) {
    if (output != Activation.TANH && output != Activation.SIGMOID) {
      throw new IllegalArgumentException("output must be TANH or SIGMOID, got " + output);
    }
    return checked(
        List.of(
            new LinearSpec(LATENT, GENERATOR_HIDDEN),
            new ActivationSpec(Activation.RELU, GENERATOR_HIDDEN),
            new LinearSpec(GENERATOR_HIDDEN, GENERATOR_HIDDEN),
            new ActivationSpec(Activation.RELU, GENERATOR_HIDDEN),
            new LinearSpec(GENERATOR_HIDDEN, PIXELS),
            new ActivationSpec(output, PIXELS)));
  }

  /** The discriminator with the released code's dropout (0.2 on the input, 0.5 later). */
  public static List<LayerSpec> discriminator() {
    return discriminator(INPUT_DROPOUT, HIDDEN_DROPOUT);
  }

  /**
   * The discriminator: [dropout inputDrop] maxout 240x5, [dropout hiddenDrop] maxout 240x5,
   * [dropout hiddenDrop] linear 1 (the logit); a dropout with probability 0 is left out.
   */
  public static List<LayerSpec> discriminator(double inputDrop, double hiddenDrop) {
    List<LayerSpec> l = new ArrayList<>();
    dropout(l, inputDrop, PIXELS);
    l.add(new MaxoutSpec(PIXELS, MAXOUT_UNITS, MAXOUT_PIECES));
    dropout(l, hiddenDrop, MAXOUT_UNITS);
    l.add(new MaxoutSpec(MAXOUT_UNITS, MAXOUT_UNITS, MAXOUT_PIECES));
    dropout(l, hiddenDrop, MAXOUT_UNITS);
    l.add(new LinearSpec(MAXOUT_UNITS, 1));
    return checked(List.copyOf(l));
  }

  private static void dropout(List<LayerSpec> l, double p, int features) {
    if (p != 0.0) {
      l.add(new DropoutSpec(p, features));
    }
  }

  /** Checks that consecutive widths agree and returns {@code specs}. */
  public static List<LayerSpec> checked(List<LayerSpec> specs) {
    if (specs.isEmpty()) {
      throw new IllegalArgumentException("no layers");
    }
    for (int i = 1; i < specs.size(); i++) {
      if (specs.get(i).inputWidth() != specs.get(i - 1).outputWidth()) {
        throw new IllegalArgumentException(
            "layer " + i + " " + specs.get(i) + " does not take the output of " + specs.get(i - 1));
      }
    }
    return specs;
  }

  /** Total trainable parameters of {@code specs}. */
  public static long numParams(List<LayerSpec> specs) {
    long n = 0;
    for (LayerSpec s : specs) {
      n += s.numParams();
    }
    return n;
  }

  /**
   * The layers of {@code specs}: {@link Maxout} and {@link Dropout} (noise stream = the layer's
   * index in the list) are built here, linear and activation layers by {@code others} (their
   * classes live with the convolutional layers). Checks that each layer takes the previous one's
   * output shape.
   */
  public static List<Layer> layers(List<LayerSpec> specs, Function<LayerSpec, Layer> others) {
    checked(specs);
    List<Layer> out = new ArrayList<>(specs.size());
    for (int i = 0; i < specs.size(); i++) {
      LayerSpec s = specs.get(i);
      Layer layer;
      if (s instanceof MaxoutSpec) {
        layer = ((MaxoutSpec) s).toLayer();
      } else if (s instanceof DropoutSpec) {
        layer = ((DropoutSpec) s).toLayer(i);
      } else {
        layer = Objects.requireNonNull(others.apply(s), "no layer for " + s);
      }
      long[] want = {s.inputWidth()};
      if (!Arrays.equals(layer.inputShape(), want)
          || !Arrays.equals(layer.outputShape(), new long[] {s.outputWidth()})) {
        throw new IllegalArgumentException(
            "layer "
                + i
                + " for "
                + s
                + " has shapes "
                + Arrays.toString(layer.inputShape())
                + " -> "
                + Arrays.toString(layer.outputShape()));
      }
      out.add(layer);
    }
    return List.copyOf(out);
  }
}
