package dev.agon.eval;

import dev.agon.nn.Network;
import dev.agon.tensor.DenseAccess;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The semi-supervised K+1 discriminator (Salimans et al. 2016, Sec. 5) read as a K-class
 * classifier: its class is the argmax over the K real-class logits (the fixed fake logit 0 does not
 * take part, as in the paper's test accuracy). Costs one forward pass of D per {@code batch} images
 * and K values per image on the host.
 */
public final class DiscriminatorClassifier {
  private DiscriminatorClassifier() {}

  /**
   * Fraction of {@code logits} rows ({@code [N, K]}) whose largest logit is the label ({@code
   * labels}, length N, each in [0, K)); ties go to the lower class.
   */
  public static double accuracy(INDArray logits, int[] labels) {
    if (logits.rank() != 2 || logits.size(0) != labels.length || labels.length == 0) {
      throw new IllegalArgumentException(
          "expected logits [" + labels.length + ", K], N >= 1, got " + logits.shapeInfoToString());
    }
    int k = (int) logits.size(1);
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= k) {
        throw new IllegalArgumentException(
            "label " + labels[i] + " of row " + i + " not in [0, " + k + ")");
      }
    }
    return Classifier.accuracy(logits, labels);
  }

  /**
   * Test accuracy of {@code d} (K logits per sample) on {@code images} ({@code [N, ...]}, D's input
   * shape per row) with classes {@code labels}, {@code batch} images per forward pass. D runs in
   * evaluation mode (no dropout), or, when it has batch statistics ({@link
   * Network#batchCoupled()}), in training mode batch by batch as in an update, the way {@code
   * train.JsdProbe} reads D: the flat parameter snapshots the Evaluator receives carry no running
   * statistics. A short last batch is then padded by repeating its first image, so it is normalised
   * as a full batch; the padding's outputs are dropped. Uses D's buffers (and, with batch
   * statistics, updates its running statistics): call on a replica or the owner's thread; D's
   * training mode is restored.
   */
  public static double accuracy(Network d, INDArray images, int[] labels, int batch) {
    long n = images.size(0);
    if (n != labels.length || n == 0 || batch < 1) {
      throw new IllegalArgumentException(
          n + " images, " + labels.length + " labels, batch " + batch);
    }
    long[] out = d.outputShape();
    int k = out.length == 0 ? 1 : (int) out[0];
    boolean coupled = d.batchCoupled();
    double[] all = new double[Math.toIntExact(n * k)];
    boolean was = d.training();
    d.training(coupled);
    try {
      for (long from = 0; from < n; from += batch) {
        long to = Math.min(n, from + batch);
        INDArray x = rows(images, from, to);
        if (coupled && to - from < batch) {
          x = padded(x, batch);
        }
        double[] part = new double[Math.toIntExact(x.size(0) * k)];
        DenseAccess.read(d.forward(x), part);
        System.arraycopy(part, 0, all, Math.toIntExact(from * k), Math.toIntExact((to - from) * k));
      }
    } finally {
      d.training(was);
    }
    return accuracy(org.nd4j.linalg.factory.Nd4j.create(all, new long[] {n, k}), labels);
  }

  /** {@code x} ({@code [m, ...]}) with its first row repeated up to {@code batch} rows. */
  private static INDArray padded(INDArray x, int batch) {
    long[] shape = x.shape().clone();
    shape[0] = batch;
    INDArray p = org.nd4j.linalg.factory.Nd4j.create(x.dataType(), shape);
    rowsView(p, 0, x.size(0)).assign(x);
    for (long i = x.size(0); i < batch; i++) {
      rowsView(p, i, i + 1).assign(rowsView(x, 0, 1));
    }
    return p;
  }

  private static INDArray rows(INDArray a, long from, long to) {
    return rowsView(a, from, to).dup();
  }

  private static INDArray rowsView(INDArray a, long from, long to) {
    INDArrayIndex[] idx = new INDArrayIndex[a.rank()];
    idx[0] = NDArrayIndex.interval(from, to);
    for (int i = 1; i < idx.length; i++) {
      idx[i] = NDArrayIndex.all();
    }
    return a.get(idx);
  }
}
