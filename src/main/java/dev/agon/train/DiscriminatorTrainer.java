package dev.agon.train;

import dev.agon.config.AgonConfig;
import dev.agon.config.InfoGanConfig;
import dev.agon.config.ObjectiveConfig;
import dev.agon.data.BatchSource;
import dev.agon.nn.Network;
import dev.agon.nn.Optimizer;
import dev.agon.objective.DLoss;
import dev.agon.objective.GanObjective;
import dev.agon.objective.GradientPenalty;
import dev.agon.objective.HistoricalAverage;
import dev.agon.objective.MutualInformation;
import dev.agon.objective.SemiSupervisedGan;
import dev.agon.objective.ZeroCentredPenalty;
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
 * <p>Semi-supervised (the K+1 {@link SemiSupervisedGan}): D outputs K logits per row, and {@link
 * #step(INDArray, INDArray, INDArray, int[])} adds a labelled batch: its rows join the joint pass
 * ([2B + L, ...]), or get a third pass of their own when D has batch statistics; one optimizer step
 * on the summed loss. {@link #step(INDArray, INDArray)} is then the unsupervised term alone.
 *
 * <p>Not thread-safe: one owner.
 */
public final class DiscriminatorTrainer {
  private final Network d;
  private final Optimizer optimizer;
  private final GanObjective objective;
  private final int k;
  private HistoricalAverage history;
  // The window of an average created later by historicalAveraging (the config's; 0: every version).
  private long averagingWindow;
  private GradientPenalty gradientPenalty;
  private long gpSeed;
  private INDArray gpEpsilon;
  private double lastGradientPenalty;
  private ZeroCentredPenalty r1;
  private ZeroCentredPenalty r2;
  private int lazyEvery = 1;
  private double lastZeroCentredPenalty;
  private LearningRateSchedule lrSchedule = LearningRateSchedule.CONSTANT;
  private MomentumRamp momentumRamp; // null: the optimizer's momentum throughout
  private double lastLr = Double.NaN;
  private long updates;
  private double lastPenalty;
  private double lastGradNorm = Double.NaN;
  private int rows = -1;
  private int labelledRows = -1;
  private INDArray all;
  private INDArray gradAll;
  private INDArray logitsLabelled;
  private INDArray gradLabelled;
  private INDArray both;
  private INDArray grad;
  private INDArray bothReal;
  private INDArray bothFake;
  private INDArray gradReal;
  private INDArray gradFake;
  private INDArray logitsReal;
  private INDArray logitsFake;
  private INDArray scratch;
  private InfoCodes codes;
  // conditional model: the fake rows' classes, recomputed from G's keys, and D's projection head
  private InfoCodes classCodes;
  private long classSeed;
  private dev.agon.nn.Projection projection;
  private MutualInformation info;
  private long codeSeed;
  private INDArray fakeCodes;
  private INDArray gradQ;
  private INDArray wideGrad;
  private double lastInfo = Double.NaN;

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
    this.averagingWindow = history == null ? 0 : history.window();
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
    t.averagingWindow = c.stabilizers().historicalAveraging().window();
    GradientPenalty gp = Factory.gradientPenalty(c.objective());
    if (gp != null) {
      t.gradientPenalty(gp, c.seed());
    }
    ObjectiveConfig o = c.objective();
    if (o.zeroCentredPenalty()) {
      t.zeroCentredPenalties(o.r1Gamma(), o.r2Gamma(), o.lazyEvery());
    }
    t.learningRateSchedule(LearningRateSchedule.of(c.optim().discriminator().schedule()));
    t.momentumRamp(MomentumRamp.of(c.optim().discriminator()));
    if (c.model().conditional()) {
      t.conditional(new InfoCodes(c.objective().classes(), 0), c.seed());
    }
    InfoGanConfig ig = c.model().infogan();
    if (ig.enabled()) {
      t.infoGan(
          new InfoCodes(ig.categorical(), ig.continuous()),
          new MutualInformation(ig.categorical(), ig.continuous(), ig.weight()),
          c.seed());
    }
    return t;
  }

  /**
   * The conditional model from the next update on: D's last layer is a projection head; update n
   * gives it the real rows' labels and, for the fake rows, the classes G drew for the noise ({@code
   * seed}, {@link Seeds#STREAM_FAKES_FOR_D}, n), recomputed here from the same keys ({@link
   * InfoCodes}) instead of sent.
   */
  public void conditional(InfoCodes classes, long seed) {
    dev.agon.nn.Projection p = Factory.projection(d);
    if (codes != null
        || classes.continuous() != 0
        || p == null
        || p.numClasses() != classes.categorical()) {
      throw new IllegalArgumentException(
          "a conditional D needs a projection head of " + classes.categorical() + " classes");
    }
    this.classCodes = classes;
    this.classSeed = seed;
    this.projection = p;
  }

  /** The classes of the {@code b} fake rows of D update {@code n}: those G drew for them. */
  public int[] fakeClasses(long n, int b) {
    return classCodes.fill(
        Nd4j.create(d.dtype(), b, classCodes.width()), classSeed, Seeds.STREAM_FAKES_FOR_D, n);
  }

  /**
   * InfoGAN from the next update on: D's output column 0 is the logit, the following K + C columns
   * Q's; update n adds {@code info}'s term on the fake rows, whose codes it recomputes from ({@code
   * seed}, {@link Seeds#STREAM_FAKES_FOR_D}, n) as the generator drew them ({@link InfoCodes}).
   * Real rows carry no codes: Q trains on fakes only, as in the paper.
   */
  public void infoGan(InfoCodes codes, MutualInformation info, long seed) {
    if (codes.width() != info.width() || d.outputShape()[0] != 1 + codes.width()) {
      throw new IllegalArgumentException(
          "InfoGAN needs D outputs 1 + " + codes.width() + ", D gives " + d.outputShape()[0]);
    }
    if (gradientPenalty != null || r1 != null || r2 != null) {
      throw new IllegalArgumentException(
          "InfoGAN cannot be combined with input-gradient penalties");
    }
    this.codes = codes;
    this.info = info;
    this.codeSeed = seed;
    rows = -1;
  }

  /** The codes D update {@code n} recomputes for its {@code b} fake rows, a new array. */
  public INDArray fakeCodes(long n, int b) {
    INDArray c = Nd4j.create(d.dtype(), b, codes.width());
    codes.fill(c, codeSeed, Seeds.STREAM_FAKES_FOR_D, n);
    return c;
  }

  /**
   * {@code -E[log Q(c | x)]} on the fake rows of the last update, unweighted; NaN when InfoGAN is
   * off.
   */
  public double lastInfoLoss() {
    return lastInfo;
  }

  /**
   * Applies D update {@link #updates()}{@code + 1}; {@code real} and {@code fake} are [B, d] and
   * are not modified. The returned loss excludes the historical-averaging penalty ({@link
   * #lastPenalty()}).
   */
  public DLoss step(INDArray real, INDArray fake) {
    int b = checkBatches(real, fake);
    ensureBuffers(b, real.shape());
    long n = updates + 1;
    // Spectral norm's one power-iteration step per update, before all of its passes (no-op
    // without).
    d.powerIteration();
    DLoss loss;
    if (info != null) {
      codes.fill(fakeCodes, codeSeed, Seeds.STREAM_FAKES_FOR_D, n);
      loss = d.batchCoupled() ? separateInfoPasses(real, fake, n) : jointInfoPass(real, fake, n);
    } else {
      loss = d.batchCoupled() ? separatePasses(real, fake, n) : jointPass(real, fake, n);
    }
    return finish(real, fake, b, n, loss);
  }

  /**
   * Applies D update {@link #updates()}{@code + 1} of the semi-supervised K+1 objective on the
   * summed loss: the real/fake term on {@code real} (unlabelled) and {@code fake} ([B, ...]), the
   * supervised cross-entropy on {@code labelled} ([L, ...], L >= 1) with classes {@code labels}
   * (length L, each in [0, K)). No argument is modified. {@link DLoss#supervised()} and {@link
   * DLoss#unsupervised()} report the two terms.
   */
  public DLoss step(INDArray real, INDArray fake, INDArray labelled, int[] labels) {
    if (!(objective instanceof SemiSupervisedGan ssl)) {
      throw new IllegalStateException("a labelled batch needs the semi-supervised objective");
    }
    int b = checkBatches(real, fake);
    int l = (int) labelled.size(0);
    if (l < 1 || labels.length != l) {
      throw new IllegalArgumentException(
          "labelled batch of " + l + " rows with " + labels.length + " labels");
    }
    ensureBuffers(b, real.shape());
    ensureLabelledBuffers(l, labelled.shape());
    long n = updates + 1;
    // Spectral norm's one power-iteration step per update, before all of its passes (no-op
    // without).
    d.powerIteration();
    DLoss loss =
        d.batchCoupled()
            ? separatePasses(ssl, real, fake, labelled, labels, n)
            : jointPass(ssl, real, fake, labelled, labels, n);
    return finish(real, fake, b, n, loss);
  }

  /**
   * Applies D update {@link #updates()}{@code + 1} on a real batch and its labelled minibatch
   * ({@code null}: none, as with {@code data.labels = none}): the semi-supervised objective trains
   * on the labelled rows too, every other objective ignores them. The one step the Discriminator
   * actor and {@link PlainLoop} call.
   */
  public DLoss step(INDArray real, INDArray fake, BatchSource.Labelled labelled) {
    return step(real, fake, labelled, null);
  }

  /**
   * {@link #step(INDArray, INDArray, BatchSource.Labelled)} with the classes of {@code real}'s rows
   * ({@code null}: none), which the conditional model needs and every other ignores.
   */
  public DLoss step(INDArray real, INDArray fake, BatchSource.Labelled labelled, int[] realLabels) {
    if (classCodes != null) {
      return conditionalStep(real, fake, realLabels);
    }
    if (objective instanceof SemiSupervisedGan) {
      if (labelled == null) {
        throw new IllegalStateException(
            "the semi-supervised objective needs a labelled minibatch (data.labels)");
      }
      return step(real, fake, labelled.x(), labelled.labels());
    }
    return step(real, fake);
  }

  /**
   * D update of the conditional model: the projection head sees each real row's label and each fake
   * row's recomputed class; one joint pass, or for a batch-coupled D the two passes of {@link
   * #separatePasses(INDArray, INDArray, long)} with each pass's classes.
   */
  private DLoss conditionalStep(INDArray real, INDArray fake, int[] realLabels) {
    int b = checkBatches(real, fake);
    if (realLabels == null || realLabels.length != b) {
      throw new IllegalArgumentException(
          "the conditional model needs the "
              + b
              + " real rows' classes (data.labels = all), got "
              + (realLabels == null ? "none" : realLabels.length));
    }
    ensureBuffers(b, real.shape());
    long n = updates + 1;
    d.powerIteration();
    int[] fakeClasses = fakeClasses(n, b);
    DLoss loss;
    if (d.batchCoupled()) {
      d.noiseIndex(3 * n);
      projection.classes(realLabels);
      logitsReal.assign(d.forward(real));
      objective.discriminator(logitsReal, logitsReal, gradReal, scratch);
      d.backward(gradReal, true, false, false);
      d.noiseIndex(3 * n + 1);
      projection.classes(fakeClasses);
      logitsFake.assign(d.forward(fake));
      loss = objective.discriminator(logitsReal, logitsFake, scratch, gradFake);
      d.backward(gradFake, true, false, true);
    } else {
      int[] both = new int[2 * b];
      System.arraycopy(realLabels, 0, both, 0, b);
      System.arraycopy(fakeClasses, 0, both, b, b);
      projection.classes(both);
      loss = jointPass(real, fake, n);
    }
    return finish(real, fake, b, n, loss);
  }

  private static int checkBatches(INDArray real, INDArray fake) {
    int b = (int) real.size(0);
    if (fake.size(0) != b) {
      throw new IllegalArgumentException(
          "real and fake batches differ: " + b + " vs " + fake.size(0));
    }
    return b;
  }

  /** The penalties, the optimizer step and the update count, after the loss's backward pass. */
  private DLoss finish(INDArray real, INDArray fake, int b, long n, DLoss loss) {
    lastGradientPenalty = 0;
    if (gradientPenalty != null) {
      if (gpEpsilon == null || gpEpsilon.length() != b) {
        gpEpsilon = Nd4j.create(d.dtype(), b);
      }
      Noise.uniform(gpEpsilon, gpSeed, Seeds.STREAM_GRADIENT_PENALTY, n);
      lastGradientPenalty = gradientPenalty.apply(d, real, fake, gpEpsilon).penalty();
    }
    lastZeroCentredPenalty = 0;
    if (n % lazyEvery == 0) {
      if (r1 != null) {
        lastZeroCentredPenalty += r1.apply(d, real, lazyEvery);
      }
      if (r2 != null) {
        lastZeroCentredPenalty += r2.apply(d, fake, lazyEvery);
      }
    }
    lastPenalty =
        lastGradientPenalty
            + lastZeroCentredPenalty
            + HistoricalAverage.applyIfActive(history, iteration(n), d.params(), d.grads());
    lastGradNorm = d.grads().norm2Number().doubleValue();
    MomentumRamp.apply(momentumRamp, optimizer, n);
    lastLr = lrSchedule.step(optimizer, n, d.params(), d.grads());
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
   * Real, fake and labelled rows as one [2B + L, ...] batch; the objective writes the three
   * gradients into row views of one [2B + L, K] array, backpropagated at once.
   */
  private DLoss jointPass(
      SemiSupervisedGan ssl,
      INDArray real,
      INDArray fake,
      INDArray labelled,
      int[] labels,
      long n) {
    rowRange(all, 0, rows).assign(real);
    rowRange(all, rows, 2 * rows).assign(fake);
    rowRange(all, 2 * rows, 2 * rows + labelledRows).assign(labelled);
    d.noiseIndex(3 * n);
    INDArray logits = d.forward(all);
    DLoss loss =
        ssl.discriminator(
            rowRange(logits, 0, rows),
            rowRange(logits, rows, 2 * rows),
            rowRange(logits, 2 * rows, 2 * rows + labelledRows),
            labels,
            rowRange(gradAll, 0, rows),
            rowRange(gradAll, rows, 2 * rows),
            rowRange(gradAll, 2 * rows, 2 * rows + labelledRows));
    d.backward(gradAll, true, false);
    return loss;
  }

  /**
   * Real, fake and labelled batches in three passes, for a D with batch statistics: each batch is
   * normalised on its own, as the two adversarial batches of {@link #separatePasses(INDArray,
   * INDArray, long)}. The labelled pass's noise index is {@link #LABELLED_NOISE} + n, apart from
   * the 3n, 3n + 1 (D) and 3n + 2 (G) of the adversarial passes.
   */
  private DLoss separatePasses(
      SemiSupervisedGan ssl,
      INDArray real,
      INDArray fake,
      INDArray labelled,
      int[] labels,
      long n) {
    d.noiseIndex(LABELLED_NOISE + n);
    logitsLabelled.assign(d.forward(labelled));
    double supervised = ssl.supervised(logitsLabelled, labels, gradLabelled);
    d.backward(gradLabelled, true, false, false);
    DLoss u = separatePasses(real, fake, n, true);
    // u.loss() is w L_unsup (no labelled rows in that call): the summed loss the gradients are of
    return new DLoss(
        supervised + u.loss(),
        u.meanDReal(),
        u.meanDFake(),
        u.accuracy(),
        supervised,
        u.unsupervised());
  }

  /** Offset of the labelled passes' noise indices (dropout masks): far above 3n + 2. */
  static final long LABELLED_NOISE = 1L << 60;

  /**
   * Real and fake batches through D one after the other, as DCGAN and Improved GAN do when D has
   * batch statistics (batch norm, minibatch discrimination): each batch is normalised on its own.
   * Relies on the objective being a real term plus a fake term ({@link GanObjective}): the real
   * gradient is computed from the real logits before the fake pass overwrites D's buffers.
   */
  private DLoss separatePasses(INDArray real, INDArray fake, long n) {
    return separatePasses(real, fake, n, false);
  }

  /** As above; {@code accumulate}: add to D's gradient instead of starting it. */
  private DLoss separatePasses(INDArray real, INDArray fake, long n, boolean accumulate) {
    d.noiseIndex(3 * n);
    logitsReal.assign(d.forward(real));
    objective.discriminator(logitsReal, logitsReal, gradReal, scratch);
    d.backward(gradReal, true, false, accumulate);
    d.noiseIndex(3 * n + 1);
    logitsFake.assign(d.forward(fake));
    DLoss loss = objective.discriminator(logitsReal, logitsFake, scratch, gradFake);
    d.backward(gradFake, true, false, true);
    return loss;
  }

  /**
   * {@link #jointPass} with InfoGAN: the objective sees the logit column (copied to dense [B, 1]
   * buffers), Q's columns of the fake rows get the MI gradient, real rows' Q columns none.
   */
  private DLoss jointInfoPass(INDArray real, INDArray fake, long n) {
    bothReal.assign(real);
    bothFake.assign(fake);
    d.noiseIndex(3 * n);
    INDArray out = d.forward(both);
    logitsReal.assign(cols(rows(out, 0), 0, 1));
    logitsFake.assign(cols(rows(out, 1), 0, 1));
    DLoss loss = objective.discriminator(logitsReal, logitsFake, gradReal, gradFake);
    lastInfo = info.apply(cols(rows(out, 1), 1, 1 + codes.width()), fakeCodes, gradQ);
    wideGrad.assign(0);
    cols(rows(wideGrad, 0), 0, 1).assign(gradReal);
    cols(rows(wideGrad, 1), 0, 1).assign(gradFake);
    cols(rows(wideGrad, 1), 1, 1 + codes.width()).assign(gradQ);
    d.backward(wideGrad, true, false);
    return loss;
  }

  /** {@link #separatePasses} with InfoGAN: as {@link #jointInfoPass}, one batch per pass. */
  private DLoss separateInfoPasses(INDArray real, INDArray fake, long n) {
    int w = codes.width();
    INDArray half = rows(wideGrad, 0);
    d.noiseIndex(3 * n);
    logitsReal.assign(cols(d.forward(real), 0, 1));
    objective.discriminator(logitsReal, logitsReal, gradReal, scratch);
    half.assign(0);
    cols(half, 0, 1).assign(gradReal);
    d.backward(half, true, false, false);
    d.noiseIndex(3 * n + 1);
    INDArray out = d.forward(fake);
    logitsFake.assign(cols(out, 0, 1));
    DLoss loss = objective.discriminator(logitsReal, logitsFake, scratch, gradFake);
    lastInfo = info.apply(cols(out, 1, 1 + w), fakeCodes, gradQ);
    cols(half, 0, 1).assign(gradFake);
    cols(half, 1, 1 + w).assign(gradQ);
    d.backward(half, true, false, true);
    return loss;
  }

  /** Columns {@code [from, to)} of a [B, W] array, a view. */
  private static INDArray cols(INDArray a, long from, long to) {
    return a.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to));
  }

  private void ensureBuffers(int b, long[] shape) {
    if (rows == b) {
      return;
    }
    rows = b;
    labelledRows = -1;
    long[] twice = shape.clone();
    twice[0] = 2L * b;
    long out = outputs();
    long ob = d.outputRows(b); // one output row per sample, or per pack of a packed D
    both = Nd4j.create(d.dtype(), twice);
    grad = Nd4j.create(d.dtype(), 2L * ob, out);
    bothReal = rows(both, 0);
    bothFake = rows(both, 1);
    gradReal = rows(grad, 0);
    gradFake = rows(grad, 1);
    logitsReal = Nd4j.create(d.dtype(), ob, out);
    logitsFake = Nd4j.create(d.dtype(), ob, out);
    scratch = Nd4j.create(d.dtype(), ob, out);
    if (info != null) {
      // The objective writes dense [B, 1] gradients; the wide one feeds D's backward pass.
      gradReal = Nd4j.create(d.dtype(), b, 1);
      gradFake = Nd4j.create(d.dtype(), b, 1);
      fakeCodes = Nd4j.create(d.dtype(), b, codes.width());
      gradQ = Nd4j.create(d.dtype(), b, codes.width());
      wideGrad = Nd4j.create(d.dtype(), 2L * b, 1 + codes.width());
    }
  }

  /**
   * The buffers of a labelled step with L = {@code l} labelled rows (after {@link #ensureBuffers}):
   * the joint [2B + L, ...] batch and its gradient, or the labelled pass's logits and gradient.
   */
  private void ensureLabelledBuffers(int l, long[] shape) {
    if (labelledRows == l) {
      return;
    }
    labelledRows = l;
    long out = outputs();
    if (d.batchCoupled()) {
      logitsLabelled = Nd4j.create(d.dtype(), l, out);
      gradLabelled = Nd4j.create(d.dtype(), l, out);
    } else {
      long[] s = shape.clone();
      s[0] = 2L * rows + l;
      all = Nd4j.create(d.dtype(), s);
      gradAll = Nd4j.create(d.dtype(), 2L * rows + l, out);
    }
  }

  /**
   * D's outputs per sample that the objective reads: K logits for the semi-supervised objective,
   * else 1 (InfoGAN's Q columns have buffers of their own).
   */
  private long outputs() {
    long[] s = d.outputShape();
    return info != null || s.length == 0 ? 1 : s[0];
  }

  /** Rows [from, to) of {@code a} along the batch dimension (a view). */
  private static INDArray rowRange(INDArray a, long from, long to) {
    INDArrayIndex[] idx = new INDArrayIndex[a.rank()];
    idx[0] = NDArrayIndex.interval(from, to);
    for (int i = 1; i < idx.length; i++) {
      idx[i] = NDArrayIndex.all();
    }
    return a.get(idx);
  }

  /**
   * Half {@code h} (0: real, 1: fake) of a [2B, ...] array along the batch dimension (of D's [2B /
   * m, ...] outputs for packs of m: real packs, then fake ones).
   */
  private static INDArray rows(INDArray a, int h) {
    long half = a.size(0) / 2;
    INDArrayIndex[] idx = new INDArrayIndex[a.rank()];
    idx[0] = NDArrayIndex.interval(h * half, (h + 1) * half);
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

  /** L2 norm of the gradient the last update applied (penalties included), before the optimizer. */
  public double lastGradNorm() {
    return lastGradNorm;
  }

  /**
   * The penalties of the last update, part of D's cost but not of {@link DLoss#loss()}: the WGAN-GP
   * gradient penalty, R1 and R2 (as applied: weighted N times on a lazy update, 0 between) and the
   * historical-averaging penalty {@code lambda ||theta - mean||^2}; 0 when all are off.
   */
  public double lastPenalty() {
    return lastPenalty;
  }

  /** The WGAN-GP gradient penalty of the last update (0 when off). */
  public double lastGradientPenalty() {
    return lastGradientPenalty;
  }

  /** R1 plus R2 of the last update as applied (0 when off or not due under lazy application). */
  public double lastZeroCentredPenalty() {
    return lastZeroCentredPenalty;
  }

  /** The learning rate the last update used (NaN before the first). */
  public double lastLearningRate() {
    return lastLr;
  }

  /**
   * Adds R1 (weight {@code r1Gamma}, on the real rows) and R2 ({@code r2Gamma}, on the fakes) of
   * Mescheder et al. (2018) to every {@code lazyEvery}-th following update (D updates n with n mod
   * lazyEvery = 0), weighted {@code lazyEvery} times there; a weight 0 turns its penalty off.
   */
  public void zeroCentredPenalties(double r1Gamma, double r2Gamma, int lazyEvery) {
    if (lazyEvery < 1) {
      throw new IllegalArgumentException("lazyEvery must be >= 1: " + lazyEvery);
    }
    this.r1 = r1Gamma > 0 ? new ZeroCentredPenalty(r1Gamma) : null;
    this.r2 = r2Gamma > 0 ? new ZeroCentredPenalty(r2Gamma) : null;
    this.lazyEvery = lazyEvery;
  }

  /**
   * Sets the learning-rate schedule of the following updates (the optimizer's rate is its base).
   */
  public void learningRateSchedule(LearningRateSchedule schedule) {
    this.lrSchedule = schedule;
  }

  /** Sets the momentum ramp of the following updates (null: none; SGD only). */
  public void momentumRamp(MomentumRamp ramp) {
    this.momentumRamp = ramp;
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
    history = HistoricalAverage.withPolicy(history, d.numParams(), lambda, start, averagingWindow);
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
