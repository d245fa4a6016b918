package dev.agon.train;

import dev.agon.config.AgonConfig;
import dev.agon.config.DataKind;
import dev.agon.config.DataSplit;
import dev.agon.config.ObjectiveKind;
import dev.agon.data.Datasets;
import dev.agon.data.ImageDataset;
import dev.agon.eval.DiscriminatorClassifier;
import dev.agon.nn.Network;
import java.util.Arrays;
import java.util.Optional;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Test accuracy of the semi-supervised K+1 discriminator as a classifier ({@link
 * DiscriminatorClassifier}) from D's flat parameters, on held-out labelled images: the first
 * samples of the Fashion-MNIST split the run does not train on (the paper's protocol: a test set D
 * never saw). D runs in evaluation mode, or as in training when it has batch statistics (batches of
 * the run's batch size: the snapshots carry no running statistics), as {@link JsdProbe} does; so
 * {@code agon eval} and the Evaluator agree. Cost: one D forward pass over the held-out images per
 * call. Owns a D network; not thread-safe.
 */
public final class ClassifierProbe {
  private final Network net;
  private final INDArray images;
  private final int[] labels;
  private final int batch;

  private ClassifierProbe(Network net, INDArray images, int[] labels, int batch) {
    this.net = net;
    this.images = images;
    this.labels = labels;
    this.batch = batch;
  }

  /**
   * Why {@code c}'s run has no classifier accuracy, or empty when it has one: D must be the K+1
   * classifier ({@code objective.kind = semi-supervised}) and the data Fashion-MNIST, whose other
   * split is the held-out set.
   */
  public static Optional<String> unavailable(AgonConfig c) {
    if (c.objective().kind() != ObjectiveKind.SEMI_SUPERVISED) {
      return Optional.of("D is a classifier with objective.kind = semi-supervised only");
    }
    if (c.data().kind() != DataKind.FASHION_MNIST) {
      return Optional.of(
          "the classifier accuracy takes its held-out labelled images from Fashion-MNIST's"
              + " splits; this run's data is "
              + c.data().kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
    }
    return Optional.empty();
  }

  /**
   * A probe of {@code c}'s discriminator (for samples of {@code sampleShape}) on up to {@code
   * samples} held-out images; {@link #unavailable} must be empty. Throws {@link
   * dev.agon.data.DatasetException} when the held-out split cannot be read.
   */
  public static ClassifierProbe create(AgonConfig c, long[] sampleShape, int samples) {
    unavailable(c)
        .ifPresent(
            why -> {
              throw new IllegalArgumentException(why);
            });
    Network net = Factory.discriminator(c, sampleShape, 0); // weights come with every call
    String other = c.data().split() == DataSplit.TRAIN ? "test" : "train";
    ImageDataset held = Datasets.standard().load("fashion-mnist", other, Optional.empty());
    int m = Math.min(samples, held.size());
    int[] idx = new int[m];
    Arrays.setAll(idx, i -> i);
    long[] shape = new long[sampleShape.length + 1];
    shape[0] = m;
    System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
    INDArray images = held.batch(idx).reshape('c', shape).castTo(net.dtype());
    int[] labels = Arrays.copyOf(held.labels(), m);
    return new ClassifierProbe(net, images, labels, c.schedule().batchSize());
  }

  /** The number of D's parameters, which {@link #accuracy} expects. */
  public long numParams() {
    return net.numParams();
  }

  /** Held-out images the accuracy is measured on. */
  public int count() {
    return labels.length;
  }

  /** The accuracy of D with flat parameters {@code discriminator} on the held-out images. */
  public double accuracy(INDArray discriminator) {
    net.copyParamsFrom(discriminator);
    return DiscriminatorClassifier.accuracy(net, images, labels, batch);
  }
}
