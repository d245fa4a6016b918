package dev.agon.eval;

/**
 * How often a conditional generator's samples of class C are labelled C by a classifier (issue 16
 * item 3): per-class accuracy and its unweighted mean over classes. Unlike {@link CodeAccuracy}
 * there is no mapping to search: the class G was given is the answer. O(samples * classes).
 */
public final class ClassAccuracy {
  private ClassAccuracy() {}

  /**
   * @param perClass fraction of class c's samples labelled c, in [0, 1]
   * @param mean the mean of {@code perClass} (each class weighs the same)
   */
  public record Result(double[] perClass, double mean) {}

  /**
   * Scores {@code k} blocks of {@code perValue} samples, block c generated for class c, from the
   * classifier's probabilities ({@code probs[i * classes + j]}, row-major); a sample's label is its
   * argmax (the first on ties).
   */
  public static Result score(float[] probs, int classes, int k, int perValue) {
    if (k < 1 || perValue < 1 || k > classes) {
      throw new IllegalArgumentException(
          k + " classes of " + perValue + " samples against " + classes + " classifier classes");
    }
    if (probs.length != (long) k * perValue * classes) {
      throw new IllegalArgumentException(
          probs.length + " probabilities, expected " + k + " x " + perValue + " x " + classes);
    }
    double[] perClass = new double[k];
    double sum = 0;
    for (int c = 0; c < k; c++) {
      int hits = 0;
      for (int s = 0; s < perValue; s++) {
        int row = (c * perValue + s) * classes;
        int arg = 0;
        for (int j = 1; j < classes; j++) {
          if (probs[row + j] > probs[row + arg]) {
            arg = j;
          }
        }
        if (arg == c) {
          hits++;
        }
      }
      perClass[c] = (double) hits / perValue;
      sum += perClass[c];
    }
    return new Result(perClass, sum / k);
  }
}
