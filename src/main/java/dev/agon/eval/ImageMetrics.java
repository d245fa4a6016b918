package dev.agon.eval;

import dev.agon.data.ImageDataset;
import dev.agon.tensor.DenseAccess;
import dev.agon.util.Json;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Scores a set of images against a real data set in one classifier's spaces: the Inception Score of
 * its class probabilities, and FID, KID, precision/recall, density/coverage and the mode-collapse
 * indicators in its penultimate features. Every number comes with the protocol it was computed
 * under ({@link Report#protocol()}), so that tables can state it.
 *
 * <p>Cost: one classifier pass over both sets (features and probabilities, batched), then the
 * metrics on plain double arrays: FID O(N·D² + D³), KID O(subsets · size² · D), precision/recall
 * and density/coverage O(N·M·D) brute force.
 */
public final class ImageMetrics {
  /** The metric names {@link #score} understands. */
  public static final Set<String> ALL = Set.of("is", "fid", "kid", "pr", "dc", "classes");

  private ImageMetrics() {}

  /** Everything one scoring produced; a metric not asked for is null. */
  public record Report(
      int samples,
      int realSamples,
      InceptionScore.Result inceptionScore,
      Double fid,
      KernelInceptionDistance.Result kid,
      PrecisionRecall.Result precisionRecall,
      DensityCoverage.Result densityCoverage,
      CollapseIndicators.ClassResult classes,
      CollapseIndicators.FeatureResult duplicates,
      Map<String, String> protocol) {

    /** One line per metric, for a console table. */
    public String table() {
      StringBuilder b = new StringBuilder();
      if (inceptionScore != null) {
        line(b, "IS", fmt("%.3f ± %.3f", inceptionScore.mean(), inceptionScore.std()));
      }
      if (fid != null) {
        line(b, "FID", fmt("%.3f", fid));
      }
      if (kid != null) {
        line(b, "KID", fmt("%.5f ± %.5f", kid.mean(), kid.std()));
      }
      if (precisionRecall != null) {
        line(
            b,
            "precision / recall",
            fmt("%.4f / %.4f", precisionRecall.precision(), precisionRecall.recall()));
      }
      if (densityCoverage != null) {
        line(
            b,
            "density / coverage",
            fmt("%.4f / %.4f", densityCoverage.density(), densityCoverage.coverage()));
      }
      if (classes != null) {
        line(b, "classes", classes.summary());
      }
      if (duplicates != null) {
        line(b, "duplicates", duplicates.summary());
      }
      return b.toString();
    }

    /**
     * Adds every computed metric to {@code j} under flat snake-case names (is, is_std, fid, kid,
     * kid_std, precision, recall, density, coverage, classes_present, kl_to_data, class_entropy,
     * duplicate_ratio, distance_ratio); with {@code protocol}, also protocol_* entries.
     */
    public Json putInto(Json j, boolean protocol) {
      if (inceptionScore != null) {
        j.put("is", inceptionScore.mean()).put("is_std", inceptionScore.std());
      }
      if (fid != null) {
        j.put("fid", fid);
      }
      if (kid != null) {
        j.put("kid", kid.mean()).put("kid_std", kid.std());
      }
      if (precisionRecall != null) {
        j.put("precision", precisionRecall.precision()).put("recall", precisionRecall.recall());
      }
      if (densityCoverage != null) {
        j.put("density", densityCoverage.density()).put("coverage", densityCoverage.coverage());
      }
      if (classes != null) {
        j.put("classes_present", classes.classesPresent())
            .put("kl_to_data", classes.klToData())
            .put("class_entropy", classes.entropy());
      }
      if (duplicates != null) {
        j.put("duplicate_ratio", duplicates.duplicateRatio())
            .put("distance_ratio", duplicates.distanceRatio());
      }
      if (protocol) {
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(this.protocol).entrySet()) {
          j.put("protocol_" + e.getKey(), e.getValue());
        }
      }
      return j;
    }

    private static void line(StringBuilder b, String name, String value) {
      b.append(String.format(Locale.ROOT, "%-20s %s%n", name, value));
    }

    private static String fmt(String f, Object... args) {
      return String.format(Locale.ROOT, f, args);
    }
  }

  /**
   * Scores {@code fake} ({@code [N, C, H, W]} in [-1, 1]) against {@code real} with {@code
   * classifier}, computing the real side on the spot (see {@link Reference#cached} to keep it);
   * otherwise as {@link #score(Classifier, String, INDArray, Reference, Set, long, int)}.
   */
  public static Report score(
      Classifier classifier,
      String classifierName,
      INDArray fake,
      ImageDataset real,
      Set<String> metrics,
      long seed) {
    check(metrics);
    return score(
        classifier,
        classifierName,
        fake,
        Reference.compute(classifier, real),
        metrics,
        seed,
        DEFAULT_NEIGHBOUR_SAMPLES);
  }

  /**
   * Scores {@code fake} ({@code [N, C, H, W]} in [-1, 1]) against the real features {@code real}
   * with {@code classifier}; {@code metrics} a subset of {@link #ALL}; {@code seed} keys KID's
   * subsets and the neighbourhood subsets. The neighbourhood metrics (precision/recall,
   * density/coverage, duplicates) compare equal-sized sets, as their papers do, at O(M²·D) cost: a
   * seeded subset of at most {@code neighbourSamples} images of each side.
   */
  public static Report score(
      Classifier classifier,
      String classifierName,
      INDArray fake,
      Reference real,
      Set<String> metrics,
      long seed,
      int neighbourSamples) {
    check(metrics);
    if (neighbourSamples < 2) {
      throw new IllegalArgumentException("neighbourSamples must be >= 2, got " + neighbourSamples);
    }
    int n = (int) fake.size(0);
    boolean needFeatures =
        metrics.contains("fid")
            || metrics.contains("kid")
            || metrics.contains("pr")
            || metrics.contains("dc")
            || metrics.contains("classes");
    Classifier.Outputs out =
        needFeatures
            ? classifier.outputs(fake)
            : new Classifier.Outputs(null, classifier.probabilities(fake));
    double[][] fakeProbs = rows(out.probabilities());
    double[][] fakeFeatures = needFeatures ? rows(out.features()) : null;
    double[][] realFeatures = needFeatures ? real.featureRows() : null;
    int m = Math.min(neighbourSamples, Math.min(n, real.count()));
    double[][] realSubset = needFeatures ? subset(realFeatures, m, seed) : null;
    double[][] fakeSubset = needFeatures ? subset(fakeFeatures, m, seed + 1) : null;
    Map<String, String> protocol = new LinkedHashMap<>();
    protocol.put("classifier", classifierName);
    protocol.put("samples", Integer.toString(n));
    protocol.put(
        "real",
        real.name()
            + " ("
            + real.count()
            + " images; FID and KID use all, precision/recall, density/coverage and duplicates"
            + " seeded subsets of "
            + m
            + " real and "
            + m
            + " generated)");
    InceptionScore.Result is = null;
    if (metrics.contains("is")) {
      is = InceptionScore.compute(fakeProbs);
      protocol.put("is", "exp(E KL(p(y|x) || p(y))), " + InceptionScore.DEFAULT_SPLITS + " splits");
    }
    Double fid = null;
    if (metrics.contains("fid")) {
      fid = Frechet.distance(real.stats(), GaussianStats.of(fakeFeatures));
      protocol.put("fid", "Frechet distance of Gaussian fits, penultimate features");
    }
    KernelInceptionDistance.Result kid = null;
    if (metrics.contains("kid")) {
      kid =
          KernelInceptionDistance.compute(
              realFeatures,
              fakeFeatures,
              KernelInceptionDistance.DEFAULT_SUBSETS,
              KernelInceptionDistance.DEFAULT_SUBSET_SIZE,
              seed);
      protocol.put("kid", "unbiased MMD^2, cubic kernel, subsets of <= 1000");
    }
    PrecisionRecall.Result pr = null;
    if (metrics.contains("pr")) {
      pr = PrecisionRecall.compute(realSubset, fakeSubset);
      protocol.put("pr", "Kynkaanniemi et al. 2019, k = " + PrecisionRecall.DEFAULT_K);
    }
    DensityCoverage.Result dc = null;
    if (metrics.contains("dc")) {
      dc = DensityCoverage.compute(realSubset, fakeSubset);
      protocol.put("dc", "Naeem et al. 2020, k = " + DensityCoverage.DEFAULT_K);
    }
    CollapseIndicators.ClassResult classes = null;
    CollapseIndicators.FeatureResult duplicates = null;
    if (metrics.contains("classes")) {
      classes = CollapseIndicators.classes(fakeProbs, real.classCounts());
      duplicates = CollapseIndicators.features(realSubset, fakeSubset, seed);
      protocol.put(
          "classes", "present >= 1% of samples; KL(p_gen(y) || p_data(y)) with data labels");
    }
    return new Report(
        n, real.count(), is, fid, kid, pr, dc, classes, duplicates, Map.copyOf(protocol));
  }

  /** Neighbourhood subsets' default size (Naeem et al. 2020 use 10,000 of each). */
  public static final int DEFAULT_NEIGHBOUR_SAMPLES = 10_000;

  private static void check(Set<String> metrics) {
    for (String m : metrics) {
      if (!ALL.contains(m)) {
        throw new IllegalArgumentException("unknown metric '" + m + "'; known: " + ALL);
      }
    }
  }

  /** The class histogram of {@code data}'s labels (uniform over 10 classes without labels). */
  static double[] histogram(ImageDataset data) {
    if (!data.hasLabels()) {
      double[] u = new double[10];
      java.util.Arrays.fill(u, 0.1);
      return u;
    }
    int k = 0;
    for (int l : data.labels()) {
      k = Math.max(k, l + 1);
    }
    double[] h = new double[Math.max(k, 10)];
    for (int l : data.labels()) {
      h[l]++;
    }
    return h;
  }

  /** {@code m} rows of {@code x} chosen without replacement under {@code seed} (all if fewer). */
  static double[][] subset(double[][] x, int m, long seed) {
    if (m >= x.length) {
      return x;
    }
    int[] idx = new int[x.length];
    java.util.Arrays.setAll(idx, i -> i);
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    double[][] out = new double[m][];
    for (int i = 0; i < m; i++) {
      int j = i + r.nextInt(x.length - i);
      int t = idx[i];
      idx[i] = idx[j];
      idx[j] = t;
      out[i] = x[idx[i]];
    }
    return out;
  }

  /** A [N, D] array as N rows of doubles. */
  static double[][] rows(INDArray a) {
    int n = (int) a.size(0);
    int d = (int) (a.length() / n);
    double[] flat = new double[n * d];
    DenseAccess.read(a, flat);
    double[][] out = new double[n][];
    for (int i = 0; i < n; i++) {
      out[i] = java.util.Arrays.copyOfRange(flat, i * d, (i + 1) * d);
    }
    return out;
  }
}
