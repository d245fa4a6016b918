package dev.agon.data;

import dev.agon.tensor.Seeds;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Real image batches of an {@link ImageDataset} in an epoch-shuffled order that is a pure function
 * of (seed, batch index, batch size), so a resumed run sees exactly the batches an uninterrupted
 * one would have seen, whichever thread asks.
 *
 * <p>Order: with N images and batch size B there are {@code P = floor(N / B)} batches per epoch;
 * batch b belongs to epoch {@code e = floor(b / P)} and holds positions {@code (b mod P)·B .. (b
 * mod P)·B + B − 1} of that epoch's permutation. The permutation is a Fisher–Yates shuffle of
 * 0..N−1 driven by a {@link SplittableRandom} seeded with {@code Seeds.mix(seed, STREAM_DATA, e)}.
 * The last {@code N mod B} images of each epoch's order are dropped (like PyTorch's {@code
 * drop_last=True}), so every batch is full and each image appears at most once per epoch; a
 * different image set is left out each epoch.
 *
 * <p>Shapes: {@link #batch} returns {@code [B, C, H, W]} (NCHW, for convolutional networks) or,
 * when built {@code flat}, {@code [B, C·H·W]} (for an MLP); both have {@link #dims()} = C·H·W
 * values per sample in the same c-order. Cost: one shuffle of N ints per epoch, cached (under a
 * millisecond for 60,000 images once warm), plus one copy of B images per batch (about 1.5 ms for
 * 512 Fashion-MNIST images on the 2-core build machine). Safe to use from several threads.
 *
 * <p>Labels ({@code data.labels}): built {@code withLabels}, each batch carries the classes of its
 * images; built with a {@link LabelledSet} of M examples, it also carries a labelled minibatch of B
 * examples. Those are positions {@code b·B .. b·B + B − 1} of an endless stream of passes over the
 * labelled set, pass p being the set in the order of a Fisher–Yates shuffle seeded with {@code
 * Seeds.mix(seed, STREAM_LABELLED_DATA, p)}: a pure function of (seed, batch index, batch size)
 * like x, that repeats no example within a pass and needs no M ≥ B (a batch may span two passes).
 * Unlabelled x is still drawn from the whole data set (Salimans et al. 2016 do so). Cost: a second
 * copy of B images and a shuffle of M ints per pass (cached).
 */
public final class ImageSource implements BatchSource {
  private final ImageDataset data;
  private final long seed;
  private final boolean flat;
  private final boolean withLabels;
  private final LabelledSet labelled;
  private volatile Order cached;
  private volatile Order cachedLabelled;

  /** One epoch's permutation. */
  private record Order(long epoch, int[] perm) {}

  /** NCHW batches of {@code data} shuffled under {@code seed}. */
  public ImageSource(ImageDataset data, long seed) {
    this(data, seed, false);
  }

  /** Batches of {@code data} shuffled under {@code seed}; {@code flat}: {@code [B, C·H·W]}. */
  public ImageSource(ImageDataset data, long seed, boolean flat) {
    this(data, seed, flat, false, null);
  }

  /**
   * As above; {@code withLabels}: batches carry their images' classes (the data set must have
   * labels); {@code labelled} (null: none): batches carry a labelled minibatch drawn from it.
   */
  public ImageSource(
      ImageDataset data, long seed, boolean flat, boolean withLabels, LabelledSet labelled) {
    if ((withLabels || labelled != null) && !data.hasLabels()) {
      throw new IllegalArgumentException(data.name() + " has no labels");
    }
    if (labelled != null && labelled.size() == 0) {
      throw new IllegalArgumentException("an empty labelled set");
    }
    this.data = data;
    this.seed = seed;
    this.flat = flat;
    this.withLabels = withLabels || labelled != null;
    this.labelled = labelled;
  }

  /** The labelled set the batches draw from, or null. */
  public LabelledSet labelledSet() {
    return labelled;
  }

  public ImageDataset dataset() {
    return data;
  }

  @Override
  public int dims() {
    return data.sampleSize();
  }

  @Override
  public long[] sampleShape() {
    return flat ? new long[] {data.sampleSize()} : imageShape();
  }

  /** {@code [C, H, W]} of one image, whatever {@link #sampleShape()} is. */
  public long[] imageShape() {
    return new long[] {data.channels(), data.height(), data.width()};
  }

  /** Full batches of {@code batchSize} per epoch, floor(N / B). */
  public int batchesPerEpoch(int batchSize) {
    if (batchSize < 1 || batchSize > data.size()) {
      throw new IllegalArgumentException(
          "batch size " + batchSize + " must be in [1, " + data.size() + "] for " + data.name());
    }
    return data.size() / batchSize;
  }

  /** Epoch of batch {@code index} at this batch size. */
  public long epoch(long index, int batchSize) {
    checkIndex(index);
    return index / batchesPerEpoch(batchSize);
  }

  /** The data set indices of batch {@code index}, in batch order (a new array). */
  public int[] indices(long index, int batchSize) {
    int per = batchesPerEpoch(batchSize);
    checkIndex(index);
    int from = (int) (index % per) * batchSize;
    return Arrays.copyOfRange(order(index / per), from, from + batchSize);
  }

  /** The labels of batch {@code index}, in batch order, or null when the data has no labels. */
  public int[] labels(long index, int batchSize) {
    if (!data.hasLabels()) {
      return null;
    }
    int[] idx = indices(index, batchSize);
    int[] out = new int[idx.length];
    for (int i = 0; i < idx.length; i++) {
      out[i] = data.label(idx[i]);
    }
    return out;
  }

  /** A copy of epoch {@code e}'s permutation of 0..N−1. */
  public int[] permutation(long epoch) {
    return order(epoch).clone();
  }

  @Override
  public Batch batch(long index, int batchSize) {
    INDArray x =
        flat
            ? Nd4j.create(DataType.FLOAT, batchSize, data.sampleSize())
            : Nd4j.create(DataType.FLOAT, batchSize, data.channels(), data.height(), data.width());
    long epoch = fill(index, x);
    if (!withLabels) {
      return new Batch(index, epoch, x);
    }
    int[] classes = classesOf(indices(index, batchSize));
    return new Batch(
        index, epoch, x, classes, labelled == null ? null : labelled(index, batchSize));
  }

  /**
   * The data-set indices of the labelled minibatch of batch {@code index}, in batch order (a new
   * array); the labelled set must be present.
   */
  public int[] labelledIndices(long index, int batchSize) {
    checkIndex(index);
    if (labelled == null) {
      throw new IllegalStateException("no labelled set");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    int m = labelled.size();
    int[] out = new int[batchSize];
    long pos = Math.multiplyExact(index, (long) batchSize);
    for (int j = 0; j < batchSize; j++, pos++) {
      out[j] = labelled.indices()[labelledOrder(pos / m)[(int) (pos % m)]];
    }
    return out;
  }

  /** The labelled minibatch of batch {@code index}: its images (shaped like x) and classes. */
  private Labelled labelled(long index, int batchSize) {
    int[] idx = labelledIndices(index, batchSize);
    INDArray x =
        flat
            ? Nd4j.create(DataType.FLOAT, batchSize, data.sampleSize())
            : Nd4j.create(DataType.FLOAT, batchSize, data.channels(), data.height(), data.width());
    data.fill(idx, x);
    return new Labelled(x, classesOf(idx));
  }

  private int[] classesOf(int[] idx) {
    int[] out = new int[idx.length];
    for (int i = 0; i < idx.length; i++) {
      out[i] = data.label(idx[i]);
    }
    return out;
  }

  /**
   * Writes batch {@code index} into {@code out} (dense FLOAT {@code [B, C, H, W]} or {@code [B,
   * C·H·W]}; B is {@code out.size(0)}) without allocating a batch; returns its epoch.
   */
  public long fill(long index, INDArray out) {
    int batchSize = (int) out.size(0);
    int per = batchesPerEpoch(batchSize);
    checkIndex(index);
    long epoch = index / per;
    data.fill(order(epoch), (int) (index % per) * batchSize, batchSize, out);
    return epoch;
  }

  private static void checkIndex(long index) {
    if (index < 0) {
      throw new IllegalArgumentException("batch index must be >= 0, got " + index);
    }
  }

  /** The (shared, never modified) permutation of epoch {@code e}. */
  private int[] order(long epoch) {
    Order o = cached;
    if (o != null && o.epoch == epoch) {
      return o.perm;
    }
    int[] perm = shuffled(data.size(), Seeds.mix(seed, Seeds.STREAM_DATA, epoch));
    cached = new Order(epoch, perm);
    return perm;
  }

  /** The (shared, never modified) order of pass {@code p} over the labelled set, as positions. */
  private int[] labelledOrder(long pass) {
    Order o = cachedLabelled;
    if (o != null && o.epoch == pass) {
      return o.perm;
    }
    int[] perm = shuffled(labelled.size(), Seeds.mix(seed, Seeds.STREAM_LABELLED_DATA, pass));
    cachedLabelled = new Order(pass, perm);
    return perm;
  }

  /** A Fisher–Yates shuffle of 0..n−1 under {@code key}. */
  private static int[] shuffled(int n, long key) {
    int[] perm = new int[n];
    for (int i = 0; i < n; i++) {
      perm[i] = i;
    }
    SplittableRandom rng = new SplittableRandom(key);
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    return perm;
  }
}
