package dev.agon.train;

import dev.agon.config.AgonConfig;
import dev.agon.config.DataKind;
import dev.agon.config.ObjectiveKind;
import dev.agon.data.BatchSource;
import dev.agon.data.Datasets;
import dev.agon.data.ImageDataset;
import dev.agon.data.ImageSource;
import dev.agon.data.Mixture2d;
import dev.agon.eval.JsdBound;
import dev.agon.nn.Network;
import dev.agon.tensor.Tensors;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The discriminator's JSD lower bound (V̂ + log 4)/2 of Goodfellow et al. 2014, eq. 6 ({@link
 * JsdBound}), from D's flat parameters on held-out real samples and fresh fakes. Held-out real
 * data: for a 2-D mixture, fresh samples from a stream training never draws; for Fashion-MNIST, the
 * first samples of the split the run does not train on. Other data has no held-out split here.
 *
 * <p>D runs as in training when it has batch statistics (real and fake in separate batches of the
 * run's batch size, as D sees them in an update), else in evaluation mode. Cost: one D forward pass
 * over the real and the fake samples. Owns a D network; not thread-safe.
 */
public final class JsdProbe {
  /** The stream of the mixture's held-out samples, far from any stream training draws. */
  static final long HELD_OUT_STREAM = Long.MAX_VALUE / 4 + 2;

  private final Network net;
  private final float[] real;
  private final int count;
  private final int dims;
  private final int batch;

  private JsdProbe(Network net, float[] real, int count, int dims, int batch) {
    this.net = net;
    this.real = real;
    this.count = count;
    this.dims = dims;
    this.batch = batch;
  }

  /**
   * Why {@code c}'s run has no JSD bound, or empty when it has one: D must read as a probability
   * ({@code objective.kind = gan}) of one sample (no packing) and the data must have a held-out
   * split.
   */
  public static Optional<String> unavailable(AgonConfig c, BatchSource data) {
    if (c.objective().kind() != ObjectiveKind.GAN) {
      return Optional.of(
          "the JSD bound reads D as a probability: it needs objective.kind = gan, this run has "
              + c.objective().kind().name().toLowerCase(Locale.ROOT).replace('_', '-'));
    }
    if (c.model().conditional()) {
      // D(x, y) needs each sample's class; the probe's samples carry none (fakes) or are not read
      return Optional.of(
          "the JSD bound reads D(x) alone; a conditional D needs each sample's class");
    }
    if (c.model().pack() > 1) {
      return Optional.of(
          "the JSD bound reads D one sample at a time; this run's D judges packs of "
              + c.model().pack()
              + " (model.pack)");
    }
    if (!(data instanceof Mixture2d) && c.data().kind() != DataKind.FASHION_MNIST) {
      return Optional.of(
          "the JSD bound takes its held-out images from Fashion-MNIST's splits; this run's data is "
              + c.data().kind().name().toLowerCase(Locale.ROOT).replace('_', '-'));
    }
    return Optional.empty();
  }

  /**
   * A probe of {@code c}'s discriminator on up to {@code samples} held-out real samples (fewer when
   * the held-out split is smaller); {@link #unavailable} must be empty.
   */
  public static JsdProbe create(AgonConfig c, BatchSource data, int samples) {
    unavailable(c, data)
        .ifPresent(
            why -> {
              throw new IllegalArgumentException(why);
            });
    DiscriminatorTrainer d = DiscriminatorTrainer.create(c, data.sampleShape());
    Network net = d.network();
    net.training(net.batchCoupled());
    int m = samples;
    float[] real;
    if (data instanceof Mixture2d mix) {
      real = mix.sample(HELD_OUT_STREAM, m);
    } else {
      ImageDataset trained = ((ImageSource) data).dataset();
      String other = c.data().split().name().equalsIgnoreCase("train") ? "test" : "train";
      ImageDataset held = Datasets.standard().load("fashion-mnist", other, Optional.empty());
      if (held.sampleSize() != trained.sampleSize()) {
        throw new IllegalArgumentException("no held-out split matching the run's images");
      }
      m = Math.min(m, held.size());
      int[] idx = new int[m];
      Arrays.setAll(idx, i -> i);
      real = Tensors.toFloats(held.batch(idx));
    }
    return new JsdProbe(net, real, m, data.dims(), c.schedule().batchSize());
  }

  /** The number of D's parameters, which {@link #bound} expects. */
  public long numParams() {
    return net.numParams();
  }

  /** Held-out real samples the bound uses. */
  public int count() {
    return count;
  }

  /**
   * The bound of D with flat parameters {@code discriminator} on the held-out samples and the first
   * {@link #count} of {@code fakes} (flat, {@code fakeCount} samples; all of them when fewer).
   */
  public JsdBound.Result bound(INDArray discriminator, float[] fakes, int fakeCount) {
    net.copyParamsFrom(discriminator);
    int f = Math.min(fakeCount, count);
    return JsdBound.fromLogits(logits(real, count), logits(fakes, f));
  }

  /** D's logits of the first {@code m} of {@code flat}, in batches of the run's batch size. */
  private float[] logits(float[] flat, int m) {
    long[] in = net.inputShape();
    long[] shape = new long[in.length + 1];
    shape[0] = batch;
    System.arraycopy(in, 0, shape, 1, in.length);
    float[] out = new float[m];
    float[] chunk = new float[batch * dims];
    for (int from = 0; from < m; from += batch) {
      int n = Math.min(batch, m - from);
      System.arraycopy(flat, from * dims, chunk, 0, n * dims);
      // A short last batch is padded by repeating its first sample, so batch statistics see a
      // full batch; the padding's outputs are dropped.
      for (int i = n; i < batch; i++) {
        System.arraycopy(flat, from * dims, chunk, i * dims, dims);
      }
      INDArray o = net.forward(Nd4j.create(chunk, shape, 'c').castTo(net.dtype()));
      // Column 0 is the logit; an InfoGAN D has Q's columns after it.
      float[] l = Tensors.toFloats(o.rank() == 2 && o.size(1) > 1 ? o.getColumn(0) : o);
      System.arraycopy(l, 0, out, from, n);
    }
    return out;
  }
}
