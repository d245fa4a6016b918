package dev.agon.cli;

import dev.agon.checkpoint.CheckpointException;
import dev.agon.checkpoint.CheckpointStore;
import dev.agon.config.AgonConfig;
import dev.agon.config.ConfigLoader;
import dev.agon.data.BatchSource;
import dev.agon.data.Datasets;
import dev.agon.data.ImageDataset;
import dev.agon.data.ImageSource;
import dev.agon.eval.ClassifierStore;
import dev.agon.eval.ImageMetrics;
import dev.agon.train.Factory;
import dev.agon.train.GeneratorTrainer;
import dev.agon.train.Sampling;
import dev.agon.util.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code agon eval}: scores a run's generator, or one data split against another (the reference row
 * every table needs), with a classifier standing in for Inception.
 */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description =
        "Score a run's generator (or, with --real, one data split against another) with the"
            + " shipped classifier: IS, FID, KID, precision/recall, density/coverage, classes.")
final class EvalCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--run", paramLabel = "DIR", description = "Run directory to score.")
  Path run;

  @Option(
      names = "--step",
      paramLabel = "N",
      description = "Checkpoint to score (G step); default: the latest.")
  Long step;

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
      defaultValue = "is,fid,kid,pr,dc,classes",
      description = "Metrics to compute (default: ${DEFAULT-VALUE}).")
  Set<String> metrics;

  @Option(
      names = "--n",
      defaultValue = "10000",
      description = "Generated samples (or images of split A) to score (default ${DEFAULT-VALUE}).")
  int n;

  @Option(
      names = "--classifier",
      paramLabel = "DIR",
      description =
          "Classifier directory (default: the shipped data/classifiers/fashion-mnist-cnn).")
  Path classifierDir;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of KID's subsets.")
  long seed;

  @Override
  public Integer call() throws IOException, CheckpointException {
    if ((run == null) == (real == null)) {
      throw new Main.UserException("give exactly one of --run DIR and --real A:B");
    }
    if (n < 2) {
      throw new Main.UserException("--n must be at least 2, got " + n);
    }
    Path clfDir = classifierDir != null ? classifierDir : shippedClassifier();
    ClassifierStore.Loaded clf = ClassifierStore.load(clfDir);
    String clfName =
        clf.dir().getFileName() + " (test accuracy " + clf.metadata().testAccuracy() + ")";
    PrintWriter out = spec.commandLine().getOut();
    Set<String> asked = new LinkedHashSet<>(metrics);
    ImageDataset reference;
    INDArray images;
    Path jsonFile = null;
    String scored;
    if (real != null) {
      String[] ab = real.split(":");
      if (ab.length != 2) {
        throw new Main.UserException("--real takes A:B, e.g. test:train; got " + real);
      }
      Datasets ds = Datasets.standard();
      ImageDataset a = ds.load("fashion-mnist", ab[0], Optional.empty());
      reference = ds.load("fashion-mnist", ab[1], Optional.empty());
      int m = Math.min(n, a.size());
      int[] idx = new int[m];
      Arrays.setAll(idx, i -> i);
      images = a.batch(idx);
      scored = "fashion-mnist/" + ab[0] + " (first " + m + ")";
    } else {
      Path configFile = run.resolve("config.conf");
      if (!Files.isRegularFile(configFile)) {
        throw new Main.UserException(run + " is not a run directory (no config.conf)");
      }
      AgonConfig c =
          ConfigLoader.parseResolved(Files.readString(configFile), configFile.toString()).config();
      Path dir =
          step != null
              ? run.resolve("checkpoints").resolve(String.format(Locale.ROOT, "%010d", step))
              : CheckpointStore.latest(run)
                  .orElseThrow(() -> new Main.UserException(run + " has no checkpoint yet"));
      var tensors = CheckpointStore.read(dir).tensors();
      BatchSource data = Factory.data(c);
      if (!(data instanceof ImageSource source)) {
        throw new Main.UserException(
            "agon eval scores image runs; for 2-D data `agon sample` prints the mode metrics");
      }
      GeneratorTrainer g = GeneratorTrainer.create(c, data.sampleShape());
      INDArray params = tensors.get("generator");
      if (params == null || params.length() != g.network().numParams()) {
        throw new CheckpointException(dir + ": no generator tensor matching the run's config");
      }
      g.network().copyParamsFrom(params);
      boolean ema = tensors.containsKey("generator_ema");
      if (ema) {
        g.restoreEma(tensors.get("generator_ema"));
      }
      float[] pixels = Sampling.samples(g, n);
      long[] shape = source.imageShape();
      images = Nd4j.create(pixels, new long[] {n, shape[0], shape[1], shape[2]}, 'c');
      reference = source.dataset();
      jsonFile = dir.resolve("eval.json");
      scored = dir + (ema ? " (G-EMA)" : "");
    }
    long t0 = System.nanoTime();
    ImageMetrics.Report r =
        ImageMetrics.score(clf.classifier(), clfName, images, reference, asked, seed);
    double seconds = (System.nanoTime() - t0) / 1e9;
    out.println("agon eval: " + scored + " against " + reference.name() + ", " + clfName);
    out.print(r.table());
    out.println(String.format(Locale.ROOT, "(%.1f s)", seconds));
    if (jsonFile != null) {
      Files.writeString(jsonFile, json(r, seconds) + "\n", StandardCharsets.UTF_8);
      out.println("wrote " + jsonFile);
    }
    return 0;
  }

  private static String json(ImageMetrics.Report r, double seconds) {
    Json j = Json.object().put("samples", r.samples()).put("real_samples", r.realSamples());
    if (r.inceptionScore() != null) {
      j.put("is", r.inceptionScore().mean()).put("is_std", r.inceptionScore().std());
    }
    if (r.fid() != null) {
      j.put("fid", r.fid());
    }
    if (r.kid() != null) {
      j.put("kid", r.kid().mean()).put("kid_std", r.kid().std());
    }
    if (r.precisionRecall() != null) {
      j.put("precision", r.precisionRecall().precision())
          .put("recall", r.precisionRecall().recall());
    }
    if (r.densityCoverage() != null) {
      j.put("density", r.densityCoverage().density())
          .put("coverage", r.densityCoverage().coverage());
    }
    if (r.classes() != null) {
      j.put("classes_present", r.classes().classesPresent())
          .put("kl_to_data", r.classes().klToData())
          .put("class_entropy", r.classes().entropy());
    }
    if (r.duplicates() != null) {
      j.put("duplicate_ratio", r.duplicates().duplicateRatio())
          .put("distance_ratio", r.duplicates().distanceRatio());
    }
    for (Map.Entry<String, String> e : new java.util.TreeMap<>(r.protocol()).entrySet()) {
      j.put("protocol_" + e.getKey(), e.getValue());
    }
    return j.put("seconds", seconds).end();
  }

  /** The shipped classifier, found like the shipped data (working directory, then the checkout). */
  private static Path shippedClassifier() {
    for (Path root : Datasets.projectRoots()) {
      Path p = root.resolve("data").resolve("classifiers").resolve("fashion-mnist-cnn");
      if (Files.isDirectory(p)) {
        return p;
      }
    }
    throw new Main.UserException(
        "no classifier given and data/classifiers/fashion-mnist-cnn not found; use --classifier DIR");
  }
}
