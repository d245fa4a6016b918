package dev.agon.train;

import dev.agon.config.AgonConfig;
import dev.agon.nn.Network;
import dev.agon.nn.Optimizer;
import dev.agon.objective.DLoss;
import dev.agon.objective.GanObjective;
import dev.agon.objective.GradientPenalty;
import dev.agon.objective.HistoricalAverage;
import dev.agon.tensor.Noise;
import dev.agon.tensor.Seeds;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * One discriminator update (Goodfellow et al. 2014, Algorithm 1, inner loop): a gradient step on
 * the objective's D loss over a real and a fake minibatch. Real and fake rows go through D as one
 * [2B, ...] batch (one GEMM per layer instead of two); without batch statistics in D this is the
 * same gradient as two passes. A D with batch statistics ({@link Network#batchCoupled()}) sees the
 * two batches in separate passes.
 *
 * <p>Historical averaging (optional, {@link HistoricalAverage}): the trainer counts its own updates
 * ({@link #updates()}); D update {@code n} belongs to generator iteration {@code ceil(n/k)} (the k
 * D updates that precede G update i are {@code (i-1)k+1 .. ik}), and is active when that iteration
 * has reached the average's start. An active update adds the penalty's gradient to D's gradient
 * after the backward pass and before the optimizer step. Without an average (the default, and what
 * {@link #create} builds for weight 0) the step is exactly the plain one.
 *
 * <p>Not thread-safe: one owner.
 */
public final class DiscriminatorTrainer {
  private final Network d;
  private final Optimizer optimizer;
  private final GanObjective objective;
  private final int k;
  private HistoricalAverage history;
  private GradientPenalty gradientPenalty;
  private long gpSeed;
  private INDArray gpEpsilon;
  private double lastGradientPenalty;
  private long updates;
  private double lastPenalty;
  private double lastGradNorm = Double.NaN;
  private int rows = -1;
  private INDArray both;
  private INDArray grad;
  private INDArray bothReal;
  private INDArray bothFake;
  private INDArray gradReal;
  private INDArray gradFake;
  private INDArray logitsReal;
  private INDArray logitsFake;
  private INDArray scratch;

  /** A trainer without historical averaging. */
  public DiscriminatorTrainer(Network d, Optimizer optimizer, GanObjective objective) {
    this(d, optimizer, objective, 1, null);
  }

  /**
   * A trainer with {@code k} D updates per G update and the historical average {@code history} over
   * D's parameters ({@code null}: none; it may be set later with {@link #historicalAveraging}).
   */
  public DiscriminatorTrainer(
      Network d, Optimizer optimizer, GanObjective objective, int k, HistoricalAverage history) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1: " + k);
    }
    if (history != null && history.numParams() != d.numParams()) {
      throw new IllegalArgumentException(
          "average over " + history.numParams() + " parameters, D has " + d.numParams());
    }
    this.d = d;
    this.optimizer = optimizer;
    this.objective = objective;
    this.k = k;
    this.history = history;
  }

  /** The trainer of {@code c} for data of {@code dataDims} features per sample. */
  public static DiscriminatorTrainer create(AgonConfig c, int dataDims) {
    return create(c, new long[] {dataDims});
  }

  /** The trainer of {@code c} for samples of shape {@code sampleShape}. */
  public static DiscriminatorTrainer create(AgonConfig c, long[] sampleShape) {
    Network d = Factory.discriminator(c, sampleShape, Seeds.mix(c.seed(), Seeds.STREAM_INIT, 1));
    DiscriminatorTrainer t =
        new DiscriminatorTrainer(
            d,
            Factory.optimizer(c.optim().discriminator(), d),
            Factory.objective(c.objective()),
            c.schedule().k(),
            Factory.discriminatorAverage(c, d));
    GradientPenalty gp = Factory.gradientPenalty(c.objective());
    if (gp != null) {
      t.gradientPenalty(gp, c.seed());
    }
    return t;
  }

  /**
   * Applies D update {@link #updates()}{@code + 1}; {@code real} and {@code fake} are [B, d] and
   * are not modified. The returned loss excludes the historical-averaging penalty ({@link
   * #lastPenalty()}).
   */
  public DLoss step(INDArray real, INDArray fake) {
    int b = (int) real.size(0);
    if (fake.size(0) != b) {
      throw new IllegalArgumentException(
          "real and fake batches differ: " + b + " vs " + fake.size(0));
    }
    ensureBuffers(b, real.shape());
    long n = updates + 1;
    DLoss loss = d.batchCoupled() ? separatePasses(real, fake, n) : jointPass(real, fake, n);
    lastGradientPenalty = 0;
    if (gradientPenalty != null) {
      if (gpEpsilon == null || gpEpsilon.length() != b) {
        gpEpsilon = Nd4j.create(d.dtype(), b);
      }
      Noise.uniform(gpEpsilon, gpSeed, Seeds.STREAM_GRADIENT_PENALTY, n);
      lastGradientPenalty = gradientPenalty.apply(d, real, fake, gpEpsilon).penalty();
    }
    lastPenalty =
        lastGradientPenalty
            + HistoricalAverage.applyIfActive(history, iteration(n), d.params(), d.grads());
    lastGradNorm = d.grads().norm2Number().doubleValue();
    optimizer.step(d.params(), d.grads());
    updates = n;
    return loss;
  }

  /** Real and fake rows as one [2B, ...] batch: one GEMM per layer instead of two. */
  private DLoss jointPass(INDArray real, INDArray fake, long n) {
    bothReal.assign(real);
    bothFake.assign(fake);
    d.noiseIndex(3 * n);
    INDArray logits = d.forward(both);
    DLoss loss = objective.discriminator(rows(logits, 0), rows(logits, 1), gradReal, gradFake);
    d.backward(grad, true, false);
    return loss;
  }

  /**
   * Real and fake batches through D one after the other, as DCGAN and Improved GAN do when D has
   * batch statistics (batch norm, minibatch discrimination): each batch is normalised on its own.
   * Relies on the objective being a real term plus a fake term ({@link GanObjective}): the real
   * gradient is computed from the real logits before the fake pass overwrites D's buffers.
   */
  private DLoss separatePasses(INDArray real, INDArray fake, long n) {
    d.noiseIndex(3 * n);
    logitsReal.assign(d.forward(real));
    objective.discriminator(logitsReal, logitsReal, gradReal, scratch);
    d.backward(gradReal, true, false, false);
    d.noiseIndex(3 * n + 1);
    logitsFake.assign(d.forward(fake));
    DLoss loss = objective.discriminator(logitsReal, logitsFake, scratch, gradFake);
    d.backward(gradFake, true, false, true);
    return loss;
  }

  private void ensureBuffers(int b, long[] shape) {
    if (rows == b) {
      return;
    }
    rows = b;
    long[] twice = shape.clone();
    twice[0] = 2L * b;
    both = Nd4j.create(d.dtype(), twice);
    grad = Nd4j.create(d.dtype(), 2L * b, 1);
    bothReal = rows(both, 0);
    bothFake = rows(both, 1);
    gradReal = rows(grad, 0);
    gradFake = rows(grad, 1);
    logitsReal = Nd4j.create(d.dtype(), b, 1);
    logitsFake = Nd4j.create(d.dtype(), b, 1);
    scratch = Nd4j.create(d.dtype(), b, 1);
  }

  /** Half {@code h} (0: real, 1: fake) of a [2B, ...] array along the batch dimension. */
  private INDArray rows(INDArray a, int h) {
    INDArrayIndex[] idx = new INDArrayIndex[a.rank()];
    idx[0] = NDArrayIndex.interval((long) h * rows, (long) (h + 1) * rows);
    for (int i = 1; i < idx.length; i++) {
      idx[i] = NDArrayIndex.all();
    }
    return a.get(idx);
  }

  /** The generator iteration D update {@code n} (1-based) belongs to: {@code ceil(n/k)}. */
  public long iteration(long n) {
    return (n + k - 1) / k;
  }

  /** Number of updates applied so far (the last update's index). */
  public long updates() {
    return updates;
  }

  /** Sets the update count, e.g. when resuming from a checkpoint at D version {@code n}. */
  public void updates(long n) {
    if (n < 0) {
      throw new IllegalArgumentException("updates must be >= 0: " + n);
    }
    updates = n;
  }

  /**
   * The penalties of the last update, part of D's cost but not of {@link DLoss#loss()}: the WGAN-GP
   * gradient penalty plus the historical-averaging penalty {@code lambda ||theta - mean||^2}; 0
   * when both are off (or averaging was inactive).
   */
  /** L2 norm of the gradient the last update applied (penalties included), before the optimizer. */
  public double lastGradNorm() {
    return lastGradNorm;
  }

  public double lastPenalty() {
    return lastPenalty;
  }

  /** The WGAN-GP gradient penalty of the last update (0 when off). */
  public double lastGradientPenalty() {
    return lastGradientPenalty;
  }

  /**
   * Adds the WGAN-GP gradient penalty (Gulrajani et al. 2017) to every following update; its
   * interpolation weights of update n are keyed by (seed, {@link Seeds#STREAM_GRADIENT_PENALTY},
   * n).
   */
  public void gradientPenalty(GradientPenalty penalty, long seed) {
    this.gradientPenalty = penalty;
    this.gpSeed = seed;
  }

  /** D's historical average, or {@code null} when off. */
  public HistoricalAverage historicalAverage() {
    return history;
  }

  /**
   * Sets the historical-averaging policy from the next update on: weight {@code lambda} and the
   * first active generator iteration. Creates an empty average when there was none and {@code
   * lambda > 0}; an existing one keeps its mean.
   */
  public void historicalAveraging(double lambda, long start) {
    history = HistoricalAverage.withPolicy(history, d.numParams(), lambda, start);
  }

  /** The live parameters (do not send: {@link #snapshot()} is the detached copy). */
  public INDArray params() {
    return d.params();
  }

  /** A detached copy of the parameters, safe to hand to another thread. */
  public INDArray snapshot() {
    return d.params().dup();
  }

  public Network network() {
    return d;
  }

  public Optimizer optimizer() {
    return optimizer;
  }
}
