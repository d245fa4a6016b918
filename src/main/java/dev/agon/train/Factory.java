package dev.agon.train;

import dev.agon.config.AgonConfig;
import dev.agon.config.Architecture;
import dev.agon.config.DataConfig;
import dev.agon.config.DataSplit;
import dev.agon.config.DcganConfig;
import dev.agon.config.Goodfellow2014Config;
import dev.agon.config.HistoricalAveragingConfig;
import dev.agon.config.MinibatchDiscriminationConfig;
import dev.agon.config.ModelConfig;
import dev.agon.config.NetConfig;
import dev.agon.config.ObjectiveConfig;
import dev.agon.config.ObjectiveKind;
import dev.agon.config.OptimizerConfig;
import dev.agon.config.VirtualBatchNormConfig;
import dev.agon.data.BatchSource;
import dev.agon.data.DatasetDownloader;
import dev.agon.data.DatasetException;
import dev.agon.data.Datasets;
import dev.agon.data.ImageDataset;
import dev.agon.data.ImageFolderDataset;
import dev.agon.data.ImageSource;
import dev.agon.data.LabelledSet;
import dev.agon.data.Mixture2d;
import dev.agon.nn.Activation;
import dev.agon.nn.Adam;
import dev.agon.nn.Dcgan;
import dev.agon.nn.Dropout;
import dev.agon.nn.Init;
import dev.agon.nn.Linear;
import dev.agon.nn.Maxout;
import dev.agon.nn.MinibatchDiscrimination;
import dev.agon.nn.Mlp;
import dev.agon.nn.MlpSpec;
import dev.agon.nn.Network;
import dev.agon.nn.Optimizer;
import dev.agon.nn.Packed;
import dev.agon.nn.Projection;
import dev.agon.nn.Sequential;
import dev.agon.nn.SgdMomentum;
import dev.agon.nn.SpectralNorm;
import dev.agon.nn.VirtualBatchNormNetwork;
import dev.agon.objective.GanObjective;
import dev.agon.objective.GradientPenalty;
import dev.agon.objective.HingeGan;
import dev.agon.objective.HistoricalAverage;
import dev.agon.objective.LeastSquaresGan;
import dev.agon.objective.SemiSupervisedGan;
import dev.agon.objective.StandardGan;
import dev.agon.objective.Wasserstein;
import dev.agon.tensor.Noise;
import dev.agon.tensor.Seeds;
import java.nio.file.Path;
import java.util.Optional;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Builds the numeric parts of a run from its validated configuration. */
public final class Factory {
  private Factory() {}

  /**
   * The last image data set loaded and the configuration it came from: the CLI, the DataLoader, the
   * Evaluator and feature matching each ask for the data, and an image set is immutable, so they
   * share one copy instead of decoding it again.
   */
  private static DataConfig loadedFor;

  private static ImageDataset loaded;

  private static synchronized ImageDataset cachedImages(
      DataConfig d, java.util.function.Supplier<ImageDataset> load) {
    if (!d.equals(loadedFor)) {
      loaded = load.get();
      loadedFor = d;
    }
    return loaded;
  }

  public static BatchSource data(AgonConfig c) {
    DataConfig d = c.data();
    return switch (d.kind()) {
      case RING -> Mixture2d.ring(d.ring().modes(), d.ring().radius(), d.ring().std(), c.seed());
      case GRID -> Mixture2d.grid(d.grid().side(), d.grid().spacing(), d.grid().std(), c.seed());
      case IMAGE_FOLDER, FASHION_MNIST, MNIST, IDX, NPY -> imageSource(c, imageData(d));
    };
  }

  /** The images of an image data set ({@code d.images()}), loaded once and shared. */
  private static ImageDataset imageData(DataConfig d) {
    return d.kind() == dev.agon.config.DataKind.IMAGE_FOLDER
        ? cachedImages(
            d, () -> ImageFolderDataset.load(Path.of(d.path()), d.imageSize(), d.channels() == 3))
        : cachedImages(d, () -> images(d));
  }

  /**
   * The batches of {@code images} under {@code data.labels}: none, plain batches; all or N per
   * class, batches with their classes and a labelled minibatch of the {@link LabelledSet} (drawn
   * here, milliseconds). A data set without labels, or a class smaller than N, is a {@link
   * DatasetException} naming {@code data.labels}.
   */
  private static ImageSource imageSource(AgonConfig c, ImageDataset images) {
    int perClass = c.data().labelsPerClass();
    if (perClass == DataConfig.NO_LABELS) {
      return new ImageSource(images, c.seed(), flatImages(c));
    }
    if ((c.objective().kind() == ObjectiveKind.SEMI_SUPERVISED || c.model().conditional())
        && images.hasLabels()) {
      int classes = c.objective().classes();
      for (int i = 0; i < images.size(); i++) {
        if (images.label(i) >= classes) {
          throw new DatasetException(
              "objective.classes = "
                  + classes
                  + ": "
                  + images.name()
                  + " has class "
                  + images.label(i)
                  + " (image "
                  + i
                  + "); D needs one logit (conditional: one class) per class of the data set");
        }
      }
    }
    LabelledSet set =
        perClass == DataConfig.ALL_LABELS
            ? LabelledSet.all(images)
            : LabelledSet.draw(images, perClass, c.data().labelSeed());
    return new ImageSource(images, c.seed(), flatImages(c), true, set);
  }

  /** MLP-style networks see an image as one vector of C*H*W pixels; DCGAN sees [C, H, W]. */
  private static boolean flatImages(AgonConfig c) {
    return c.model().architecture() != Architecture.DCGAN;
  }

  private static ImageDataset images(DataConfig d) {
    String name = d.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    String split = d.split() == DataSplit.TRAIN ? "train" : "test";
    Optional<Path> path = d.path().isBlank() ? Optional.empty() : Optional.of(Path.of(d.path()));
    Datasets datasets = Datasets.standard();
    try {
      return datasets.load(name, split, path);
    } catch (DatasetException notFound) {
      if (!d.download() || path.isPresent()) {
        throw notFound;
      }
      new DatasetDownloader(
              DatasetDownloader.FASHION_MNIST_MIRROR, DatasetDownloader.defaultCacheDir())
          .download(split);
      return datasets.load(name, split, path);
    }
  }

  /**
   * The generator of {@code c} for samples of shape {@code sampleShape}, initialised from {@code
   * seed}.
   */
  public static Network generator(AgonConfig c, long[] sampleShape, long seed) {
    ModelConfig m = c.model();
    return switch (m.architecture()) {
      case MLP -> Mlp.create(generatorSpec(c, flat(sampleShape)), seed, DataType.FLOAT);
      case GOODFELLOW2014, DCGAN -> {
        VirtualBatchNormConfig vbn = c.stabilizers().virtualBatchNorm();
        Sequential g = layeredGenerator(c, sampleShape).build(DataType.FLOAT, seed);
        if (m.architecture() == Architecture.GOODFELLOW2014
            && m.goodfellow2014().outputBiasFromData()) {
          outputBiasFromData(g, imageData(c.data()));
        }
        if (m.architecture() != Architecture.DCGAN || !vbn.enabled()) {
          yield g;
        }
        // The reference batch: noise fixed by the run seed, the same in every copy and resume.
        INDArray ref = Nd4j.create(DataType.FLOAT, vbn.referenceSize(), m.latentDim());
        Noise.gaussian(ref, c.seed(), Seeds.STREAM_VBN_REFERENCE, 0);
        yield new VirtualBatchNormNetwork(g, ref);
      }
    };
  }

  /** The layers of a goodfellow2014 or dcgan generator, not yet built (nothing allocated). */
  private static Sequential.Builder layeredGenerator(AgonConfig c, long[] sampleShape) {
    return layeredGenerator(c, sampleShape, generatorInputs(c));
  }

  /**
   * G's input width: z, then the InfoGAN code columns (none when InfoGAN is off), or for a
   * conditional model the one-hot class (objective.classes columns; a one-hot through G's first
   * layer is a learned class embedding added to that layer's output).
   */
  public static int generatorInputs(AgonConfig c) {
    return c.model().latentDim() + c.model().infogan().codeWidth() + classColumns(c);
  }

  /** G's one-hot class columns: objective.classes for a conditional model, else 0. */
  public static int classColumns(AgonConfig c) {
    return c.model().conditional() ? c.objective().classes() : 0;
  }

  /**
   * The projection head of a conditional D built by {@link #discriminator} (its last layer), or
   * null when {@code d} has none.
   */
  public static Projection projection(Network d) {
    if (d instanceof Sequential s && s.layer(s.layers().size() - 1) instanceof Projection p) {
      return p;
    }
    return null;
  }

  /**
   * D's output width: K class logits for the semi-supervised K+1 discriminator ({@code
   * objective.classes}), else the logit (or score), then InfoGAN's Q columns (none when off).
   */
  public static int discriminatorOutputs(AgonConfig c) {
    ObjectiveConfig o = c.objective();
    return o.kind() == ObjectiveKind.SEMI_SUPERVISED
        ? o.classes()
        : 1 + c.model().infogan().codeWidth();
  }

  private static Sequential.Builder layeredGenerator(
      AgonConfig c, long[] sampleShape, int latentDim) {
    ModelConfig m = c.model();
    if (m.architecture() == Architecture.GOODFELLOW2014) {
      Goodfellow2014Config gf = m.goodfellow2014();
      int h = gf.generatorHidden();
      Sequential.Builder b =
          Sequential.builder(latentDim)
              .init(initRange(gf.generatorInitRange()))
              .linear(h)
              .relu()
              .linear(h)
              .relu()
              .linear(flat(sampleShape));
      // unit-pixels: the released sigmoid over [0, 1], carried to Agon's [-1, 1] as 2y - 1.
      return gf.unitPixels() ? b.sigmoid().affine(2.0, -1.0) : b.tanh();
    }
    long[] chw = image(sampleShape);
    return Dcgan.generator(
        latentDim,
        (int) chw[0],
        (int) chw[1],
        m.dcgan().width(),
        c.stabilizers().virtualBatchNorm().enabled());
  }

  /** The layers of a goodfellow2014 or dcgan discriminator, not yet built. */
  private static Sequential.Builder layeredDiscriminator(AgonConfig c, long[] sampleShape) {
    ModelConfig m = c.model();
    MinibatchDiscriminationConfig md = c.stabilizers().minibatchDiscrimination();
    if (m.architecture() == Architecture.GOODFELLOW2014) {
      Goodfellow2014Config gf = m.goodfellow2014();
      int pixels = flat(sampleShape);
      int units = gf.maxoutUnits();
      boolean sn = m.spectralNorm();
      Init init = initRange(gf.discriminatorInitRange());
      Sequential.Builder b = Sequential.builder(pixels).init(init).spectralNorm(sn);
      if (gf.unitPixels()) {
        b.affine(0.5, 0.5); // Agon's [-1, 1] pixels back to the released [0, 1]
      }
      dropout(b, gf.inputDropout(), 0);
      b.add((shape, dt) -> maxout(new Maxout(pixels, units, gf.maxoutPieces(), init), sn, dt));
      dropout(b, gf.hiddenDropout(), 1);
      b.add((shape, dt) -> maxout(new Maxout(units, units, gf.maxoutPieces(), init), sn, dt));
      dropout(b, gf.hiddenDropout(), 2);
      return head(b, md, discriminatorOutputs(c));
    }
    long[] chw = image(sampleShape);
    DcganConfig d = m.dcgan();
    boolean sn = m.spectralNorm();
    return md.enabled()
        ? head(
            Dcgan.features((int) chw[0], (int) chw[1], d.width(), d.discriminatorBatchNorm(), sn)
                .flatten(),
            md,
            discriminatorOutputs(c))
        : Dcgan.discriminator(
            (int) chw[0],
            (int) chw[1],
            d.width(),
            d.discriminatorBatchNorm(),
            sn,
            discriminatorOutputs(c));
  }

  /**
   * The mlp discriminator with spectral normalization: {@link Mlp} has no per-layer state, so the
   * same layers (widths, activations, parameter layout, PyTorch initialisation keyed by
   * Sequential's layer indices) as a {@link Sequential} whose linear layers are {@link
   * SpectralNorm}s.
   */
  private static Sequential.Builder spectralMlp(MlpSpec s) {
    return mlpLayers(s, s.numLayers(), true);
  }

  /**
   * The first {@code layers} layers of {@code s} (each linear, then its activation) as a {@link
   * Sequential}, spectrally normalised when {@code sn}.
   */
  private static Sequential.Builder mlpLayers(MlpSpec s, int layers, boolean sn) {
    Sequential.Builder b = Sequential.builder(s.inputDim()).spectralNorm(sn);
    for (int l = 0; l < layers; l++) {
      b.linear(s.layerOut(l));
      switch (s.layerActivation(l)) {
        case IDENTITY -> {}
        case TANH -> b.tanh();
        case RELU -> b.relu();
        case LEAKY_RELU -> b.leakyRelu(s.leakySlope());
        case SIGMOID -> b.sigmoid();
      }
    }
    return b;
  }

  /**
   * Sets the bias of {@code g}'s output layer (its last {@link Linear}, before the sigmoid) to the
   * logit of each pixel's mean over {@code images} in [0, 1], clipped to [1e-7, 1 - 1e-7]
   * (pylearn2's {@code init_sigmoid_bias_from_marginals}, which the 2014 code used): an untrained G
   * then emits the data's mean image. One pass over the images (60,000 28 x 28: tens of
   * milliseconds).
   */
  static void outputBiasFromData(Sequential g, ImageDataset images) {
    Linear out = null;
    for (dev.agon.nn.Layer l : g.layers()) {
      if (l instanceof Linear lin) {
        out = lin;
      }
    }
    double[] mean = images.pixelMeans();
    if (out == null || out.bias() == null || out.bias().length() != mean.length) {
      throw new IllegalArgumentException(
          "the generator's output layer does not match the data's " + mean.length + " pixels");
    }
    double[] logit = new double[mean.length];
    for (int i = 0; i < mean.length; i++) {
      double p = Math.min(Math.max((mean[i] + 1.0) / 2.0, 1e-7), 1.0 - 1e-7);
      logit[i] = Math.log(p / (1.0 - p));
    }
    out.bias().assign(Nd4j.createFromArray(logit).reshape(out.bias().shape()));
  }

  /** goodfellow2014's weight initialisation: U(-range, range) with zero biases; 0: PyTorch's. */
  private static Init initRange(double range) {
    return range == 0.0 ? Init.PYTORCH : Init.uniform(range);
  }

  /** {@code m}, spectrally normalised when {@code sn} (its linear map before the max). */
  private static dev.agon.nn.Layer maxout(Maxout m, boolean sn, DataType dtype) {
    return sn ? SpectralNorm.maxout(m, dtype) : m;
  }

  /**
   * Sizes of both networks of {@code c} for samples of {@code sampleShape}, computed from the layer
   * shapes without allocating them.
   *
   * @param parameters parameters of G plus D
   * @param latentParameters the part of {@code parameters} that grows with {@code
   *     model.latent-dim}: the weights of G's input layer
   * @param activationsPerSample values the layers of G and D output for one sample
   */
  public record Sizes(long parameters, long latentParameters, long activationsPerSample) {}

  /**
   * The {@link Sizes} of {@code c}'s networks; throws {@link IllegalArgumentException} where the
   * architecture cannot take samples of {@code sampleShape}. Costs microseconds: no tensor is
   * created.
   */
  public static Sizes sizes(AgonConfig c, long[] sampleShape) {
    int latent = generatorInputs(c);
    int pack = c.model().pack(); // D sees packs: pack times the input, 1/pack of the rows
    long[] dShape = packedShape(sampleShape, pack);
    if (c.model().architecture() == Architecture.MLP) {
      int dims = flat(sampleShape);
      MlpSpec g = generatorSpec(c, dims);
      MlpSpec d = discriminatorSpec(c, flat(dShape));
      long perLatent = spec(latent + 1, c.model().generator(), dims).numParams() - g.numParams();
      // a conditional D's projection head adds the [K, F] embedding to the last layer's
      long dParams =
          c.model().conditional()
              ? conditionalDiscriminator(c, sampleShape).numParams()
              : d.numParams();
      return new Sizes(
          g.numParams() + dParams,
          perLatent * c.model().latentDim(),
          outputs(g) + outputs(d) / pack);
    }
    Sequential.Builder g = layeredGenerator(c, sampleShape);
    Sequential.Builder d =
        c.model().conditional()
            ? conditionalDiscriminator(c, sampleShape)
            : layeredDiscriminator(c, dShape);
    // One more latent dimension adds one row of the input layer's weights.
    long perLatent = layeredGenerator(c, sampleShape, latent + 1).numParams() - g.numParams();
    return new Sizes(
        g.numParams() + d.numParams(),
        perLatent * c.model().latentDim(),
        g.activationsPerSample() + d.activationsPerSample() / pack);
  }

  /** Per-sample values an MLP's layers output: each linear layer's, and its activation's. */
  private static long outputs(MlpSpec s) {
    long n = 0;
    for (int l = 0; l < s.numLayers(); l++) {
      n += 2L * s.layerOut(l);
    }
    return n;
  }

  private static long[] image(long[] sampleShape) {
    if (sampleShape.length != 3 || sampleShape[1] != sampleShape[2]) {
      throw new IllegalArgumentException(
          "dcgan needs square images [C, H, H], got "
              + java.util.Arrays.toString(sampleShape)
              + " (image data sets only)");
    }
    return sampleShape;
  }

  /** The discriminator of {@code c} for samples of shape {@code sampleShape}. */
  public static Network discriminator(AgonConfig c, long[] sampleShape, long seed) {
    int pack = c.model().pack();
    if (pack > 1) {
      return new Packed(unpacked(c, packedShape(sampleShape, pack), seed), pack, sampleShape);
    }
    return unpacked(c, sampleShape, seed);
  }

  /**
   * The shape of a pack of {@code pack} samples of {@code sampleShape}: the first dimension (an
   * image's channels, a vector's features) times {@code pack} ({@link Packed}).
   */
  static long[] packedShape(long[] sampleShape, int pack) {
    long[] s = sampleShape.clone();
    s[0] = Math.multiplyExact(s[0], pack);
    return s;
  }

  /** {@link #discriminator} for one sample per row, the network a {@link Packed} one wraps. */
  private static Network unpacked(AgonConfig c, long[] sampleShape, long seed) {
    ModelConfig m = c.model();
    MinibatchDiscriminationConfig md = c.stabilizers().minibatchDiscrimination();
    if (m.conditional()) {
      return conditionalDiscriminator(c, sampleShape).build(DataType.FLOAT, seed);
    }
    return switch (m.architecture()) {
      case MLP ->
          m.spectralNorm()
              ? spectralMlp(discriminatorSpec(c, flat(sampleShape))).build(DataType.FLOAT, seed)
              : Mlp.create(discriminatorSpec(c, flat(sampleShape)), seed, DataType.FLOAT);
      case GOODFELLOW2014, DCGAN ->
          layeredDiscriminator(c, sampleShape).build(DataType.FLOAT, seed);
    };
  }

  /**
   * The projection discriminator (Miyato and Koyama 2018) of a conditional model: D's trunk (mlp:
   * every layer but the last; dcgan: the convolutional features, flattened; then minibatch
   * discrimination when on) and a {@link Projection} head in place of the last linear layer. The
   * head's w and class embedding are not spectrally normalised (the trunk is, when asked).
   */
  private static Sequential.Builder conditionalDiscriminator(AgonConfig c, long[] sampleShape) {
    ModelConfig m = c.model();
    int classes = c.objective().classes();
    Sequential.Builder b;
    if (m.architecture() == Architecture.MLP) {
      MlpSpec s = discriminatorSpec(c, flat(sampleShape));
      b = mlpLayers(s, s.numLayers() - 1, m.spectralNorm()); // the trunk: all but the last
    } else if (m.architecture() == Architecture.DCGAN) {
      long[] chw = image(sampleShape);
      DcganConfig d = m.dcgan();
      b =
          Dcgan.features(
                  (int) chw[0],
                  (int) chw[1],
                  d.width(),
                  d.discriminatorBatchNorm(),
                  m.spectralNorm())
              .flatten();
      MinibatchDiscriminationConfig md = c.stabilizers().minibatchDiscrimination();
      if (md.enabled()) {
        int in = Math.toIntExact(b.shape()[0]);
        b.add((shape, dt) -> new MinibatchDiscrimination(in, md.kernels(), md.kernelDim()));
      }
    } else {
      throw new IllegalArgumentException("model.conditional needs mlp or dcgan");
    }
    int features = Math.toIntExact(b.shape()[0]);
    Init init = m.architecture() == Architecture.MLP ? Init.PYTORCH : Init.DCGAN;
    return b.add((shape, dt) -> new Projection(features, classes, init, dt));
  }

  private static void dropout(Sequential.Builder b, double p, long stream) {
    if (p > 0) {
      b.add((shape, dt) -> new Dropout(p, stream, shape));
    }
  }

  /**
   * The logit (and InfoGAN's Q columns, {@code outputs} in all) on top of flat features: minibatch
   * discrimination first when enabled.
   */
  private static Sequential.Builder head(
      Sequential.Builder b, MinibatchDiscriminationConfig md, int outputs) {
    if (md.enabled()) {
      int in = Math.toIntExact(b.shape()[0]);
      b.add((shape, dt) -> new MinibatchDiscrimination(in, md.kernels(), md.kernelDim()));
    }
    return b.linear(outputs);
  }

  private static int flat(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return Math.toIntExact(n);
  }

  public static MlpSpec generatorSpec(AgonConfig c, int dataDims) {
    return spec(generatorInputs(c), c.model().generator(), dataDims);
  }

  public static MlpSpec discriminatorSpec(AgonConfig c, int dataDims) {
    return spec(dataDims, c.model().discriminator(), discriminatorOutputs(c));
  }

  private static MlpSpec spec(int in, NetConfig n, int out) {
    return new MlpSpec(
        in, n.hidden(), out, activation(n.activation()), activation(n.output()), n.leakySlope());
  }

  static Activation activation(dev.agon.config.Activation a) {
    return switch (a) {
      case IDENTITY -> Activation.IDENTITY;
      case TANH -> Activation.TANH;
      case RELU -> Activation.RELU;
      case LEAKY_RELU -> Activation.LEAKY_RELU;
      case SIGMOID -> Activation.SIGMOID;
    };
  }

  /** The optimizer of a network of {@code net.numParams()} parameters. */
  public static Optimizer optimizer(OptimizerConfig o, Network net) {
    return switch (o.type()) {
      case ADAM -> new Adam(net.numParams(), net.dtype(), o.lr(), o.beta1(), o.beta2(), o.eps());
      case SGD -> new SgdMomentum(net.numParams(), net.dtype(), o.lr(), o.momentum(), o.nesterov());
    };
  }

  /**
   * The historical average over G's parameters, or {@code null} when {@code
   * stabilizers.historical-averaging.generator-weight} is 0 (then the G step is exactly the plain
   * one).
   */
  public static HistoricalAverage generatorAverage(AgonConfig c, Network g) {
    HistoricalAveragingConfig h = c.stabilizers().historicalAveraging();
    return average(h.generatorWeight(), h, g);
  }

  /** Like {@link #generatorAverage} for D ({@code discriminator-weight}). */
  public static HistoricalAverage discriminatorAverage(AgonConfig c, Network d) {
    HistoricalAveragingConfig h = c.stabilizers().historicalAveraging();
    return average(h.discriminatorWeight(), h, d);
  }

  private static HistoricalAverage average(
      double weight, HistoricalAveragingConfig h, Network net) {
    return HistoricalAverage.withPolicy(null, net.numParams(), weight, h.start(), h.window());
  }

  public static GanObjective objective(ObjectiveConfig o) {
    return switch (o.kind()) {
      case GAN ->
          new StandardGan(
              switch (o.generator()) {
                case MINIMAX -> StandardGan.GeneratorLoss.MINIMAX;
                case NON_SATURATING -> StandardGan.GeneratorLoss.NON_SATURATING;
              },
              o.realLabel());
      case WGAN_GP -> new Wasserstein();
      case LSGAN -> new LeastSquaresGan();
      case HINGE -> new HingeGan();
      case SEMI_SUPERVISED -> new SemiSupervisedGan(o.classes(), o.unsupervisedWeight());
    };
  }

  /** The WGAN-GP gradient penalty, or {@code null} for the other objectives. */
  public static GradientPenalty gradientPenalty(ObjectiveConfig o) {
    return o.kind() == ObjectiveKind.WGAN_GP ? new GradientPenalty(o.gradientPenalty()) : null;
  }
}
