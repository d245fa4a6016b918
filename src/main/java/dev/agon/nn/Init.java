package dev.agon.nn;

import dev.agon.tensor.Noise;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Initialisation schemes of the parametrised layers. Values are drawn in DOUBLE from {@link Noise}
 * keyed by {@code (seed, layer index, k)} ({@code k = 0} for the weight or batch-norm scale, 1 for
 * the bias) and rounded to the network's dtype, so they depend only on the seed and the layer's
 * position, and a FLOAT network holds its DOUBLE twin's values rounded. Schemes are compared by
 * identity: {@link #PYTORCH}, {@link #DCGAN}, or one made by {@link #uniform}.
 */
public final class Init {
  /**
   * PyTorch's defaults: weights and biases of {@code nn.Linear}, {@code nn.Conv2d} and {@code
   * nn.ConvTranspose2d} from {@code U(-1/sqrt(fan_in), 1/sqrt(fan_in))}, where {@code fan_in} is
   * PyTorch's: inputs for linear layers, {@code in_channels * k * k} for convolutions and {@code
   * out_channels * k * k} for transposed convolutions (PyTorch reads dimension 1 of the weight);
   * batch-norm scale 1, shift 0 (the draws of {@link Mlp#create}, keyed by layer index).
   */
  public static final Init PYTORCH = new Init("pytorch", 0.0);

  /**
   * Radford et al. 2016 (DCGAN): linear and convolution weights from {@code N(0, 0.02)}, batch-norm
   * scale from {@code N(1, 0.02)}, biases and batch-norm shift 0.
   */
  public static final Init DCGAN = new Init("dcgan", 0.0);

  private final String name;
  private final double range;

  private Init(String name, double range) {
    this.name = name;
    this.range = range;
  }

  /**
   * pylearn2's {@code irange}, the scheme of Goodfellow et al. 2014's released code: weights from
   * {@code U(-range, range)} whatever the fan-in, biases 0 (batch-norm scale 1, shift 0).
   */
  public static Init uniform(double range) {
    if (!(range > 0) || Double.isInfinite(range)) {
      throw new IllegalArgumentException("range must be finite and > 0, got " + range);
    }
    return new Init("uniform", range);
  }

  /** Writes {@code U(-bound, bound)} into {@code target}. */
  static void uniform(INDArray target, double bound, long seed, long stream, long index) {
    INDArray u = Nd4j.create(DataType.DOUBLE, target.shape());
    Noise.uniform(u, seed, stream, index);
    target.assign(u.muli(2.0 * bound).subi(bound));
  }

  /** Writes {@code N(mean, std^2)} into {@code target}. */
  static void gaussian(
      INDArray target, double mean, double std, long seed, long stream, long index) {
    INDArray u = Nd4j.create(DataType.DOUBLE, target.shape());
    Noise.gaussian(u, seed, stream, index);
    target.assign(u.muli(std).addi(mean));
  }

  /** Initialises a weight (and optional bias) by this scheme; {@code fanIn} as PyTorch reads it. */
  void weightAndBias(INDArray weight, INDArray bias, long fanIn, long seed, long stream) {
    if (this == PYTORCH) {
      double bound = 1.0 / Math.sqrt(fanIn);
      uniform(weight, bound, seed, stream, 0);
      if (bias != null) {
        uniform(bias, bound, seed, stream, 1);
      }
    } else if (this == DCGAN) {
      gaussian(weight, 0.0, 0.02, seed, stream, 0);
      if (bias != null) {
        bias.assign(0.0);
      }
    } else {
      uniform(weight, range, seed, stream, 0);
      if (bias != null) {
        bias.assign(0.0);
      }
    }
  }

  @Override
  public String toString() {
    return range == 0.0 ? name : String.format(Locale.ROOT, "%s(%g)", name, range);
  }
}
