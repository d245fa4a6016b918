package dev.agon.cli;

import dev.agon.checkpoint.CheckpointException;
import dev.agon.checkpoint.CheckpointStore;
import dev.agon.config.AgonConfig;
import dev.agon.config.Player;
import dev.agon.data.BatchSource;
import dev.agon.data.Datasets;
import dev.agon.data.ImageDataset;
import dev.agon.data.ImageSource;
import dev.agon.data.Mixture2d;
import dev.agon.eval.ClassAccuracy;
import dev.agon.eval.Classifier;
import dev.agon.eval.ClassifierStore;
import dev.agon.eval.CodeAccuracy;
import dev.agon.eval.ImageMetrics;
import dev.agon.eval.JsdBound;
import dev.agon.eval.ModeMetrics;
import dev.agon.eval.ParzenWindow;
import dev.agon.eval.Reference;
import dev.agon.tensor.Tensors;
import dev.agon.train.ClassifierProbe;
import dev.agon.train.Factory;
import dev.agon.train.GeneratorTrainer;
import dev.agon.train.JsdProbe;
import dev.agon.train.Sampling;
import dev.agon.util.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code agon eval}: scores a run's generator, or one data split against another (the reference row
 * every table needs), with a classifier standing in for Inception. Image runs get the classifier
 * metrics ({@link ImageMetrics}); 2-D runs the mode metrics; both the Parzen-window log-likelihood
 * and the discriminator's JSD lower bound on request.
 */
@CommandLine.Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description =
        "Score a run's generator (or, with --real, one data split against another) with the"
            + " shipped classifier: IS, FID, KID, precision/recall, density/coverage, classes;"
            + " modes of 2-D runs; Parzen log-likelihood and the discriminator's JSD bound.")
final class EvalCommand implements Callable<Integer> {
  /** Metrics of the classifier's spaces (image data). */
  static final Set<String> IMAGE = ImageMetrics.ALL;

  /** Every metric name {@code --metrics} takes. */
  static final List<String> KNOWN =
      List.of(
          "is",
          "fid",
          "kid",
          "pr",
          "dc",
          "classes",
          "modes",
          "parzen",
          "jsd",
          "classifier",
          "codes",
          "class-accuracy");

  /** Fashion-MNIST train images held out from nothing but kept apart for Parzen's σ. */
  static final int PARZEN_VALIDATION = 10_000;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--run", paramLabel = "DIR", description = "Run directory to score.")
  Path run;

  @Option(
      names = "--step",
      paramLabel = "N|best",
      description =
          "Checkpoint to score: its G step, or best (the one checkpoint.best-metric kept); default:"
              + " the newest that reads back whole.")
  String step;

  @Option(
      names = "--real",
      paramLabel = "A:B",
      description =
          "Instead of a run: score Fashion-MNIST split A as if generated against split B"
              + " (e.g. test:train).")
  String real;

  @Option(
      names = "--metrics",
      split = ",",
      description =
          "Metrics: is, fid, kid, pr, dc, classes (images), modes (2-D data), parzen, jsd,"
              + " classifier (D's test accuracy, objective.kind = semi-supervised), codes (InfoGAN"
              + " runs with a categorical code: best one-to-one code-to-class accuracy),"
              + " class-accuracy (conditional runs: n / K samples of each class, the fraction"
              + " the classifier labels as that class, per class and mean) (default:"
              + " is,fid,kid,pr,dc,classes for images, plus classifier for semi-supervised runs;"
              + " modes for 2-D data).")
  Set<String> metrics;

  @Option(
      names = "--n",
      defaultValue = "50000",
      description =
          "Generated samples (or images of split A) for IS, FID, KID and the classes"
              + " (default ${DEFAULT-VALUE}, the Inception Score's protocol).")
  int n;

  @Option(
      names = "--neighbours",
      defaultValue = "10000",
      description =
          "Samples of each side for precision/recall, density/coverage and duplicates"
              + " (O(n^2); default ${DEFAULT-VALUE}).")
  int neighbours;

  @Option(
      names = "--parzen-samples",
      defaultValue = "10000",
      description = "Generator samples used as Parzen kernel centres (default ${DEFAULT-VALUE}).")
  int parzenSamples;

  @Option(
      names = "--jsd-samples",
      defaultValue = "10000",
      description =
          "Held-out real and fresh fake samples for the JSD bound (default ${DEFAULT-VALUE}).")
  int jsdSamples;

  @Option(
      names = "--classifier",
      paramLabel = "DIR",
      description =
          "Classifier directory (default: the shipped data/classifiers/fashion-mnist-cnn).")
  Path classifierDir;

  @Option(
      names = "--cache",
      paramLabel = "DIR",
      description =
          "Where real-data features are cached, keyed by classifier and data content"
              + " (default: ~/.cache/agon/reference).")
  Path cacheDir;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of KID's and the subsets.")
  long seed;

  @Override
  public Integer call() throws IOException, CheckpointException {
    if ((run == null) == (real == null)) {
      throw new Main.UserException("give exactly one of --run DIR and --real A:B");
    }
    if (real != null && step != null) {
      throw new Main.UserException(
          "--step names a checkpoint of a --run; --real scores a data split and has none");
    }
    for (var e :
        Map.of(
                "--n", n,
                "--neighbours", neighbours,
                "--parzen-samples", parzenSamples,
                "--jsd-samples", jsdSamples)
            .entrySet()) {
      if (e.getValue() < 2) {
        throw new Main.UserException(e.getKey() + " must be at least 2, got " + e.getValue());
      }
    }
    if (metrics != null) {
      for (String m : metrics) {
        if (!KNOWN.contains(m)) {
          throw new Main.UserException(
              "unknown metric '" + m + "'; known: " + String.join(", ", KNOWN));
        }
      }
    }
    return real != null ? scoreReal() : scoreRun();
  }

  /** One Fashion-MNIST split scored as if generated, against another. */
  private int scoreReal() throws IOException {
    String[] ab = real.split(":");
    if (ab.length != 2) {
      throw new Main.UserException("--real takes A:B, e.g. test:train; got " + real);
    }
    Set<String> asked = metrics != null ? new LinkedHashSet<>(metrics) : new LinkedHashSet<>(IMAGE);
    if (!IMAGE.containsAll(asked)) {
      throw new Main.UserException("--real scores the classifier metrics only: " + IMAGE);
    }
    Datasets ds = Datasets.standard();
    ImageDataset a = ds.load("fashion-mnist", ab[0], Optional.empty());
    ImageDataset reference = ds.load("fashion-mnist", ab[1], Optional.empty());
    int m = Math.min(n, a.size());
    int[] idx = new int[m];
    Arrays.setAll(idx, i -> i);
    Json json = Json.object();
    scoreImages(
        a.batch(idx), reference, asked, "fashion-mnist/" + ab[0] + " (first " + m + ")", json);
    return 0;
  }

  private int scoreRun() throws IOException, CheckpointException {
    AgonConfig c = RunDirectory.config(run, spec.commandLine().getErr());
    CheckpointStore.Checkpoint checkpoint =
        RunDirectory.chosen(run, step, spec.commandLine().getErr());
    Path dir = checkpoint.dir();
    Map<String, INDArray> tensors = checkpoint.tensors();
    BatchSource data = Factory.data(c);
    boolean mixture = data instanceof Mixture2d;
    Set<String> asked =
        metrics != null
            ? new LinkedHashSet<>(metrics)
            : new LinkedHashSet<>(mixture ? Set.of("modes") : IMAGE);
    if (metrics == null && ClassifierProbe.unavailable(c).isEmpty()) {
      asked.add("classifier");
    }
    if (asked.contains("classifier")) {
      ClassifierProbe.unavailable(c)
          .ifPresent(
              why -> {
                throw new Main.UserException("metric 'classifier': " + why);
              });
    }
    for (String m : asked) {
      if (m.equals("codes") && (mixture || c.model().infogan().categorical() == 0)) {
        throw new Main.UserException(
            "metric 'codes' needs an image run with a categorical InfoGAN code"
                + " (model.infogan.categorical > 0)");
      }
      if (m.equals("codes") && c.model().infogan().categorical() > Classifier.CLASSES) {
        throw new Main.UserException(
            "metric 'codes': "
                + c.model().infogan().categorical()
                + " code values cannot map one-to-one onto the classifier's "
                + Classifier.CLASSES
                + " classes");
      }
      if (m.equals("class-accuracy") && (mixture || !c.model().conditional())) {
        throw new Main.UserException(
            "metric 'class-accuracy' needs a conditional image run (model.conditional = true)");
      }
      if (m.equals("class-accuracy") && c.objective().classes() != Classifier.CLASSES) {
        throw new Main.UserException(
            "metric 'class-accuracy': the run has "
                + c.objective().classes()
                + " classes (objective.classes, model.conditional) but the classifier labels "
                + Classifier.CLASSES);
      }
      if (mixture ? IMAGE.contains(m) : m.equals("modes")) {
        throw new Main.UserException(
            "metric '"
                + m
                + "' does not apply to "
                + (mixture
                    ? "2-D data (use modes, parzen, jsd)"
                    : "images (modes is for 2-D data)"));
      }
    }
    GeneratorTrainer g = GeneratorTrainer.create(c, data.sampleShape());
    INDArray params = tensors.get(Player.GENERATOR.label());
    if (params == null || params.length() != g.network().numParams()) {
      throw new CheckpointException(dir + ": no generator tensor matching the run's config");
    }
    g.network().copyParamsFrom(params);
    boolean ema = tensors.containsKey("generator_ema");
    if (ema) {
      g.restoreEma(tensors.get("generator_ema"));
    }
    PrintWriter out = spec.commandLine().getOut();
    String scored = dir + (ema ? " (G-EMA)" : "");
    Json json = Json.object().put("checkpoint", dir.getFileName().toString()).put("ema", ema);
    long t0 = System.nanoTime();
    if (mixture || asked.stream().noneMatch(IMAGE::contains)) {
      out.println("agon eval: " + scored);
    }
    if (!mixture && asked.stream().anyMatch(IMAGE::contains)) {
      ImageSource source = (ImageSource) data;
      float[] pixels = Sampling.samples(g, n);
      long[] shape = source.imageShape();
      INDArray images = Nd4j.create(pixels, new long[] {n, shape[0], shape[1], shape[2]}, 'c');
      Set<String> image = new LinkedHashSet<>(asked);
      image.retainAll(IMAGE);
      scoreImages(images, source.dataset(), image, scored, json);
    }
    if (!mixture
        && (asked.contains("parzen") || asked.contains("jsd"))
        && c.data().kind() != dev.agon.config.DataKind.FASHION_MNIST) {
      throw new Main.UserException(
          "parzen and jsd take their held-out images from Fashion-MNIST's splits; this run's data"
              + " is "
              + c.data().kind().name().toLowerCase(Locale.ROOT));
    }
    if (asked.contains("codes")) {
      codes(g, ((ImageSource) data).imageShape(), out, json);
    }
    if (asked.contains("class-accuracy")) {
      classAccuracy(g, ((ImageSource) data).imageShape(), out, json);
    }
    if (asked.contains("modes")) {
      Mixture2d m = (Mixture2d) data;
      ModeMetrics.Result modes = ModeMetrics.score(Sampling.samples(g, n), m.centres(), m.std());
      row(out, "modes", modes.summary());
      json.put("modes", modes.modes())
          .put("total_modes", modes.totalModes())
          .put("high_quality", modes.highQualityFraction())
          .put("reverse_kl", modes.reverseKl())
          .put("protocol_modes", n + " samples; within 3 std of a centre is high quality");
    }
    if (asked.contains("parzen")) {
      ParzenWindow.Result p = parzen(c, g, data);
      row(out, "Parzen LL", p.summary());
      json.put("parzen_ll", p.meanLogLikelihood())
          .put("parzen_se", p.standardError())
          .put("parzen_sigma", p.sigma())
          .put("protocol_parzen", parzenProtocol(mixture));
    }
    if (asked.contains("jsd")) {
      JsdBound.Result b = jsd(c, tensors, g, data, dir);
      row(out, "JSD bound", b.summary());
      json.put("jsd_value", b.value())
          .put("jsd_lower_bound", b.jsdLowerBound())
          .put("protocol_jsd", b.protocol());
    }
    if (asked.contains("classifier")) {
      ClassifierProbe probe = ClassifierProbe.create(c, data.sampleShape(), n);
      INDArray dParams = tensors.get(Player.DISCRIMINATOR.label());
      if (dParams == null || dParams.length() != probe.numParams()) {
        throw new CheckpointException(dir + ": no discriminator tensor matching the run's config");
      }
      double accuracy = probe.accuracy(dParams);
      row(out, "D classifier", String.format(Locale.ROOT, "%.4f", accuracy));
      json.put("classifier_accuracy", accuracy)
          .put(
              "protocol_classifier",
              "argmax of D's K logits on the first "
                  + probe.count()
                  + " images of the Fashion-MNIST split the run does not train on");
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    out.println(String.format(Locale.ROOT, "(%.1f s)", seconds));
    Path jsonFile = dir.resolve("eval.json");
    Files.writeString(jsonFile, json.put("seconds", seconds).end() + "\n", StandardCharsets.UTF_8);
    out.println("wrote " + jsonFile);
    return 0;
  }

  /** The classifier metrics of {@code images} against {@code reference}; prints the table. */
  private void scoreImages(
      INDArray images, ImageDataset reference, Set<String> asked, String scored, Json json) {
    Path clfDir = classifierDir != null ? classifierDir : shippedClassifier();
    ClassifierStore.Loaded clf = ClassifierStore.load(clfDir);
    String clfName = dev.agon.train.ImageScorer.classifierName(clf);
    PrintWriter out = spec.commandLine().getOut();
    long t0 = System.nanoTime();
    Reference.Loaded ref =
        Reference.cached(
            clf.classifier(), reference, cacheDir != null ? cacheDir : Reference.defaultCacheDir());
    double refSeconds = (System.nanoTime() - t0) / 1e9;
    ImageMetrics.Report r =
        ImageMetrics.score(
            clf.classifier(), clfName, images, ref.reference(), asked, seed, neighbours);
    double seconds;
    out.println("agon eval: " + scored + " against " + reference.name() + ", " + clfName);
    out.print(r.table());
    // The classifier-free indicators the Evaluator reports on every image data set, on the same
    // first min(N, 1,000) samples and seeded real images (O(points²·C·H·W), under a second here).
    int n = (int) images.size(0);
    int points = dev.agon.eval.PixelCollapse.points(n, reference);
    if (points >= 2) {
      var pc = dev.agon.eval.PixelCollapse.of(reference, points, seed);
      float[] px = new float[(int) images.length()];
      dev.agon.tensor.DenseAccess.floatBuffer(images).get(px);
      var pr = pc.score(px, n);
      row(out, "pixel duplicates", pr.summary());
      json.put("pixel_duplicate_ratio", pr.duplicateRatio())
          .put("pixel_distance_ratio", pr.distanceRatio())
          .put("protocol_pixel_collapse", pc.protocol());
    }
    seconds = (System.nanoTime() - t0) / 1e9;
    out.println(
        String.format(
            Locale.ROOT,
            "(%.1f s; real features %s in %.1f s)",
            seconds,
            ref.source() == Reference.Source.CACHE ? "read from the cache" : "computed",
            refSeconds));
    json.put("samples", r.samples()).put("real_samples", r.realSamples());
    r.putInto(json, true).put("reference_cached", ref.source() == Reference.Source.CACHE);
    if (real != null) {
      out.println(json.put("seconds", seconds).end());
    }
  }

  /**
   * Goodfellow et al. 2014, Table 1: σ from logspace(−1, 0, 10) on a validation set, {@code
   * --parzen-samples} generator samples as centres, mean ± standard error on a test set. Images are
   * scaled to [0, 1] as in that paper; validation = the last 10,000 Fashion-MNIST train images,
   * test = the test split. 2-D data: fresh validation and test samples of the mixture.
   */
  private ParzenWindow.Result parzen(AgonConfig c, GeneratorTrainer g, BatchSource data) {
    int dims = data.dims();
    double[][] centres = rows(Sampling.samples(g, parzenSamples), dims, data instanceof Mixture2d);
    double[][] validation;
    double[][] test;
    if (data instanceof Mixture2d m) {
      // Noise indices far past any training batch: fresh points of the same mixture.
      validation = rows(m.sample(Long.MAX_VALUE / 4, PARZEN_VALIDATION), dims, true);
      test = rows(m.sample(Long.MAX_VALUE / 4 + 1, PARZEN_VALIDATION), dims, true);
    } else {
      Datasets ds = Datasets.standard();
      ImageDataset train = ds.load("fashion-mnist", "train", Optional.empty());
      ImageDataset testSet = ds.load("fashion-mnist", "test", Optional.empty());
      if (train.sampleSize() != dims) {
        throw new Main.UserException(
            "parzen compares with Fashion-MNIST; this run's images have " + dims + " values");
      }
      int[] idx = new int[PARZEN_VALIDATION];
      Arrays.setAll(idx, i -> train.size() - PARZEN_VALIDATION + i);
      validation = rows(Tensors.toFloats(train.batch(idx)), dims, false);
      int[] all = new int[testSet.size()];
      Arrays.setAll(all, i -> i);
      test = rows(Tensors.toFloats(testSet.batch(all)), dims, false);
    }
    return ParzenWindow.fit(centres, validation, test);
  }

  private static String parzenProtocol(boolean mixture) {
    return "Goodfellow et al. 2014 Table 1: sigma from logspace(-1, 0, 10) on validation, "
        + (mixture
            ? "fresh mixture samples for validation and test"
            : "pixels in [0, 1], validation = last 10,000 train images, test = test split");
  }

  /** Rows of a flat [n, dims] array; images are mapped from [−1, 1] to [0, 1]. */
  private static double[][] rows(float[] flat, int dims, boolean raw) {
    int count = flat.length / dims;
    double[][] out = new double[count][dims];
    for (int i = 0; i < count; i++) {
      for (int j = 0; j < dims; j++) {
        double v = flat[i * dims + j];
        out[i][j] = raw ? v : (v + 1) / 2;
      }
    }
    return out;
  }

  /**
   * The JSD lower bound of Goodfellow et al. 2014, eq. 6, from the checkpoint's D on held-out real
   * data and fresh fakes ({@link JsdProbe}: the same code as the Evaluator's).
   */
  private JsdBound.Result jsd(
      AgonConfig c, Map<String, INDArray> tensors, GeneratorTrainer g, BatchSource data, Path dir)
      throws CheckpointException {
    JsdProbe.unavailable(c, data)
        .ifPresent(
            why -> {
              throw new Main.UserException(why);
            });
    JsdProbe probe = JsdProbe.create(c, data, jsdSamples);
    INDArray dParams = tensors.get(Player.DISCRIMINATOR.label());
    if (dParams == null || dParams.length() != probe.numParams()) {
      throw new CheckpointException(dir + ": no discriminator tensor matching the run's config");
    }
    return probe.bound(dParams, Sampling.samples(g, probe.count()), probe.count());
  }

  /**
   * InfoGAN: n / K samples of each categorical code value, labelled by the classifier; the accuracy
   * of the best one-to-one mapping of values to classes (Chen et al. 2016, Sec. 7.1).
   */
  private void codes(GeneratorTrainer g, long[] shape, PrintWriter out, Json json) {
    int k = g.categoricalValues();
    int perValue = Math.max(1, n / k);
    Path clfDir = classifierDir != null ? classifierDir : shippedClassifier();
    ClassifierStore.Loaded clf = ClassifierStore.load(clfDir);
    float[] probs = probabilitiesByCategory(g, shape, perValue, clf);
    int classes = Classifier.CLASSES;
    long[][] confusion = new long[k][classes];
    for (int i = 0; i < k * perValue; i++) {
      int arg = 0;
      for (int j = 1; j < classes; j++) {
        if (probs[i * classes + j] > probs[i * classes + arg]) {
          arg = j;
        }
      }
      confusion[i / perValue][arg]++;
    }
    CodeAccuracy.Result r = CodeAccuracy.best(confusion);
    row(
        out,
        "code accuracy",
        String.format(
            Locale.ROOT, "%.4f (value -> class %s)", r.accuracy(), Arrays.toString(r.classOf())));
    json.put("code_accuracy", r.accuracy())
        .put(
            "protocol_codes",
            perValue
                + " samples per code value, "
                + dev.agon.train.ImageScorer.classifierName(clf)
                + " labels, best one-to-one mapping");
  }

  /**
   * The classifier's probabilities ({@code [K * perValue, CLASSES]}, row-major) of {@code perValue}
   * samples of each categorical value of {@code g} (InfoGAN code or class), value-major as {@code
   * agon sample} draws its rows.
   */
  private static float[] probabilitiesByCategory(
      GeneratorTrainer g, long[] shape, int perValue, ClassifierStore.Loaded clf) {
    int k = g.categoricalValues();
    float[] pixels = Sampling.samplesByCategory(g, perValue);
    INDArray images =
        Nd4j.create(pixels, new long[] {(long) k * perValue, shape[0], shape[1], shape[2]}, 'c');
    return Tensors.toFloats(clf.classifier().probabilities(images));
  }

  /**
   * Conditional runs: n / K samples of each class, drawn as {@code agon sample} draws its class
   * rows (so {@code sample --class C} shows the images scored for C), labelled by the classifier;
   * the fraction of each class labelled as that class, and their mean. Costs one classifier pass
   * over about n images.
   */
  private void classAccuracy(GeneratorTrainer g, long[] shape, PrintWriter out, Json json) {
    int k = g.categoricalValues();
    int perValue = Math.max(1, n / k);
    Path clfDir = classifierDir != null ? classifierDir : shippedClassifier();
    ClassifierStore.Loaded clf = ClassifierStore.load(clfDir);
    float[] probs = probabilitiesByCategory(g, shape, perValue, clf);
    ClassAccuracy.Result r = ClassAccuracy.score(probs, Classifier.CLASSES, k, perValue);
    StringBuilder each = new StringBuilder();
    for (int cl = 0; cl < k; cl++) {
      each.append(cl == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.3f", r.perClass()[cl]));
      json.put("class_accuracy_" + cl, r.perClass()[cl]);
    }
    row(out, "class accuracy", String.format(Locale.ROOT, "%.4f (per class %s)", r.mean(), each));
    json.put("class_accuracy", r.mean())
        .put(
            "protocol_class_accuracy",
            perValue
                + " samples per class, "
                + dev.agon.train.ImageScorer.classifierName(clf)
                + " labels (argmax), mean over "
                + k
                + " classes");
  }

  private void row(PrintWriter out, String name, String value) {
    out.print(String.format(Locale.ROOT, "%-20s %s%n", name, value));
  }

  /** The shipped classifier, found like the shipped data (working directory, then the checkout). */
  private static Path shippedClassifier() {
    return ClassifierStore.shipped()
        .orElseThrow(
            () ->
                new Main.UserException(
                    "no classifier given and data/classifiers/fashion-mnist-cnn not found; use"
                        + " --classifier DIR"));
  }
}
