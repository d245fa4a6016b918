package dev.agon.eval;

import dev.agon.data.ImageDataset;
import dev.agon.data.ImageSource;
import dev.agon.nn.Adam;
import dev.agon.nn.Sequential;
import dev.agon.tensor.DenseAccess;
import dev.agon.tensor.Seeds;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Trains a {@link Classifier} with softmax cross-entropy and Adam over epochs of an {@link
 * ImageSource}: batch b of the whole run is batch b of the source, so the order of the images is a
 * pure function of (seed, batch index) and training is deterministic for a seed (on one BLAS kernel
 * choice and thread count). Epoch e's batches do not depend on how many epochs are asked for, so
 * {@code E} epochs give the same weights as the first {@code E} epochs of a longer run. The last
 * {@code N mod B} images of each epoch's shuffle are left out (a different set each epoch).
 */
public final class ClassifierTrainer {
  public static final double DEFAULT_LR = 1e-3;
  public static final int DEFAULT_BATCH = 128;

  /** Seed stream of the flip draws (beyond those in {@link Seeds}). */
  static final long STREAM_FLIP = 101;

  private final Classifier classifier;
  private final ImageSource source;
  private final int batchSize;
  private final Adam adam;
  private final INDArray x;
  private final INDArray dLogits;
  private final long seed;
  private boolean flip;
  private int epochsDone;

  /** What one epoch gave: mean training loss over its batches, and the wall time. */
  public record Epoch(int epoch, double trainLoss, double seconds) {}

  public ClassifierTrainer(
      Classifier classifier, ImageDataset train, long seed, double lr, int batchSize) {
    if (!train.hasLabels()) {
      throw new IllegalArgumentException(train.name() + " has no labels");
    }
    this.classifier = classifier;
    this.source = new ImageSource(train, seed);
    this.seed = seed;
    this.batchSize = batchSize;
    source.batchesPerEpoch(batchSize); // validates the batch size
    Sequential net = classifier.network();
    this.adam = new Adam(net.numParams(), net.dtype(), lr);
    this.x = Nd4j.create(DataType.FLOAT, batchSize, 1, 28, 28);
    this.dLogits = Nd4j.create(net.dtype(), batchSize, Classifier.CLASSES);
  }

  /** Adam 1e-3, batch 128. */
  public ClassifierTrainer(Classifier classifier, ImageDataset train, long seed) {
    this(classifier, train, seed, DEFAULT_LR, DEFAULT_BATCH);
  }

  public int batchesPerEpoch() {
    return source.batchesPerEpoch(batchSize);
  }

  /**
   * Light augmentation: image i of batch b is mirrored left-right when bit i of a draw keyed by
   * (seed, b) says so (probability 1/2), so it stays a pure function of the batch index.
   */
  public void flip(boolean on) {
    this.flip = on;
  }

  /** Sets Adam's learning rate from the next step on (for a step schedule). */
  public void learningRate(double lr) {
    adam.learningRate(lr);
  }

  public double learningRate() {
    return adam.learningRate();
  }

  public int epochsDone() {
    return epochsDone;
  }

  /** One training step on batch {@code index}; returns its loss. */
  public double step(long index) {
    Sequential net = classifier.network();
    net.training(true);
    source.fill(index, x);
    if (flip) {
      mirror(index);
    }
    int[] labels = source.labels(index, batchSize);
    INDArray logits = net.forward(x);
    double loss = SoftmaxCrossEntropy.loss(logits, labels, dLogits);
    net.backward(dLogits, true, false);
    adam.step(net.params(), net.grads());
    return loss;
  }

  private void mirror(long index) {
    SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, STREAM_FLIP, index));
    FloatBuffer b = DenseAccess.floatBuffer(x);
    int w = 28;
    for (int i = 0; i < batchSize; i++) {
      if (!rng.nextBoolean()) {
        continue;
      }
      for (int row = 0; row < 28; row++) {
        int at = i * 784 + row * w;
        for (int col = 0; col < w / 2; col++) {
          float t = b.get(at + col);
          b.put(at + col, b.get(at + w - 1 - col));
          b.put(at + w - 1 - col, t);
        }
      }
    }
  }

  /** Trains the next epoch; returns its mean training loss. */
  public Epoch epoch() {
    long start = System.nanoTime();
    int per = batchesPerEpoch();
    long first = (long) epochsDone * per;
    double sum = 0;
    for (int b = 0; b < per; b++) {
      sum += step(first + b);
    }
    epochsDone++;
    return new Epoch(epochsDone, sum / per, (System.nanoTime() - start) / 1e9);
  }
}
