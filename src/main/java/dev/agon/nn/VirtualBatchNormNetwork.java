package dev.agon.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A network with {@link VirtualBatchNorm} layers and its fixed reference batch (Salimans et al.
 * 2016, Sec. 3.4). Before every forward pass the reference batch goes through the current weights
 * and each VBN layer records its statistics ({@link VirtualBatchNorm#recordReferences}), so a layer
 * normalises with the reference statistics of the weights it is applied with. The backward pass
 * treats those statistics as constants (the paper also differentiates through them); the example's
 * own share of the statistics is differentiated.
 *
 * <p>The reference batch is network input chosen once (e.g. generator noise keyed by the run seed),
 * held here and shared by {@link #replica()}, so every copy (EMA, evaluation, a resumed run) uses
 * the same one. Cost: one extra forward pass of the reference batch per forward pass.
 */
public final class VirtualBatchNormNetwork implements Network {
  private final Sequential net;
  private final INDArray reference;

  /** {@code net} (holding VBN layers) with reference input {@code reference} ({@code [R, ...]}). */
  public VirtualBatchNormNetwork(Sequential net, INDArray reference) {
    if (net.layers().stream().noneMatch(l -> l instanceof VirtualBatchNorm)) {
      throw new IllegalArgumentException("the network has no virtual batch norm layer");
    }
    this.net = net;
    this.reference = reference;
  }

  public Sequential network() {
    return net;
  }

  /** The reference input batch (shared, do not modify). */
  public INDArray reference() {
    return reference;
  }

  @Override
  public INDArray forward(INDArray x) {
    VirtualBatchNorm.recordReferences(
        net.layers(), reference, new Layer.Context(net.training(), net.seed(), 0));
    return net.forward(x);
  }

  @Override
  public INDArray backward(
      INDArray dOut, boolean paramGrads, boolean inputGrad, boolean accumulate) {
    return net.backward(dOut, paramGrads, inputGrad, accumulate);
  }

  @Override
  public long numParams() {
    return net.numParams();
  }

  @Override
  public DataType dtype() {
    return net.dtype();
  }

  @Override
  public INDArray params() {
    return net.params();
  }

  @Override
  public INDArray grads() {
    return net.grads();
  }

  @Override
  public long[] inputShape() {
    return net.inputShape();
  }

  @Override
  public long[] outputShape() {
    return net.outputShape();
  }

  @Override
  public INDArray state() {
    return net.state();
  }

  @Override
  public void training(boolean on) {
    net.training(on);
  }

  @Override
  public boolean training() {
    return net.training();
  }

  @Override
  public void noiseIndex(long index) {
    net.noiseIndex(index);
  }

  @Override
  public int numLayers() {
    return net.numLayers();
  }

  @Override
  public INDArray activation(int index) {
    return net.activation(index);
  }

  @Override
  public INDArray backwardFrom(
      int index, INDArray dAct, boolean paramGrads, boolean inputGrad, boolean accumulate) {
    return net.backwardFrom(index, dAct, paramGrads, inputGrad, accumulate);
  }

  @Override
  public VirtualBatchNormNetwork replica() {
    return new VirtualBatchNormNetwork(net.replica(), reference);
  }
}
