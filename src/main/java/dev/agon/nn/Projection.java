package dev.agon.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The projection discriminator's head (Miyato and Koyama 2018) in place of D's last linear layer:
 * {@code [B, F] -> [B, 1]}, {@code D(x, y) = phi w + b + <E[y], phi>} with {@code phi} the layer's
 * input (D's last hidden features) and {@code y} each row's class, set by {@link #classes} before
 * every forward pass (real rows: the batch's labels; fake rows: the keyed classes G was given).
 * Parameters: {@code w} ({@code F x 1}), {@code b} (1), then the class embedding {@code E} ({@code
 * K x F}, row-major), so checkpoints, replicas and optimizers see them as any layer's. E starts at
 * 0 (D starts unconditional and learns the classes). Cost: two [B, K] x [K, F] GEMMs per pass
 * through a one-hot matrix of the classes, beside the [B, F] x [F, 1] of the plain head.
 */
public final class Projection implements Layer {
  private final int features;
  private final int classes;
  private final Init init;
  private final DataType dtype;

  private INDArray weight;
  private INDArray bias;
  private INDArray embed;
  private INDArray weightGrad;
  private INDArray biasGrad;
  private INDArray embedGrad;

  private int[] next;
  private INDArray lastInput;
  private INDArray lastOneHot;
  private INDArray lastEmbedded;

  public Projection(int features, int classes, Init init, DataType dtype) {
    Shapes.checkDtype(dtype);
    if (features <= 0 || classes < 2) {
      throw new IllegalArgumentException("F >= 1, K >= 2: " + features + ", " + classes);
    }
    this.features = features;
    this.classes = classes;
    this.init = init;
    this.dtype = dtype;
  }

  /** Number of classes K (rows of the embedding). */
  public int numClasses() {
    return classes;
  }

  /**
   * The classes of the rows of the next forward passes, each in [0, K); kept (not copied) until
   * replaced.
   */
  public void classes(int[] y) {
    for (int c : y) {
      if (c < 0 || c >= classes) {
        throw new IllegalArgumentException("class " + c + " outside [0, " + classes + ")");
      }
    }
    next = y;
  }

  @Override
  public long[] inputShape() {
    return new long[] {features};
  }

  @Override
  public long[] outputShape() {
    return new long[] {1};
  }

  @Override
  public long numParams() {
    return features + 1L + (long) classes * features;
  }

  @Override
  public void bind(INDArray params, INDArray grads, INDArray state) {
    Vectors.checkPair(params, grads, numParams(), dtype);
    weight = Shapes.view(params, 0, features, 1);
    weightGrad = Shapes.view(grads, 0, features, 1);
    bias = Shapes.view(params, features, 1, 1);
    biasGrad = Shapes.view(grads, features, 1, 1);
    embed = Shapes.view(params, features + 1L, classes, features);
    embedGrad = Shapes.view(grads, features + 1L, classes, features);
  }

  /** The embedding view {@code [K, F]}. */
  public INDArray embedding() {
    return embed;
  }

  @Override
  public void initialize(long seed, long stream) {
    init.weightAndBias(weight, bias, features, seed, stream);
    embed.assign(0);
  }

  @Override
  public INDArray forward(INDArray x, Context ctx) {
    int batch = Shapes.check("input", x, inputShape(), dtype, 0);
    if (next == null || next.length != batch) {
      throw new IllegalStateException(
          "projection head: "
              + (next == null ? "no classes" : next.length + " classes")
              + " for "
              + batch
              + " rows");
    }
    INDArray oneHot = Nd4j.create(dtype, batch, classes);
    for (int r = 0; r < batch; r++) {
      oneHot.putScalar(r, next[r], 1.0);
    }
    INDArray embedded = Nd4j.gemm(oneHot, embed, false, false); // E[y], [B, F]
    INDArray y = Nd4j.gemm(x, weight, false, false).addi(bias.getDouble(0));
    y.addi(x.mul(embedded).sum(true, 1));
    lastInput = x;
    lastOneHot = oneHot;
    lastEmbedded = embedded;
    return y;
  }

  @Override
  public INDArray backward(
      INDArray dOut, boolean paramGrads, boolean inputGrad, boolean accumulate) {
    if (lastInput == null) {
      throw new IllegalStateException("backward without forward");
    }
    Shapes.check("dOut", dOut, outputShape(), dtype, (int) lastInput.size(0));
    if (paramGrads) {
      double beta = accumulate ? 1.0 : 0.0;
      Gemm.gemm(lastInput, dOut, weightGrad, true, false, 1.0, beta);
      double db = dOut.sumNumber().doubleValue();
      biasGrad.assign(accumulate ? biasGrad.getDouble(0) + db : db);
      // dE[k] = sum over rows of class k of dOut_r phi_r: one-hot^T (dOut * phi)
      Gemm.gemm(lastOneHot, lastInput.mulColumnVector(dOut), embedGrad, true, false, 1.0, beta);
    }
    if (!inputGrad) {
      return null;
    }
    return lastEmbedded.addRowVector(weight.reshape(1, features)).muliColumnVector(dOut);
  }
}
