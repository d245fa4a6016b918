package dev.agon.train;

import dev.agon.nn.Optimizer;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Optimizers with known effects, for checking what the trainers do around the optimizer step. */
final class Stubs {
  private Stubs() {}

  /** Step t (1-based) sets every parameter to {@code values[t-1]}; ignores the gradient. */
  static final class Assign implements Optimizer {
    private final double[] values;
    private long steps;

    Assign(double... values) {
      this.values = values;
    }

    @Override
    public void step(INDArray params, INDArray grads) {
      params.assign(values[(int) steps]);
      steps++;
    }

    @Override
    public double learningRate() {
      return 0;
    }

    @Override
    public void learningRate(double lr) {}

    @Override
    public long steps() {
      return steps;
    }

    @Override
    public INDArray state() {
      return Nd4j.empty(DataType.FLOAT);
    }

    @Override
    public void restore(INDArray state, long steps) {
      this.steps = steps;
    }
  }

  /** Plain SGD, {@code p -= lr g}, keeping a copy of every gradient it was given. */
  static final class Recording implements Optimizer {
    final List<INDArray> grads = new ArrayList<>();
    private final double lr;

    Recording(double lr) {
      this.lr = lr;
    }

    @Override
    public void step(INDArray params, INDArray g) {
      grads.add(g.dup());
      params.subi(g.mul(lr));
    }

    @Override
    public double learningRate() {
      return lr;
    }

    @Override
    public void learningRate(double lr) {}

    @Override
    public long steps() {
      return grads.size();
    }

    @Override
    public INDArray state() {
      return Nd4j.empty(DataType.FLOAT);
    }

    @Override
    public void restore(INDArray state, long steps) {}
  }
}
