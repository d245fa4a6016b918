package dev.agon.nn;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Packing (PacGAN, Lin et al., NeurIPS 2018): the discriminator judges {@code m} samples at once,
 * concatenated, so that a generator that repeats itself is caught by the lack of variety inside a
 * pack. Wraps a network {@code inner} built for packs: its per-row input is {@code m} samples
 * joined along the first sample dimension (channels of an image, {@code [m C, H, W]}; the features
 * of a vector, {@code [m d]}), which for a c-ordered batch {@code [B, C, ...]} is the reshape to
 * {@code [B / m, m C, ...]}: rows {@code m i .. m i + m - 1} form pack {@code i}, no copy for dense
 * input. The paper packs this way (its D's first layer sees the m samples' channels side by side).
 *
 * <p>So a batch of B samples gives {@link #outputRows(long) B / m} outputs, one per pack; B must be
 * a multiple of m. The input gradient comes back per sample ({@code [B, C, ...]}). Everything else
 * (parameters, state, modes, spectral norm) is the inner network's; it exposes no layers and no
 * Jacobian-vector product (feature matching and gradient penalties are not offered with it).
 */
public final class Packed implements Network {
  private final Network inner;
  private final int m;
  private final long[] sampleShape;

  /**
   * Packs of {@code m} (>= 2) samples of shape {@code sampleShape} through {@code inner}, whose
   * input shape must be {@code sampleShape} with its first dimension times {@code m}.
   */
  public Packed(Network inner, int m, long[] sampleShape) {
    if (m < 2) {
      throw new IllegalArgumentException("a pack holds at least 2 samples, got " + m);
    }
    long[] packed = sampleShape.clone();
    packed[0] *= m;
    if (!Arrays.equals(inner.inputShape(), packed)) {
      throw new IllegalArgumentException(
          "packs of "
              + m
              + " samples "
              + Arrays.toString(sampleShape)
              + " need input "
              + Arrays.toString(packed)
              + ", the network takes "
              + Arrays.toString(inner.inputShape()));
    }
    this.inner = inner;
    this.m = m;
    this.sampleShape = sampleShape.clone();
  }

  /** Samples per pack. */
  public int pack() {
    return m;
  }

  /** The network that sees the packs. */
  public Network inner() {
    return inner;
  }

  @Override
  public long outputRows(long inputRows) {
    if (inputRows % m != 0) {
      throw new IllegalArgumentException(
          "a batch of " + inputRows + " samples does not split into packs of " + m);
    }
    return inputRows / m;
  }

  /** {@code x} ({@code [B, sample...]}) as {@code [B / m, m sample[0], sample[1..]]}. */
  private INDArray packs(INDArray x) {
    long[] s = new long[x.rank()];
    s[0] = outputRows(x.size(0));
    s[1] = x.size(1) * m;
    for (int i = 2; i < s.length; i++) {
      s[i] = x.size(i);
    }
    return x.reshape('c', s);
  }

  /** A packed input gradient back per sample, {@code [B, sample...]}. */
  private INDArray samples(INDArray packed) {
    if (packed == null) {
      return null;
    }
    long[] s = new long[sampleShape.length + 1];
    s[0] = packed.size(0) * m;
    System.arraycopy(sampleShape, 0, s, 1, sampleShape.length);
    return packed.reshape('c', s);
  }

  @Override
  public INDArray forward(INDArray x) {
    return inner.forward(packs(x));
  }

  @Override
  public INDArray backward(
      INDArray dOut, boolean paramGrads, boolean inputGrad, boolean accumulate) {
    return samples(inner.backward(dOut, paramGrads, inputGrad, accumulate));
  }

  @Override
  public long[] inputShape() {
    return sampleShape.clone();
  }

  @Override
  public long[] outputShape() {
    return inner.outputShape();
  }

  @Override
  public long numParams() {
    return inner.numParams();
  }

  @Override
  public DataType dtype() {
    return inner.dtype();
  }

  @Override
  public INDArray params() {
    return inner.params();
  }

  @Override
  public INDArray grads() {
    return inner.grads();
  }

  @Override
  public void copyParamsFrom(INDArray flat) {
    inner.copyParamsFrom(flat);
  }

  @Override
  public INDArray state() {
    return inner.state();
  }

  @Override
  public void training(boolean on) {
    inner.training(on);
  }

  @Override
  public boolean training() {
    return inner.training();
  }

  @Override
  public void noiseIndex(long index) {
    inner.noiseIndex(index);
  }

  @Override
  public void powerIteration() {
    inner.powerIteration();
  }

  @Override
  public boolean spectralNorm() {
    return inner.spectralNorm();
  }

  @Override
  public boolean batchCoupled() {
    return inner.batchCoupled();
  }

  @Override
  public Network replica() {
    return new Packed(inner.replica(), m, sampleShape);
  }

  @Override
  public String toString() {
    return "Packed[" + m + " x " + Arrays.toString(sampleShape) + ", " + inner + "]";
  }
}
