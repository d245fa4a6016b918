package dev.agon.eval;

import dev.agon.tensor.DenseAccess;
import dev.agon.tensor.LogSumExp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Mean softmax cross-entropy over a batch of logits {@code [N, K]} with integer labels, and its
 * gradient with respect to the logits, computed in double through a stable log-softmax: {@code log
 * p_k = z_k - m - log sum_j exp(z_j - m)} with {@code m = max_j z_j}, so large logits neither
 * overflow nor lose the small probabilities.
 *
 * <p>{@code L = -(1/N) sum_i log p_{i, y_i}}; {@code dL/dz_{ik} = (p_{ik} - [k = y_i]) / N}.
 */
public final class SoftmaxCrossEntropy {
  private SoftmaxCrossEntropy() {}

  /**
   * The mean loss; when {@code dLogits} is not null (a dense array of the logits' shape and dtype)
   * the gradient is written into it.
   */
  public static double loss(INDArray logits, int[] labels, INDArray dLogits) {
    if (logits.rank() != 2 || logits.size(0) != labels.length) {
      throw new IllegalArgumentException(
          "expected logits [" + labels.length + ", K], got " + logits.shapeInfoToString());
    }
    int n = labels.length;
    int k = (int) logits.size(1);
    double[] z = new double[n * k];
    DenseAccess.read(logits, z);
    double[] g = dLogits == null ? null : new double[n * k];
    double total = 0;
    for (int i = 0; i < n; i++) {
      int y = labels[i];
      if (y < 0 || y >= k) {
        throw new IllegalArgumentException(
            "label " + y + " of sample " + i + " not in [0, " + k + ")");
      }
      int row = i * k;
      double logSum = LogSumExp.of(z, row, k);
      total -= z[row + y] - logSum;
      if (g != null) {
        for (int j = 0; j < k; j++) {
          g[row + j] = Math.exp(z[row + j] - logSum) / n;
        }
        g[row + y] -= 1.0 / n;
      }
    }
    if (g != null) {
      dLogits.assign(Nd4j.create(g, new long[] {n, k}).castTo(dLogits.dataType()));
    }
    return total / n;
  }

  /** Row-wise softmax of {@code [N, K]} logits, in double, c-order {@code [N·K]}. */
  public static double[] softmax(INDArray logits) {
    int n = (int) logits.size(0);
    int k = (int) logits.size(1);
    double[] z = new double[n * k];
    DenseAccess.read(logits, z);
    for (int i = 0; i < n; i++) {
      int row = i * k;
      double logSum = LogSumExp.of(z, row, k);
      for (int j = 0; j < k; j++) {
        z[row + j] = Math.exp(z[row + j] - logSum);
      }
    }
    return z;
  }
}
