package dev.agon.train;

import dev.agon.config.AgonConfig;
import dev.agon.nn.Mlp;
import dev.agon.nn.Optimizer;
import dev.agon.objective.DLoss;
import dev.agon.objective.GanObjective;
import dev.agon.tensor.Seeds;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * One discriminator update (Goodfellow et al. 2014, Algorithm 1, inner loop): a gradient step on
 * the objective's D loss over a real and a fake minibatch. Real and fake rows go through D as one
 * [2B, d] batch (one GEMM per layer instead of two); without batch statistics in D this is the same
 * gradient as two passes. Not thread-safe: one owner.
 */
public final class DiscriminatorTrainer {
  private final Mlp d;
  private final Optimizer optimizer;
  private final GanObjective objective;
  private int rows = -1;
  private INDArray both;
  private INDArray grad;
  private INDArray bothReal;
  private INDArray bothFake;
  private INDArray gradReal;
  private INDArray gradFake;

  public DiscriminatorTrainer(Mlp d, Optimizer optimizer, GanObjective objective) {
    this.d = d;
    this.optimizer = optimizer;
    this.objective = objective;
  }

  public static DiscriminatorTrainer create(AgonConfig c, int dataDims) {
    Mlp d =
        Mlp.create(
            Factory.discriminatorSpec(c, dataDims),
            Seeds.mix(c.seed(), Seeds.STREAM_INIT, 1),
            DataType.FLOAT);
    return new DiscriminatorTrainer(
        d, Factory.optimizer(c.optim().discriminator(), d), Factory.objective(c.objective()));
  }

  /** Applies one update; {@code real} and {@code fake} are [B, d] and are not modified. */
  public DLoss step(INDArray real, INDArray fake) {
    int b = real.rows();
    if (fake.rows() != b) {
      throw new IllegalArgumentException(
          "real and fake batches differ: " + b + " vs " + fake.rows());
    }
    ensureBuffers(b, real.columns());
    bothReal.assign(real);
    bothFake.assign(fake);
    INDArray logits = d.forward(both);
    DLoss loss =
        objective.discriminator(
            logits.get(NDArrayIndex.interval(0, b), NDArrayIndex.all()),
            logits.get(NDArrayIndex.interval(b, 2 * b), NDArrayIndex.all()),
            gradReal,
            gradFake);
    d.backward(grad, true, false);
    optimizer.step(d.params(), d.grads());
    return loss;
  }

  private void ensureBuffers(int b, int dims) {
    if (rows == b) {
      return;
    }
    rows = b;
    both = Nd4j.create(d.dtype(), 2L * b, dims);
    grad = Nd4j.create(d.dtype(), 2L * b, 1);
    bothReal = both.get(NDArrayIndex.interval(0, b), NDArrayIndex.all());
    bothFake = both.get(NDArrayIndex.interval(b, 2 * b), NDArrayIndex.all());
    gradReal = grad.get(NDArrayIndex.interval(0, b), NDArrayIndex.all());
    gradFake = grad.get(NDArrayIndex.interval(b, 2 * b), NDArrayIndex.all());
  }

  /** The live parameters (do not send: {@link #snapshot()} is the detached copy). */
  public INDArray params() {
    return d.params();
  }

  /** A detached copy of the parameters, safe to hand to another thread. */
  public INDArray snapshot() {
    return d.params().dup();
  }

  public Mlp network() {
    return d;
  }

  public Optimizer optimizer() {
    return optimizer;
  }
}
