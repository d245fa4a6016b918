package dev.agon.train;

import dev.agon.config.AgonConfig;
import dev.agon.nn.Mlp;
import dev.agon.nn.Optimizer;
import dev.agon.objective.GLoss;
import dev.agon.objective.GanObjective;
import dev.agon.tensor.Noise;
import dev.agon.tensor.Seeds;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The generator's side of Algorithm 1 (Goodfellow et al. 2014): fake minibatches for D updates, and
 * G updates through a frozen replica of D holding a parameter snapshot. Noise is keyed by (seed,
 * stream, step), so the fakes of D update n and the noise of G update i are the same whichever
 * thread or process computes them. Not thread-safe: one owner.
 */
public final class GeneratorTrainer {
  private final Mlp g;
  private final Mlp dReplica;
  private final Optimizer optimizer;
  private final GanObjective objective;
  private final long seed;
  private int rows = -1;
  private INDArray z;
  private INDArray gradLogits;

  public GeneratorTrainer(
      Mlp g, Mlp dReplica, Optimizer optimizer, GanObjective objective, long seed) {
    this.g = g;
    this.dReplica = dReplica;
    this.optimizer = optimizer;
    this.objective = objective;
    this.seed = seed;
  }

  public static GeneratorTrainer create(AgonConfig c, int dataDims) {
    Mlp g =
        Mlp.create(
            Factory.generatorSpec(c, dataDims),
            Seeds.mix(c.seed(), Seeds.STREAM_INIT, 0),
            DataType.FLOAT);
    // The replica's initial values are never used: every G update first loads a D snapshot.
    Mlp dReplica = Mlp.create(Factory.discriminatorSpec(c, dataDims), 0, DataType.FLOAT);
    return new GeneratorTrainer(
        g,
        dReplica,
        Factory.optimizer(c.optim().generator(), g),
        Factory.objective(c.objective()),
        c.seed());
  }

  private void ensureBuffers(int b) {
    if (rows != b) {
      rows = b;
      z = Nd4j.create(g.dtype(), b, g.spec().inputDim());
      gradLogits = Nd4j.create(g.dtype(), b, 1);
    }
  }

  /** The fake minibatch of D update {@code dStep} (1-based), as a new detached array. */
  public INDArray fakes(long dStep, int batchSize) {
    return generate(Seeds.STREAM_FAKES_FOR_D, dStep, batchSize);
  }

  /** Samples for export and evaluation: batch {@code index} of the samples stream. */
  public INDArray samples(long index, int n) {
    return generate(Seeds.STREAM_SAMPLES, index, n);
  }

  private INDArray generate(long stream, long index, int n) {
    ensureBuffers(n);
    Noise.gaussian(z, seed, stream, index);
    return g.forward(z).dup();
  }

  /**
   * G update {@code gStep} (1-based) against D parameters {@code dParams}: the gradient of the
   * objective's G loss flows through the frozen D replica (no D weight gradients) into G.
   */
  public GLoss step(long gStep, INDArray dParams, int batchSize) {
    ensureBuffers(batchSize);
    dReplica.copyParamsFrom(dParams);
    Noise.gaussian(z, seed, Seeds.STREAM_G_STEP, gStep);
    INDArray x = g.forward(z);
    INDArray logits = dReplica.forward(x);
    GLoss loss = objective.generator(logits, gradLogits);
    INDArray dx = dReplica.backward(gradLogits, false, true);
    g.backward(dx, true, false);
    optimizer.step(g.params(), g.grads());
    return loss;
  }

  public INDArray params() {
    return g.params();
  }

  public INDArray snapshot() {
    return g.params().dup();
  }

  public Mlp network() {
    return g;
  }

  public Optimizer optimizer() {
    return optimizer;
  }
}
