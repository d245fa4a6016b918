package dev.agon.eval;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Mode-collapse indicators for image GANs, from a classifier's predictions on generated samples and
 * from feature distances. None is a paper's metric on its own; together they say whether the
 * generator covers the data's classes and whether its samples are varied.
 *
 * <p>From classes ({@link #classes}): each generated sample's class is the argmax of its predicted
 * probabilities. Reported: the classes present (holding at least {@value #PRESENT_FRACTION} of the
 * samples, i.e. 1%), KL(p_gen(y) ‖ p_data(y)) in nats, and the entropy of p_gen(y) in nats (log K
 * when uniform, 0 when one class). p_data is the real class histogram normalised; so that a class
 * absent from the data does not make the KL infinite, it is smoothed to p_data(y) = (h_y + ε) / (1
 * + Kε) with ε = {@value #EPSILON}; p_gen uses 0·log 0 = 0. Cost O(N·K).
 *
 * <p>From features ({@link #features}): the near-duplicate ratio is the fraction of generated pairs
 * closer than the real data's 1st percentile of nearest-neighbour distances (linear interpolation,
 * as {@code numpy.percentile}); the distance ratio is the mean pairwise distance among generated
 * features over that among real ones (≈ 1 when varied as the data, → 0 under collapse). Both sets
 * are first subsampled, seeded, to at most {@code maxPoints} rows each (default {@value
 * #DEFAULT_MAX_POINTS}) and all pairs of the subsample are used: O(maxPoints²·D) time, O(maxPoints)
 * memory.
 */
public final class CollapseIndicators {
  private CollapseIndicators() {}

  public static final double PRESENT_FRACTION = 0.01;
  public static final double EPSILON = 1e-6;
  public static final int DEFAULT_MAX_POINTS = 2000;

  /**
   * @param classesPresent classes with at least 1% of the generated samples
   * @param numClasses K
   * @param klToData KL(p_gen(y) ‖ p_data(y)) in nats (data smoothed by ε)
   * @param entropy entropy of p_gen(y) in nats
   * @param counts generated samples per predicted class
   */
  public record ClassResult(
      int classesPresent, int numClasses, double klToData, double entropy, int[] counts) {
    public String summary() {
      return String.format(
          Locale.ROOT,
          "classes %d/%d, KL(gen‖data) %.3f, entropy %.3f nats",
          classesPresent,
          numClasses,
          klToData,
          entropy);
    }
  }

  /**
   * @param duplicateRatio fraction of generated pairs closer than {@code duplicateThreshold}
   * @param duplicateThreshold the real data's 1st-percentile nearest-neighbour distance
   * @param distanceRatio mean pairwise generated distance over mean pairwise real distance (NaN
   *     when every real row of the subsample is the same)
   * @param realUsed real rows used after subsampling
   * @param fakeUsed generated rows used after subsampling
   */
  public record FeatureResult(
      double duplicateRatio,
      double duplicateThreshold,
      double distanceRatio,
      int realUsed,
      int fakeUsed) {
    public String summary() {
      return String.format(
          Locale.ROOT,
          "near-duplicates %.2f%%, pairwise distance ratio %.3f",
          100 * duplicateRatio,
          distanceRatio);
    }
  }

  /** Class indicators from [N, K] generated class probabilities and the real class histogram. */
  public static ClassResult classes(double[][] fakeProbabilities, double[] realHistogram) {
    int k = EvalArrays.columns("fakeProbabilities", fakeProbabilities);
    if (realHistogram.length != k) {
      throw new IllegalArgumentException(
          "realHistogram has " + realHistogram.length + " classes, probabilities have " + k);
    }
    return classes(argmax(fakeProbabilities), realHistogram);
  }

  /**
   * Class indicators from predicted classes of generated samples (each in [0, K)) and the real
   * class histogram (counts or probabilities, K non-negative entries with a positive sum).
   */
  public static ClassResult classes(int[] fakeClasses, double[] realHistogram) {
    int k = realHistogram.length;
    if (k == 0) {
      throw new IllegalArgumentException("realHistogram must have at least one class");
    }
    if (fakeClasses.length == 0) {
      throw new IllegalArgumentException("fakeClasses must not be empty");
    }
    double total = 0;
    for (int c = 0; c < k; c++) {
      if (!(realHistogram[c] >= 0) || !Double.isFinite(realHistogram[c])) {
        throw new IllegalArgumentException(
            "realHistogram[" + c + "] must be finite and non-negative, got " + realHistogram[c]);
      }
      total += realHistogram[c];
    }
    if (!(total > 0)) {
      throw new IllegalArgumentException("realHistogram sums to 0");
    }
    int[] counts = new int[k];
    for (int i = 0; i < fakeClasses.length; i++) {
      int c = fakeClasses[i];
      if (c < 0 || c >= k) {
        throw new IllegalArgumentException(
            "fakeClasses[" + i + "] = " + c + " is outside [0, " + k + ")");
      }
      counts[c]++;
    }
    int n = fakeClasses.length;
    int present = 0;
    double kl = 0;
    double entropy = 0;
    for (int c = 0; c < k; c++) {
      double p = (double) counts[c] / n;
      if (p >= PRESENT_FRACTION) {
        present++;
      }
      if (p > 0) {
        double q = (realHistogram[c] / total + EPSILON) / (1 + k * EPSILON);
        kl += p * Math.log(p / q);
        entropy -= p * Math.log(p);
      }
    }
    return new ClassResult(present, k, kl, entropy, counts);
  }

  /** Feature indicators with {@link #DEFAULT_MAX_POINTS}. */
  public static FeatureResult features(double[][] real, double[][] fake, long seed) {
    return features(real, fake, DEFAULT_MAX_POINTS, seed);
  }

  /**
   * @param real [N, D] real features (N ≥ 2)
   * @param fake [M, D] generated features (M ≥ 2)
   * @param maxPoints rows of each set used at most (≥ 2); larger sets are subsampled
   * @param seed seed of the subsampling
   */
  public static FeatureResult features(double[][] real, double[][] fake, int maxPoints, long seed) {
    EvalArrays.sameColumns("real", real, "fake", fake);
    if (maxPoints < 2) {
      throw new IllegalArgumentException("maxPoints must be at least 2, got " + maxPoints);
    }
    if (real.length < 2 || fake.length < 2) {
      throw new IllegalArgumentException(
          "need at least 2 real and 2 fake rows, got " + real.length + " and " + fake.length);
    }
    SplittableRandom random = new SplittableRandom(seed);
    double[][] r = subsample(real, maxPoints, random);
    double[][] f = subsample(fake, maxPoints, random);
    return compare(measure(r), f);
  }

  /**
   * The real half of {@link #features}, measured once so that every later set of generated rows is
   * compared with it at half the cost: the real rows used, the 1st percentile of their
   * nearest-neighbour distances and their mean pairwise distance.
   *
   * @param count real rows used
   * @param dims columns D of each row
   * @param threshold the 1st-percentile nearest-neighbour distance (the near-duplicate threshold)
   * @param meanDistance mean pairwise distance among them (0 when all are the same)
   */
  public record RealSide(int count, int dims, double threshold, double meanDistance) {}

  /**
   * Measures {@code real} ([N, D], N ≥ 2) after a seeded subsample to at most {@code maxPoints}
   * rows: O(maxPoints²·D) time, O(maxPoints) memory beyond the rows.
   */
  public static RealSide realSide(double[][] real, int maxPoints, long seed) {
    if (maxPoints < 2) {
      throw new IllegalArgumentException("maxPoints must be at least 2, got " + maxPoints);
    }
    if (real.length < 2) {
      throw new IllegalArgumentException("need at least 2 real rows, got " + real.length);
    }
    return measure(subsample(real, maxPoints, new SplittableRandom(seed)));
  }

  /**
   * The feature indicators of {@code fake} ([M, D], M ≥ 2, all rows used: subsample beforehand)
   * against a measured real side, as {@link #features} computes them: O(M²·D) time.
   */
  public static FeatureResult features(RealSide real, double[][] fake) {
    if (fake.length < 2) {
      throw new IllegalArgumentException("need at least 2 fake rows, got " + fake.length);
    }
    int d = EvalArrays.columns("fake", fake);
    if (d != real.dims()) {
      throw new IllegalArgumentException(
          "fake rows have " + d + " columns, the real side " + real.dims());
    }
    return compare(real, fake);
  }

  private static RealSide measure(double[][] r) {
    double[] nearest = new double[r.length];
    Arrays.fill(nearest, Double.POSITIVE_INFINITY);
    double realSum = 0;
    for (int i = 0; i < r.length; i++) {
      for (int j = i + 1; j < r.length; j++) {
        double d = Math.sqrt(EvalArrays.squaredDistance(r[i], r[j]));
        realSum += d;
        nearest[i] = Math.min(nearest[i], d);
        nearest[j] = Math.min(nearest[j], d);
      }
    }
    double realPairs = (double) r.length * (r.length - 1) / 2;
    return new RealSide(r.length, r[0].length, percentile(nearest, 0.01), realSum / realPairs);
  }

  private static FeatureResult compare(RealSide real, double[][] f) {
    double threshold = real.threshold();
    long duplicates = 0;
    double fakeSum = 0;
    for (int i = 0; i < f.length; i++) {
      for (int j = i + 1; j < f.length; j++) {
        double d = Math.sqrt(EvalArrays.squaredDistance(f[i], f[j]));
        fakeSum += d;
        if (d < threshold) {
          duplicates++;
        }
      }
    }
    double fakePairs = (double) f.length * (f.length - 1) / 2;
    double realMean = real.meanDistance();
    double ratio = realMean == 0 ? Double.NaN : (fakeSum / fakePairs) / realMean;
    return new FeatureResult(duplicates / fakePairs, threshold, ratio, real.count(), f.length);
  }

  /** Index of each row's largest entry (the first on ties). */
  public static int[] argmax(double[][] probabilities) {
    int[] out = new int[probabilities.length];
    for (int i = 0; i < probabilities.length; i++) {
      double[] row = probabilities[i];
      int best = 0;
      for (int c = 1; c < row.length; c++) {
        if (row[c] > row[best]) {
          best = c;
        }
      }
      out[i] = best;
    }
    return out;
  }

  /** The q-quantile (q in [0, 1]) with linear interpolation between order statistics. */
  static double percentile(double[] values, double q) {
    double[] v = values.clone();
    Arrays.sort(v);
    double pos = q * (v.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, v.length - 1);
    return v[lo] + (pos - lo) * (v[hi] - v[lo]);
  }

  private static double[][] subsample(double[][] x, int max, SplittableRandom random) {
    return x.length <= max ? x : EvalArrays.select(x, EvalArrays.choose(x.length, max, random));
  }
}
