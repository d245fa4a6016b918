package dev.agon.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agon.nn.Activation;
import dev.agon.nn.Mlp;
import dev.agon.nn.MlpSpec;
import dev.agon.nn.Network;
import dev.agon.nn.SgdMomentum;
import dev.agon.objective.DLoss;
import dev.agon.objective.StandardGan;
import dev.agon.tensor.Noise;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A discriminator with batch statistics sees real and fake batches in separate passes. For a
 * network without them the two ways compute the same gradient, so the separate-pass path is checked
 * against the joint one on an MLP that only claims to be batch-coupled.
 */
class SeparatePassesTest {
  private static final MlpSpec SPEC =
      new MlpSpec(3, List.of(8, 5), 1, Activation.LEAKY_RELU, Activation.IDENTITY, 0.2);

  @Test
  void separatePassesGiveTheJointGradient() {
    Mlp joint = Mlp.create(SPEC, 7, DataType.DOUBLE);
    Mlp inner = Mlp.create(SPEC, 7, DataType.DOUBLE);
    Network coupled = new Coupled(inner);
    INDArray real = Nd4j.create(DataType.DOUBLE, 6, 3);
    INDArray fake = Nd4j.create(DataType.DOUBLE, 6, 3);
    Noise.gaussian(real, 1, 0, 0);
    Noise.gaussian(fake, 1, 0, 1);
    StandardGan gan = new StandardGan(StandardGan.GeneratorLoss.NON_SATURATING);
    var a =
        new DiscriminatorTrainer(
            joint, new SgdMomentum(joint.numParams(), DataType.DOUBLE, 0.1, 0.9, false), gan);
    var b =
        new DiscriminatorTrainer(
            coupled, new SgdMomentum(inner.numParams(), DataType.DOUBLE, 0.1, 0.9, false), gan);
    for (int step = 0; step < 3; step++) {
      DLoss la = a.step(real, fake);
      DLoss lb = b.step(real, fake);
      assertThat(lb.loss()).isCloseTo(la.loss(), org.assertj.core.data.Offset.offset(1e-12));
      double diff = joint.params().sub(inner.params()).amaxNumber().doubleValue();
      assertThat(diff).isLessThan(1e-12);
    }
    // and the parameters did move
    assertThat(joint.params().equalsWithEps(Mlp.create(SPEC, 7, DataType.DOUBLE).params(), 1e-6))
        .isFalse();
  }

  /** Delegates to an MLP but reports batch coupling, so the trainer takes the separate path. */
  record Coupled(Mlp m) implements Network {
    @Override
    public long numParams() {
      return m.numParams();
    }

    @Override
    public DataType dtype() {
      return m.dtype();
    }

    @Override
    public INDArray params() {
      return m.params();
    }

    @Override
    public INDArray grads() {
      return m.grads();
    }

    @Override
    public long[] inputShape() {
      return m.inputShape();
    }

    @Override
    public long[] outputShape() {
      return m.outputShape();
    }

    @Override
    public boolean batchCoupled() {
      return true;
    }

    @Override
    public INDArray forward(INDArray x) {
      return m.forward(x);
    }

    @Override
    public INDArray backward(INDArray dOut, boolean p, boolean i, boolean accumulate) {
      return m.backward(dOut, p, i, accumulate);
    }

    @Override
    public Network replica() {
      return new Coupled(m.replica());
    }
  }
}
