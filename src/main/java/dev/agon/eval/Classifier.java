package dev.agon.eval;

import dev.agon.data.ImageDataset;
import dev.agon.nn.Sequential;
import java.util.List;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The small CNN that stands in for Inception when scoring Fashion-MNIST generators: its class
 * probabilities give the Inception Score, its penultimate activations the features of FID, KID and
 * precision/recall.
 *
 * <p>Architecture ({@link #ARCHITECTURE}, layer by layer in {@link #LAYERS}), on {@code [N, 1, 28,
 * 28]} images in [-1, 1]: conv 1→32 (k4 s2 p1) → BN → ReLU → conv 32→64 (k4 s2 p1) → BN → ReLU →
 * flatten (64·7·7) → linear 3136→128 → ReLU (the {@link #FEATURES} features) → linear 128→10
 * (logits). FLOAT parameters, 436,394 of them, plus 192 batch-norm running statistics.
 *
 * <p>{@link #probabilities} and {@link #features} run in evaluation mode (batch norm uses its
 * running statistics, so an image's output does not depend on its batch) in batches of {@link
 * #EVAL_BATCH}, so 10,000 images need no giant buffers. Not thread-safe.
 */
public final class Classifier {
  /** Name and version of the layer list below; the file format records and checks it. */
  public static final String ARCHITECTURE = "agon-fashion-mnist-cnn-v1";

  /** The exact layer list of {@link #ARCHITECTURE}, as recorded in the manifest. */
  public static final List<String> LAYERS =
      List.of(
          "conv2d(1->32, kernel 4, stride 2, padding 1, bias)",
          "batchNorm(32, momentum 0.1, eps 1e-5)",
          "relu",
          "conv2d(32->64, kernel 4, stride 2, padding 1, bias)",
          "batchNorm(64, momentum 0.1, eps 1e-5)",
          "relu",
          "flatten(64x7x7 -> 3136)",
          "linear(3136->128, bias)",
          "relu",
          "linear(128->10, bias)");

  public static final long[] INPUT_SHAPE = {1, 28, 28};
  public static final int CLASSES = 10;
  public static final int FEATURES = 128;

  /** Index of the layer whose output is the feature vector (the ReLU after linear 3136→128). */
  public static final int FEATURE_LAYER = 8;

  /**
   * Images per forward pass in evaluation. Outputs depend on it only through float rounding (batch
   * norm uses its running statistics; IS and FID moved about 1e-9 relative from 500 to 100); the
   * layers keep buffers for this many images between evaluations, so it sets their memory: 100
   * instead of 500 lowered the default experiment's resident peaks by about 130-230 MiB at no
   * measurable cost in time (BENCHMARKS.md "Soak").
   */
  public static final int EVAL_BATCH = 100;

  private final Sequential net;

  private Classifier(Sequential net) {
    this.net = net;
  }

  /** A new classifier with parameters initialised from {@code seed} (PyTorch's default init). */
  public static Classifier create(long seed) {
    Sequential net =
        Sequential.builder(INPUT_SHAPE)
            .conv2d(32, 4, 2, 1)
            .batchNorm(0.1, 1e-5)
            .relu()
            .conv2d(64, 4, 2, 1)
            .batchNorm(0.1, 1e-5)
            .relu()
            .flatten()
            .linear(FEATURES)
            .relu()
            .linear(CLASSES)
            .build(DataType.FLOAT, seed);
    return new Classifier(net);
  }

  /** The network (live): parameters, BN running statistics ({@code state()}), training mode. */
  public Sequential network() {
    return net;
  }

  /** Class probabilities {@code [N, 10]} (FLOAT) of images {@code [N, 1, 28, 28]}. */
  public INDArray probabilities(INDArray x) {
    return evaluate(x, false);
  }

  /** Features {@code [N, 128]} (FLOAT) of images {@code [N, 1, 28, 28]}. */
  public INDArray features(INDArray x) {
    return evaluate(x, true);
  }

  /** Class probabilities {@code [N, 10]} of all images of {@code data}, in order. */
  public INDArray probabilities(ImageDataset data) {
    return evaluate(data, false);
  }

  /** Features {@code [N, 128]} of all images of {@code data}, in order. */
  public INDArray features(ImageDataset data) {
    return evaluate(data, true);
  }

  /** Fraction of the images of {@code data} whose most probable class is their label. */
  public double accuracy(ImageDataset data) {
    if (!data.hasLabels()) {
      throw new IllegalArgumentException(data.name() + " has no labels");
    }
    return accuracy(probabilities(data), data.labels());
  }

  /** Fraction of rows of {@code probs} ({@code [N, K]}) whose argmax is the label. */
  public static double accuracy(INDArray probs, int[] labels) {
    if (probs.size(0) != labels.length) {
      throw new IllegalArgumentException(
          probs.size(0) + " rows of probabilities, " + labels.length + " labels");
    }
    int k = (int) probs.size(1);
    double[] p = new double[labels.length * k];
    dev.agon.tensor.DenseAccess.read(probs, p);
    int right = 0;
    for (int i = 0; i < labels.length; i++) {
      int best = 0;
      for (int j = 1; j < k; j++) {
        if (p[i * k + j] > p[i * k + best]) {
          best = j;
        }
      }
      if (best == labels[i]) {
        right++;
      }
    }
    return (double) right / labels.length;
  }

  /** Features {@code [N, 128]} and class probabilities {@code [N, 10]} from one pass. */
  public record Outputs(INDArray features, INDArray probabilities) {}

  /** {@link #features} and {@link #probabilities} of images {@code [N, 1, 28, 28]} in one pass. */
  public Outputs outputs(INDArray x) {
    return evaluate(x, true, true);
  }

  /** {@link #outputs(INDArray)} of all images of {@code data}, in order. */
  public Outputs outputs(ImageDataset data) {
    return evaluate(data, true, true);
  }

  /**
   * Lower-case hex SHA-256 of the architecture name, the parameters and the batch-norm statistics:
   * what makes two classifiers score alike. Caches of features are keyed by it.
   */
  public String fingerprint() {
    float[] params = dev.agon.tensor.Tensors.toFloats(net.params());
    float[] state = dev.agon.tensor.Tensors.toFloats(net.state());
    byte[] name = ARCHITECTURE.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    java.nio.ByteBuffer b =
        java.nio.ByteBuffer.allocate(name.length + 8 + 4 * (params.length + state.length))
            .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.put(name).putInt(params.length).putInt(state.length);
    b.asFloatBuffer().put(params).put(state);
    return dev.agon.util.DurableFiles.sha256(b.array());
  }

  private INDArray evaluate(INDArray x, boolean features) {
    Outputs o = evaluate(x, features, !features);
    return features ? o.features() : o.probabilities();
  }

  private Outputs evaluate(INDArray x, boolean features, boolean probabilities) {
    Objects.requireNonNull(x, "x");
    if (x.rank() != 4) {
      throw new IllegalArgumentException(
          "expected images [N, 1, 28, 28], got " + x.shapeInfoToString());
    }
    int n = (int) x.size(0);
    return evaluate(
        n,
        (from, count) ->
            x.get(
                    NDArrayIndex.interval(from, from + count),
                    NDArrayIndex.all(),
                    NDArrayIndex.all(),
                    NDArrayIndex.all())
                .castTo(DataType.FLOAT)
                .dup('c'),
        features,
        probabilities);
  }

  private INDArray evaluate(ImageDataset data, boolean features) {
    Outputs o = evaluate(data, features, !features);
    return features ? o.features() : o.probabilities();
  }

  private Outputs evaluate(ImageDataset data, boolean features, boolean probabilities) {
    int n = data.size();
    int[] all = new int[n];
    for (int i = 0; i < n; i++) {
      all[i] = i;
    }
    return evaluate(
        n,
        (from, count) -> {
          INDArray b = Nd4j.create(DataType.FLOAT, count, 1, 28, 28);
          data.fill(all, from, count, b);
          return b;
        },
        features,
        probabilities);
  }

  @FunctionalInterface
  private interface Chunks {
    INDArray get(int from, int count);
  }

  /** One forward pass per chunk of {@link #EVAL_BATCH}; the outputs not asked for are null. */
  private Outputs evaluate(int n, Chunks chunks, boolean features, boolean probabilities) {
    INDArray feat = features ? Nd4j.create(DataType.FLOAT, n, FEATURES) : null;
    INDArray prob = probabilities ? Nd4j.create(DataType.FLOAT, n, CLASSES) : null;
    boolean was = net.training();
    net.training(false);
    try {
      for (int from = 0; from < n; from += EVAL_BATCH) {
        int count = Math.min(EVAL_BATCH, n - from);
        INDArray logits = net.forward(chunks.get(from, count));
        if (feat != null) {
          feat.get(NDArrayIndex.interval(from, from + count), NDArrayIndex.all())
              .assign(net.activation(FEATURE_LAYER));
        }
        if (prob != null) {
          double[] p = SoftmaxCrossEntropy.softmax(logits);
          prob.get(NDArrayIndex.interval(from, from + count), NDArrayIndex.all())
              .assign(Nd4j.create(p, new long[] {count, CLASSES}).castTo(DataType.FLOAT));
        }
      }
    } finally {
      net.training(was);
    }
    return new Outputs(feat, prob);
  }

  /** Mean and standard deviation of a score over splits. */
  public record Score(double mean, double std, int splits) {}

  /**
   * Inception Score of class probabilities {@code [N, K]} (Salimans et al. 2016): the images are
   * cut into {@code splits} consecutive parts; for each, {@code exp(mean_x KL(p(y|x) || p(y)))}
   * with {@code p(y)} the part's mean prediction; returned as mean and (population) standard
   * deviation over the parts, as the reference implementation reports it.
   */
  public static Score inceptionScore(INDArray probs, int splits) {
    int n = (int) probs.size(0);
    int k = (int) probs.size(1);
    if (splits < 1 || splits > n) {
      throw new IllegalArgumentException("splits must be in [1, " + n + "], got " + splits);
    }
    double[] p = new double[n * k];
    dev.agon.tensor.DenseAccess.read(probs, p);
    double[] scores = new double[splits];
    for (int s = 0; s < splits; s++) {
      int from = (int) ((long) s * n / splits);
      int to = (int) ((long) (s + 1) * n / splits);
      double[] marginal = new double[k];
      for (int i = from; i < to; i++) {
        for (int j = 0; j < k; j++) {
          marginal[j] += p[i * k + j];
        }
      }
      for (int j = 0; j < k; j++) {
        marginal[j] /= to - from;
      }
      double kl = 0;
      for (int i = from; i < to; i++) {
        for (int j = 0; j < k; j++) {
          double pij = p[i * k + j];
          if (pij > 0) {
            kl += pij * (Math.log(pij) - Math.log(marginal[j]));
          }
        }
      }
      scores[s] = Math.exp(kl / (to - from));
    }
    double mean = 0;
    for (double v : scores) {
      mean += v;
    }
    mean /= splits;
    double var = 0;
    for (double v : scores) {
      var += (v - mean) * (v - mean);
    }
    return new Score(mean, Math.sqrt(var / splits), splits);
  }
}
