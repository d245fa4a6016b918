package dev.agon.train;

import dev.agon.config.AgonConfig;
import dev.agon.config.EmaConfig;
import dev.agon.config.FeatureMatchingConfig;
import dev.agon.config.InfoGanConfig;
import dev.agon.data.BatchSource;
import dev.agon.nn.Network;
import dev.agon.nn.Optimizer;
import dev.agon.objective.FeatureMatching;
import dev.agon.objective.GLoss;
import dev.agon.objective.GanObjective;
import dev.agon.objective.HistoricalAverage;
import dev.agon.objective.MutualInformation;
import dev.agon.tensor.DenseAccess;
import dev.agon.tensor.Noise;
import dev.agon.tensor.Seeds;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.function.Supplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The generator's side of Algorithm 1 (Goodfellow et al. 2014): fake minibatches for D updates, and
 * G updates through a frozen replica of D holding a parameter snapshot. Noise is keyed by (seed,
 * stream, step), so the fakes of D update n and the noise of G update i are the same whichever
 * thread or process computes them.
 *
 * <p>Two optional stabilisers live here, beside the weights they average:
 *
 * <ul>
 *   <li>Historical averaging ({@link HistoricalAverage}): G update {@code i} (the {@code gStep}
 *       argument) is active when {@code i >= start}; an active update adds the penalty's gradient
 *       to G's gradient after the backward pass and before the optimizer step ({@link
 *       #lastPenalty()} reports the penalty).
 *   <li>Generator EMA (Polyak averaging): the average starts as a copy of the first G version
 *       {@code v >= start} the trainer sees (version {@code i} = the weights after G update {@code
 *       i}, version 0 the initial ones) and after every later update {@code i} becomes {@code decay
 *       * ema + (1 - decay) * theta_i}. It lives in a second network, so {@link #samples} (export,
 *       evaluation) uses the EMA weights once it exists without touching the training network's
 *       buffers; {@link #fakes} and {@link #step} always use the live weights.
 * </ul>
 *
 * <p>Both off (the default, and what {@link #create} builds for weight 0 and EMA disabled): every
 * result is exactly that of the plain trainer. Not thread-safe: one owner.
 */
public final class GeneratorTrainer {
  private final Network g;
  private final Network dReplica;
  private final Optimizer optimizer;
  private final GanObjective objective;
  private final long seed;
  private HistoricalAverage history;
  // The window of an average created later by historicalAveraging (the config's; 0: every version).
  private long averagingWindow;
  private double lastPenalty;
  private double lastGradNorm = Double.NaN;
  private LearningRateSchedule lrSchedule = LearningRateSchedule.CONSTANT;
  private MomentumRamp momentumRamp; // null: the optimizer's momentum throughout
  private double lastLr = Double.NaN;
  private final Network ema;
  private final double emaDecay;
  private final long emaStart;
  private boolean emaStarted;
  private long version;
  private int rows = -1;
  private INDArray z;
  private INDArray gradLogits;
  private FeatureMatching featureMatching;
  private Supplier<BatchSource> realDataSupplier;
  private BatchSource realData;
  private int realPerIteration;
  private INDArray gradFeatures;
  private InfoCodes codes;
  private MutualInformation info;
  private int latent;
  private INDArray noise;
  private INDArray codeCols;
  private INDArray logit;
  private INDArray gradQ;
  private INDArray gradOut;
  private double lastInfo = Double.NaN;
  // conditional model: the one-hot class beside z (InfoCodes with K values, no continuous code),
  // the classes of the last input, and D's projection head on the replica
  private InfoCodes classCodes;
  private int[] lastClasses;
  private INDArray classCols;
  private dev.agon.nn.Projection projection;

  /** A trainer without stabilisers. */
  public GeneratorTrainer(
      Network g, Network dReplica, Optimizer optimizer, GanObjective objective, long seed) {
    this(g, dReplica, optimizer, objective, seed, null, null);
  }

  /**
   * A trainer with the historical average {@code history} over G's parameters ({@code null}: none;
   * it may be set later with {@link #historicalAveraging}) and the weight EMA {@code ema} ({@code
   * null} or disabled: none).
   */
  public GeneratorTrainer(
      Network g,
      Network dReplica,
      Optimizer optimizer,
      GanObjective objective,
      long seed,
      HistoricalAverage history,
      EmaConfig ema) {
    if (history != null && history.numParams() != g.numParams()) {
      throw new IllegalArgumentException(
          "average over " + history.numParams() + " parameters, G has " + g.numParams());
    }
    this.g = g;
    this.dReplica = dReplica;
    this.optimizer = optimizer;
    this.objective = objective;
    this.seed = seed;
    this.history = history;
    this.averagingWindow = history == null ? 0 : history.window();
    if (ema != null && ema.enabled()) {
      if (!(ema.decay() >= 0 && ema.decay() < 1) || ema.start() < 0) {
        throw new IllegalArgumentException(
            "EMA decay must be in [0, 1) and start >= 0: " + ema.decay() + ", " + ema.start());
      }
      // Its initial values are never used: the average starts as a copy of G's weights.
      this.ema = g.replica();
      this.emaDecay = ema.decay();
      this.emaStart = ema.start();
    } else {
      this.ema = null;
      this.emaDecay = 0;
      this.emaStart = 0;
    }
  }

  /** The trainer of {@code c} for data of {@code dataDims} features per sample. */
  public static GeneratorTrainer create(AgonConfig c, int dataDims) {
    return create(c, new long[] {dataDims});
  }

  /** The trainer of {@code c} for samples of shape {@code sampleShape}. */
  public static GeneratorTrainer create(AgonConfig c, long[] sampleShape) {
    Network g = Factory.generator(c, sampleShape, Seeds.mix(c.seed(), Seeds.STREAM_INIT, 0));
    // The replica's initial parameters are never used: every G update first loads a D snapshot.
    // With spectral norm its u and v are, so it is built from D's seed and starts from D's u.
    long dSeed = c.model().spectralNorm() ? Seeds.mix(c.seed(), Seeds.STREAM_INIT, 1) : 0;
    Network dReplica = Factory.discriminator(c, sampleShape, dSeed);
    GeneratorTrainer t =
        new GeneratorTrainer(
            g,
            dReplica,
            Factory.optimizer(c.optim().generator(), g),
            Factory.objective(c.objective()),
            c.seed(),
            Factory.generatorAverage(c, g),
            c.stabilizers().generatorEma());
    t.learningRateSchedule(LearningRateSchedule.of(c.optim().generator().schedule()));
    t.momentumRamp(MomentumRamp.of(c.optim().generator()));
    t.averagingWindow = c.stabilizers().historicalAveraging().window();
    FeatureMatchingConfig fm = c.stabilizers().featureMatching();
    if (fm.enabled()) {
      int layer = fm.layer() < 0 ? dReplica.numLayers() + fm.layer() : fm.layer();
      if (layer < 0) {
        throw new IllegalArgumentException(
            "stabilizers.feature-matching.layer "
                + fm.layer()
                + " is outside D's "
                + dReplica.numLayers()
                + " layers");
      }
      t.featureMatching(new FeatureMatching(layer), () -> Factory.data(c), c.schedule().k());
    }
    if (c.model().conditional()) {
      t.conditional(new InfoCodes(c.objective().classes(), 0));
    }
    InfoGanConfig ig = c.model().infogan();
    if (ig.enabled()) {
      t.infoGan(
          new InfoCodes(ig.categorical(), ig.continuous()),
          new MutualInformation(ig.categorical(), ig.continuous(), ig.weight()));
    }
    return t;
  }

  /**
   * InfoGAN from the next call on: G's input is z (the first {@code inputs - K - C} columns) then
   * the codes, and G updates add {@code info}'s term through the replica's Q columns (D's output
   * columns after the logit).
   */
  public void infoGan(InfoCodes codes, MutualInformation info) {
    int inputs = (int) g.inputShape()[0];
    if (codes.width() != info.width()
        || inputs <= codes.width()
        || dReplica.outputShape()[0] != 1 + codes.width()) {
      throw new IllegalArgumentException(
          "InfoGAN needs G inputs z + "
              + codes.width()
              + " codes and D outputs 1 + "
              + codes.width()
              + "; G takes "
              + inputs
              + ", D gives "
              + dReplica.outputShape()[0]);
    }
    if (featureMatching != null) {
      throw new IllegalArgumentException("InfoGAN and feature matching cannot be combined");
    }
    this.codes = codes;
    this.info = info;
    this.latent = inputs - codes.width();
    rows = -1;
  }

  /**
   * The conditional model from the next call on: G's input is z then the one-hot class of each row,
   * drawn by {@code classes} from the noise's keys ({@link InfoCodes}), so D recomputes the classes
   * of its fake batches from the same keys; G updates give D replica's projection head the classes
   * G was given.
   */
  public void conditional(InfoCodes classes) {
    int inputs = (int) g.inputShape()[0];
    dev.agon.nn.Projection p = Factory.projection(dReplica);
    if (codes != null
        || classes.continuous() != 0
        || inputs <= classes.width()
        || p == null
        || p.numClasses() != classes.categorical()) {
      throw new IllegalArgumentException(
          "a conditional G needs "
              + classes.width()
              + " class columns and a projection D of as many classes");
    }
    this.classCodes = classes;
    this.projection = p;
    this.latent = inputs - classes.width();
    rows = -1;
  }

  /** The classes of the rows of the last input G drew (conditional model only), a copy. */
  public int[] lastClasses() {
    return lastClasses == null ? null : lastClasses.clone();
  }

  private void ensureBuffers(int b) {
    if (rows != b) {
      rows = b;
      z = Nd4j.create(g.dtype(), b, g.inputShape()[0]);
      // D's outputs per row the objective reads: 1, or K logits for the semi-supervised objective
      long[] out = dReplica.outputShape();
      gradLogits =
          Nd4j.create(
              g.dtype(), dReplica.outputRows(b), codes != null || out.length == 0 ? 1 : out[0]);
      if (classCodes != null) {
        noise = Nd4j.create(g.dtype(), b, latent);
        classCols =
            z.get(NDArrayIndex.all(), NDArrayIndex.interval(latent, latent + classCodes.width()));
      }
      if (codes != null) {
        int w = codes.width();
        noise = Nd4j.create(g.dtype(), b, latent);
        codeCols = z.get(NDArrayIndex.all(), NDArrayIndex.interval(latent, latent + w));
        logit = Nd4j.create(g.dtype(), b, 1);
        gradQ = Nd4j.create(g.dtype(), b, w);
        gradOut = Nd4j.create(g.dtype(), b, 1 + w);
      }
    }
  }

  /**
   * Fills G's input for noise ({@code stream}, {@code index}): z ~ N(0, I), then with InfoGAN the
   * codes keyed by the same stream and index ({@link InfoCodes}); z is the same values a run
   * without codes draws.
   */
  private void input(long stream, long index) {
    if (classCodes != null) {
      Noise.gaussian(noise, seed, stream, index);
      z.get(NDArrayIndex.all(), NDArrayIndex.interval(0, latent)).assign(noise);
      lastClasses = classCodes.fill(classCols, seed, stream, index);
      return;
    }
    if (codes == null) {
      Noise.gaussian(z, seed, stream, index);
      return;
    }
    Noise.gaussian(noise, seed, stream, index);
    z.get(NDArrayIndex.all(), NDArrayIndex.interval(0, latent)).assign(noise);
    codes.fill(codeCols, seed, stream, index);
  }

  /**
   * G's input {@code [n, inputs]} of noise ({@code stream}, {@code index}), a new array: z then,
   * with InfoGAN, the codes; what D recomputes from the same keys.
   */
  public INDArray input(long stream, long index, int n) {
    ensureBuffers(n);
    input(stream, index);
    return z.dup();
  }

  /**
   * One batch of {@code K * m} samples for a grid (InfoGAN only): row {@code v * m + j} is G of row
   * j of the samples stream's input {@code index} (z and continuous codes) with categorical value
   * v. All values share the batch: G's batch norm (training mode when sampling) would subtract a
   * code that is constant over its batch, making every value's samples the same. From the EMA
   * weights when it has started, like {@link #samples}.
   */
  public INDArray samplesByCategory(long index, int m) {
    // the conditional model's classes are a categorical code too: one row per class
    InfoCodes active = codes != null ? codes : classCodes;
    if (active == null || active.categorical() == 0) {
      throw new IllegalStateException("the run has no categorical InfoGAN code or class");
    }
    int k = active.categorical();
    INDArray base = input(Seeds.STREAM_SAMPLES, index, m);
    INDArray all = Nd4j.create(g.dtype(), (long) k * m, base.size(1));
    for (int v = 0; v < k; v++) {
      INDArray rows =
          all.get(NDArrayIndex.interval((long) v * m, (long) (v + 1) * m), NDArrayIndex.all());
      rows.assign(base);
      active.forceCategory(
          rows.get(NDArrayIndex.all(), NDArrayIndex.interval(latent, latent + active.width())), v);
    }
    return samplingNetwork().forward(all).dup();
  }

  /**
   * The InfoGAN categorical values, or the conditional model's classes (0 when neither: no
   * categorical code).
   */
  public int categoricalValues() {
    return codes != null ? codes.categorical() : classCodes != null ? classCodes.categorical() : 0;
  }

  /** {@code -E[log Q(c | G(z, c))]} of the last G update, unweighted; NaN when InfoGAN is off. */
  public double lastInfoLoss() {
    return lastInfo;
  }

  /**
   * The fake minibatch of D update {@code dStep} (1-based), as a new detached array; always from
   * the live weights.
   */
  public INDArray fakes(long dStep, int batchSize) {
    return generate(g, Seeds.STREAM_FAKES_FOR_D, dStep, batchSize);
  }

  /**
   * Samples for export and evaluation: batch {@code index} of the samples stream, from the EMA
   * weights when the EMA is enabled and has started, else from the live weights.
   */
  public INDArray samples(long index, int n) {
    return generate(samplingNetwork(), Seeds.STREAM_SAMPLES, index, n);
  }

  private Network samplingNetwork() {
    return emaStarted ? ema : g;
  }

  private INDArray generate(Network net, long stream, long index, int n) {
    ensureBuffers(n);
    input(stream, index);
    return net.forward(z).dup();
  }

  /**
   * G update {@code gStep} (1-based) against D parameters {@code dParams}: the gradient of the
   * objective's G loss flows through the frozen D replica (no D weight gradients) into G. The
   * returned loss excludes the historical-averaging penalty ({@link #lastPenalty()}).
   */
  public GLoss step(long gStep, INDArray dParams, int batchSize) {
    ensureBuffers(batchSize);
    dReplica.copyParamsFrom(dParams);
    // Parameters travel without D's spectral-norm vectors: the replica advances its own u, v,
    // once per G update (nothing without spectral norm); they are saved with G's checkpoint.
    dReplica.powerIteration();
    dReplica.noiseIndex(3 * gStep + 2); // D's own updates key their dropout with 3n and 3n + 1
    input(Seeds.STREAM_G_STEP, gStep);
    GLoss loss;
    if (info != null) {
      loss = infoStep();
    } else if (featureMatching == null) {
      INDArray x = g.forward(z);
      if (projection != null) {
        projection.classes(lastClasses);
      }
      INDArray logits = dReplica.forward(x);
      loss = objective.generator(logits, gradLogits);
      INDArray dx = dReplica.backward(gradLogits, false, true);
      g.backward(dx, true, false);
    } else {
      loss = featureMatchingStep(gStep, batchSize);
    }
    lastPenalty = HistoricalAverage.applyIfActive(history, gStep, g.params(), g.grads());
    if (ema != null && !emaStarted && gStep - 1 >= emaStart) {
      // The first version seen at or after the start is the one this update starts from.
      ema.params().assign(g.params());
      emaStarted = true;
    }
    lastGradNorm = g.grads().norm2Number().doubleValue();
    MomentumRamp.apply(momentumRamp, optimizer, gStep);
    lastLr = lrSchedule.step(optimizer, gStep, g.params(), g.grads());
    version = gStep;
    if (ema != null) {
      if (emaStarted) {
        blend(ema.params(), g.params(), emaDecay);
      } else if (gStep >= emaStart) {
        ema.params().assign(g.params());
        emaStarted = true;
      }
    }
    return loss;
  }

  /**
   * The adversarial G loss on D's logit column plus InfoGAN's term on its Q columns, both
   * backpropagated through the replica in one pass; the returned loss is the adversarial one.
   */
  private GLoss infoStep() {
    int w = codes.width();
    INDArray x = g.forward(z);
    INDArray out = dReplica.forward(x);
    logit.assign(out.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 1)));
    GLoss loss = objective.generator(logit, gradLogits);
    lastInfo =
        info.apply(out.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 1 + w)), codeCols, gradQ);
    gradOut.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 1)).assign(gradLogits);
    gradOut.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 1 + w)).assign(gradQ);
    INDArray dx = dReplica.backward(gradOut, false, true);
    g.backward(dx, true, false);
    return loss;
  }

  /**
   * Feature matching (Salimans et al. 2016, Sec. 3.1) replaces the adversarial G loss: the real
   * batch of G update i is the one D update k*i trained on (batch index k*i - 1 of {@code data}),
   * so the step is a pure function of the versions used, as the adversarial one is.
   */
  public void featureMatching(FeatureMatching fm, Supplier<BatchSource> data, int k) {
    if (info != null) {
      throw new IllegalArgumentException("InfoGAN and feature matching cannot be combined");
    }
    int layers = dReplica.numLayers();
    if (layers == 0) {
      throw new IllegalArgumentException(
          "feature matching needs a discriminator that exposes its layers (dcgan or"
              + " goodfellow2014), not "
              + dReplica.getClass().getSimpleName());
    }
    if (fm.layer() >= layers) {
      throw new IllegalArgumentException(
          "feature-matching layer " + fm.layer() + " is outside D's " + layers + " layers");
    }
    this.featureMatching = fm;
    this.realDataSupplier = data;
    this.realPerIteration = k;
  }

  private GLoss featureMatchingStep(long gStep, int batchSize) {
    int layer = featureMatching.layer();
    if (realData == null) {
      realData = realDataSupplier.get(); // loaded on first use: sampling-only trainers never do
    }
    INDArray real = realData.batch(realPerIteration * gStep - 1, batchSize).x();
    dReplica.forward(real);
    INDArray realFeatures = dReplica.activation(layer).dup();
    INDArray x = g.forward(z);
    INDArray logits = dReplica.forward(x);
    // d_fake as every other G update reports it, mean D(G(z)) in the objective's terms; the
    // objective's gradient lands in gradLogits unused (O(B K), beside two passes through D).
    double meanDFake = objective.generator(logits, gradLogits).meanDFake();
    INDArray fakeFeatures = dReplica.activation(layer);
    if (gradFeatures == null
        || !java.util.Arrays.equals(gradFeatures.shape(), fakeFeatures.shape())) {
      gradFeatures = Nd4j.create(fakeFeatures.dataType(), fakeFeatures.shape());
    }
    double loss = featureMatching.generator(realFeatures, fakeFeatures, gradFeatures);
    INDArray dx = dReplica.backwardFrom(layer, gradFeatures, false, true, false);
    g.backward(dx, true, false);
    return new GLoss(loss, meanDFake);
  }

  /** {@code avg = decay * avg + (1 - decay) * theta}, one fused pass in the element type. */
  static void blend(INDArray avg, INDArray theta, double decay) {
    int n = (int) avg.length();
    if (avg.dataType() == DataType.FLOAT) {
      FloatBuffer a = DenseAccess.floatBuffer(avg);
      FloatBuffer t = DenseAccess.floatBuffer(theta);
      float keep = (float) decay;
      float take = (float) (1.0 - decay);
      for (int i = 0; i < n; i++) {
        a.put(i, keep * a.get(i) + take * t.get(i));
      }
    } else {
      DoubleBuffer a = DenseAccess.doubleBuffer(avg);
      DoubleBuffer t = DenseAccess.doubleBuffer(theta);
      double take = 1.0 - decay;
      for (int i = 0; i < n; i++) {
        a.put(i, decay * a.get(i) + take * t.get(i));
      }
    }
  }

  /**
   * The historical-averaging penalty {@code lambda ||theta - mean||^2} of the last G update (part
   * of G's cost, not of {@link GLoss#loss()}); 0 when averaging is off or the update was inactive.
   */
  /** L2 norm of the gradient the last update applied (penalties included), before the optimizer. */
  public double lastGradNorm() {
    return lastGradNorm;
  }

  /** The learning rate the last update used (NaN before the first). */
  public double lastLearningRate() {
    return lastLr;
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

  public double lastPenalty() {
    return lastPenalty;
  }

  /** G's historical average, or {@code null} when off. */
  public HistoricalAverage historicalAverage() {
    return history;
  }

  /**
   * Sets the historical-averaging policy from the next update on: weight {@code lambda} and the
   * first active G update. Creates an empty average when there was none and {@code lambda > 0}; an
   * existing one keeps its mean.
   */
  public void historicalAveraging(double lambda, long start) {
    history = HistoricalAverage.withPolicy(history, g.numParams(), lambda, start, averagingWindow);
  }

  /** G updates applied so far: the last {@code gStep} stepped (0 before any). */
  public long version() {
    return version;
  }

  /** Sets {@link #version()}, e.g. after loading the weights of G version {@code v}. */
  public void version(long v) {
    if (v < 0) {
      throw new IllegalArgumentException("version must be >= 0: " + v);
    }
    version = v;
  }

  /** Whether the generator EMA is enabled (it may not have started yet). */
  public boolean emaEnabled() {
    return ema != null;
  }

  /**
   * The spectral-norm vectors (u, v) of G's D replica, live, or null when D has no spectral norm:
   * the replica advances them once per G update, so they are part of G's state.
   */
  public INDArray discriminatorReplicaState() {
    return dReplica.spectralNorm() ? dReplica.state() : null;
  }

  /**
   * The EMA weights {@code [1, numParams]}, live, not a copy ({@code dup()} it to keep), for
   * checkpoints; {@code null} when the EMA is off or has not started.
   */
  public INDArray emaParams() {
    return emaStarted ? ema.params() : null;
  }

  /**
   * Loads EMA weights (e.g. from a checkpoint; any shape with {@code numParams} elements): the EMA
   * counts as started and {@link #samples} uses it.
   *
   * @throws IllegalStateException when the EMA is not enabled
   */
  public void restoreEma(INDArray params) {
    if (ema == null) {
      throw new IllegalStateException("the generator EMA is not enabled");
    }
    ema.copyParamsFrom(params);
    emaStarted = true;
  }

  /**
   * A detached copy of the weights {@link #samples} uses (the EMA when enabled and started, else
   * the live weights), with its kind and {@link #version()}: what an evaluator should score.
   */
  public GeneratorWeights evaluationSnapshot() {
    return emaStarted
        ? new GeneratorWeights(GeneratorWeights.Kind.EMA, version, ema.params().dup())
        : new GeneratorWeights(GeneratorWeights.Kind.LIVE, version, g.params().dup());
  }

  public INDArray params() {
    return g.params();
  }

  public INDArray snapshot() {
    return g.params().dup();
  }

  public Network network() {
    return g;
  }

  public Optimizer optimizer() {
    return optimizer;
  }
}
