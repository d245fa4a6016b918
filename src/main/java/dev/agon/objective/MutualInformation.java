package dev.agon.objective;

import dev.agon.tensor.DenseAccess;
import dev.agon.tensor.LogSumExp;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * InfoGAN's mutual-information term (Chen et al. 2016, Sec. 5): the negative of the variational
 * lower bound's expectation, {@code -E[log Q(c | G(z, c))]}, over a batch of fakes whose codes are
 * known. Q's outputs per row are {@code K} logits of the categorical code (a softmax) then {@code
 * C} means of the continuous codes under a Gaussian with fixed unit variance (the paper's simplest
 * choice: no variance head, so the continuous term is a squared error plus a constant). A code row
 * is the one-hot categorical value then the C continuous values.
 *
 * <p>Both players minimise {@code weight * loss} on top of their adversarial loss: Q (D's extra
 * columns) with D's update, G through the frozen D/Q replica. The entropy H(c) that completes the
 * bound is constant and left out. Cost: O(B (K + C)) in double on the host, negligible beside the
 * networks.
 */
public final class MutualInformation {
  private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);
  private final int categorical;
  private final int continuous;
  private final double weight;

  /**
   * @param categorical K, the categorical code's values (0: none, else at least 2)
   * @param continuous C, the continuous codes (0: none)
   * @param weight lambda, the factor of the gradient {@link #apply} writes
   */
  public MutualInformation(int categorical, int continuous, double weight) {
    if (categorical < 0 || categorical == 1 || continuous < 0 || categorical + continuous == 0) {
      throw new IllegalArgumentException(
          "need K = 0 or K >= 2, C >= 0 and a code: K = " + categorical + ", C = " + continuous);
    }
    if (!(weight >= 0)) {
      throw new IllegalArgumentException("weight must be >= 0: " + weight);
    }
    this.categorical = categorical;
    this.continuous = continuous;
    this.weight = weight;
  }

  /** Q's columns and the code columns per row: K + C. */
  public int width() {
    return categorical + continuous;
  }

  public double weight() {
    return weight;
  }

  /**
   * The mean over rows of {@code -log Q(c | x)} in nats (constants included, unweighted), and
   * {@code weight} times its gradient with respect to {@code q} into {@code grad}.
   *
   * @param q Q's outputs {@code [B, K + C]} (views allowed; not modified)
   * @param codes the codes G used {@code [B, K + C]}
   * @param grad {@code [B, K + C]}, overwritten
   */
  public double apply(INDArray q, INDArray codes, INDArray grad) {
    int w = width();
    int b = (int) q.size(0);
    if (q.size(1) != w || codes.size(0) != b || codes.size(1) != w || grad.length() != q.length()) {
      throw new IllegalArgumentException(
          "Q outputs, codes and gradient must all be [" + b + ", " + w + "]");
    }
    double[] qv = new double[b * w];
    double[] cv = new double[b * w];
    DenseAccess.read(q, qv);
    DenseAccess.read(codes, cv);
    double[] g = new double[b * w];
    double total = 0;
    double scale = weight / b;
    for (int r = 0; r < b; r++) {
      int o = r * w;
      if (categorical > 0) {
        // Cross-entropy of a softmax.
        double logZ = LogSumExp.of(qv, o, categorical);
        for (int j = 0; j < categorical; j++) {
          double p = Math.exp(qv[o + j] - logZ);
          total -= cv[o + j] * (qv[o + j] - logZ);
          g[o + j] = scale * (p - cv[o + j]);
        }
      }
      for (int j = categorical; j < w; j++) {
        double diff = qv[o + j] - cv[o + j];
        total += 0.5 * diff * diff + HALF_LOG_TWO_PI;
        g[o + j] = scale * diff;
      }
    }
    DenseAccess.write(grad, g);
    return total / b;
  }
}
