package dev.agon.objective;

import dev.agon.tensor.DenseAccess;
import dev.agon.tensor.LogSumExp;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The semi-supervised K+1 discriminator of Salimans et al., "Improved Techniques for Training
 * GANs", NeurIPS 2016, Sec. 5. D outputs K logits {@code l_1..l_K}, one per real class; the fake
 * class K+1 has its logit fixed at 0, so with {@code Z(x) = sum_k exp(l_k)} and {@code LSE = log
 * Z}:
 *
 * <pre>
 * p(y = k | x)       = exp(l_k) / (Z + 1)          (k = 1..K)
 * D(x) = p(real | x) = Z / (Z + 1) = sigmoid(LSE)  (label: real = any of the K classes)
 * </pre>
 *
 * <p>Discriminator loss {@code L_D = L_sup + w L_unsup} ({@code w}: the unsupervised weight, 1 in
 * the paper; 0 is the supervised-only baseline, whose real and fake gradients are exactly 0):
 *
 * <pre>
 * L_sup   = mean_lab [LSE - l_y]                      (cross-entropy of softmax(l) on the labels)
 * L_unsup = -mean_unl log D(x) - mean_fake log(1 - D(G(z)))
 *         = mean_unl softplus(-LSE) + mean_fake softplus(LSE)
 * dL_sup/dl_k   = (softmax_k - [k = y]) / B_lab
 * dL_unsup/dl_k = -sigmoid(-LSE) softmax_k / B_unl (real),  sigmoid(LSE) softmax_k / B_fake (fake)
 * </pre>
 *
 * (the real and fake gradients are those of {@code w L_unsup}; {@link DLoss#unsupervised()} reports
 * {@code L_unsup} unweighted, {@link DLoss#loss()} the weighted sum).
 *
 * <p>The supervised term uses softmax over the K real classes only: the paper's {@code p(y | x, y <
 * K+1)}, which the fixed fake logit does not change.
 *
 * <p>Generator: the non-saturating {@code L_G = -mean log D(G(z)) = mean softplus(-LSE)}, gradient
 * {@code -sigmoid(-LSE) softmax_k / B}; feature matching (the paper's choice for the classifier,
 * {@link FeatureMatching}) replaces it when enabled.
 *
 * <p>As a {@link GanObjective} its raw outputs are rows of K logits ({@code [B, K]}, not {@code [B,
 * 1]}) and {@link #discriminator(INDArray, INDArray, INDArray, INDArray)} is {@code L_unsup} alone
 * (a labelled batch of size 0); {@link #discriminator(INDArray, INDArray, INDArray, int[],
 * INDArray, INDArray, INDArray)} adds {@code L_sup}. Still a real term plus a fake term (plus a
 * labelled term), so separate passes through a batch-coupled D are exact. {@link DLoss#meanDReal()}
 * and {@link DLoss#meanDFake()} are mean {@code D(x)}; the accuracy's threshold is {@code D = 1/2}
 * ({@code LSE = 0}).
 *
 * <p>Numerics: {@code LSE = m + log sum exp(l_k - m)}, {@code m = max_k l_k}; softmax as {@code
 * exp(l_k - LSE)}; softplus and sigmoid as in {@link StandardGan}; all in double, finite for any
 * finite logits (e.g. ±1e4). Plain loops over host copies: O(B K) per call. Stateless.
 */
public final class SemiSupervisedGan implements GanObjective {
  private final int classes;
  private final double unsupervisedWeight;

  /** The paper's objective (w = 1) for {@code classes} (K >= 2) real classes. */
  public SemiSupervisedGan(int classes) {
    this(classes, 1.0);
  }

  /**
   * The objective for {@code classes} (K >= 2) real classes with the unsupervised term weighted by
   * {@code unsupervisedWeight} (finite, >= 0).
   */
  public SemiSupervisedGan(int classes, double unsupervisedWeight) {
    if (classes < 2) {
      throw new IllegalArgumentException("classes must be >= 2: " + classes);
    }
    if (!(unsupervisedWeight >= 0) || Double.isInfinite(unsupervisedWeight)) {
      throw new IllegalArgumentException(
          "unsupervisedWeight must be finite and >= 0: " + unsupervisedWeight);
    }
    this.classes = classes;
    this.unsupervisedWeight = unsupervisedWeight;
  }

  /** w, the weight of the unsupervised term in D's loss. */
  public double unsupervisedWeight() {
    return unsupervisedWeight;
  }

  /** K, the number of real classes (D's outputs). */
  public int classes() {
    return classes;
  }

  @Override
  public DLoss discriminator(
      INDArray realLogits, INDArray fakeLogits, INDArray gradReal, INDArray gradFake) {
    return discriminator(realLogits, fakeLogits, null, new int[0], gradReal, gradFake, null);
  }

  /**
   * {@code L_sup + w L_unsup}: {@code real} (unlabelled), {@code fake} and {@code labelled} are
   * {@code [B, K]} logits (may be row views of one array; {@code labelled} may be null when {@code
   * labels} is empty), {@code labels} the labelled rows' classes in {@code [0, K)}; writes the
   * gradients into the same-shaped {@code grad*} arrays.
   */
  public DLoss discriminator(
      INDArray real,
      INDArray fake,
      INDArray labelled,
      int[] labels,
      INDArray gradReal,
      INDArray gradFake,
      INDArray gradLabelled) {
    int nr = checkRows(real, gradReal, "real");
    int nf = checkRows(fake, gradFake, "fake");
    double[] r = new double[nr * classes];
    double[] f = new double[nf * classes];
    DenseAccess.read(real, r);
    DenseAccess.read(fake, f);
    double lossReal = 0;
    double dReal = 0;
    int rightReal = 0;
    for (int i = 0; i < nr; i++) {
      double lse = softmaxInPlace(r, i * classes);
      lossReal += StandardGan.softplus(-lse);
      dReal += StandardGan.sigmoid(lse);
      rightReal += lse > 0 ? 1 : 0;
      scale(r, i * classes, -unsupervisedWeight * StandardGan.sigmoid(-lse) / nr);
    }
    double lossFake = 0;
    double dFake = 0;
    int rightFake = 0;
    for (int i = 0; i < nf; i++) {
      double lse = softmaxInPlace(f, i * classes);
      double s = StandardGan.sigmoid(lse);
      lossFake += StandardGan.softplus(lse);
      dFake += s;
      rightFake += lse < 0 ? 1 : 0;
      scale(f, i * classes, unsupervisedWeight * s / nf);
    }
    DenseAccess.write(gradReal, r);
    DenseAccess.write(gradFake, f);
    double unsupervised = lossReal / nr + lossFake / nf;
    double supervised = labels.length == 0 ? 0.0 : supervised(labelled, labels, gradLabelled);
    return new DLoss(
        supervised + unsupervisedWeight * unsupervised,
        dReal / nr,
        dFake / nf,
        DLoss.accuracy(rightReal, nr, rightFake, nf),
        supervised,
        unsupervised);
  }

  /**
   * {@code L_sup} alone: mean cross-entropy of softmax({@code logits}) ({@code [L, K]}, L = {@code
   * labels.length} >= 1) against {@code labels}; writes its gradient into {@code grad}.
   */
  public double supervised(INDArray logits, int[] labels, INDArray grad) {
    int n = checkRows(logits, grad, "labelled");
    if (n != labels.length) {
      throw new IllegalArgumentException(n + " labelled rows, " + labels.length + " labels");
    }
    double[] l = new double[n * classes];
    DenseAccess.read(logits, l);
    double loss = 0;
    for (int i = 0; i < n; i++) {
      int y = labels[i];
      if (y < 0 || y >= classes) {
        throw new IllegalArgumentException(
            "label " + y + " of row " + i + " not in [0, " + classes + ")");
      }
      int row = i * classes;
      double ly = l[row + y];
      double lse = softmaxInPlace(l, row);
      loss += lse - ly;
      l[row + y] -= 1.0;
      scale(l, row, 1.0 / n);
    }
    DenseAccess.write(grad, l);
    return loss / n;
  }

  @Override
  public GLoss generator(INDArray fakeLogits, INDArray gradFake) {
    int n = checkRows(fakeLogits, gradFake, "fake");
    double[] f = new double[n * classes];
    DenseAccess.read(fakeLogits, f);
    double loss = 0;
    double dFake = 0;
    for (int i = 0; i < n; i++) {
      double lse = softmaxInPlace(f, i * classes);
      loss += StandardGan.softplus(-lse);
      dFake += StandardGan.sigmoid(lse);
      scale(f, i * classes, -StandardGan.sigmoid(-lse) / n);
    }
    DenseAccess.write(gradFake, f);
    return new GLoss(loss / n, dFake / n);
  }

  /** {@code LSE} of one row of {@code v} at {@code off}, which is replaced by its softmax. */
  private double softmaxInPlace(double[] v, int off) {
    double lse = LogSumExp.of(v, off, classes);
    for (int k = 0; k < classes; k++) {
      v[off + k] = Math.exp(v[off + k] - lse);
    }
    return lse;
  }

  private void scale(double[] v, int off, double by) {
    for (int k = 0; k < classes; k++) {
      v[off + k] *= by;
    }
  }

  /** Checks {@code [B, K]} logits, B >= 1, and a gradient of their shape; returns B. */
  private int checkRows(INDArray logits, INDArray grad, String what) {
    if (logits == null || logits.rank() != 2 || logits.columns() != classes || logits.rows() < 1) {
      throw new IllegalArgumentException(
          what
              + " logits must be [B,"
              + classes
              + "], got "
              + (logits == null ? "null" : Arrays.toString(logits.shape())));
    }
    if (grad == null || !Arrays.equals(logits.shape(), grad.shape())) {
      throw new IllegalArgumentException(
          what
              + " gradient shape "
              + (grad == null ? "null" : Arrays.toString(grad.shape()))
              + " differs from logits "
              + Arrays.toString(logits.shape()));
    }
    return logits.rows();
  }

  @Override
  public String toString() {
    return "SemiSupervisedGan[K=" + classes + ", w=" + unsupervisedWeight + "]";
  }
}
