package dev.agon.train;

import dev.agon.config.AgonConfig;
import dev.agon.config.DataKind;
import dev.agon.data.BatchSource;
import dev.agon.data.ImageSource;
import dev.agon.eval.ClassifierStore;
import dev.agon.eval.CollapseIndicators;
import dev.agon.eval.ImageGrid;
import dev.agon.eval.ImageMetrics;
import dev.agon.eval.JsdBound;
import dev.agon.eval.PixelCollapse;
import dev.agon.eval.Reference;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The evaluation of an image GAN: {@code eval.samples} generator samples drawn with {@link
 * Sampling} (the same noise at every evaluation, so two snapshots differ only by G's weights),
 * scored with the classifier metrics of {@code eval.metrics} ({@link ImageMetrics}) against the
 * training data, and, with {@code eval.plots}, the first {@value #GRID} of them drawn as an 8 x 8
 * grid to {@code samples/step-NNNNNNN.png} and {@code samples/latest.png} ({@link SamplePlots}).
 *
 * <p>The numbers equal those of {@code agon eval --n <eval.samples> --neighbours <eval.samples>
 * --seed 1} on a checkpoint of the same weights: same samples, same code, same seed. The real side
 * (the training data's classifier features) is computed once, on the scorer's thread when it is
 * built, or read from the reference cache ({@link Reference#cached}).
 *
 * <p>With {@code eval.jsd}, given the D that G's scored update trained against, it also computes
 * the JSD bound ({@link JsdProbe}) on the held-out split and the same samples; with {@code
 * objective.kind = semi-supervised}, D's test accuracy as a classifier ({@link ClassifierProbe}).
 *
 * <p>On every image data set, classifier or not, it computes the classifier-free collapse
 * indicators ({@link PixelCollapse}): the first min({@code eval.samples}, {@value
 * PixelCollapse#MAX_POINTS}) samples against as many real images, seeded, their real side measured
 * once when the scorer is built. Without a classifier that many samples are drawn (at least the
 * grid's {@value #GRID}), so a collapsed run raises a metric and the collapse alert even where it
 * has no class or feature metric.
 *
 * <p>Cost per evaluation: G forward passes over the samples, one classifier pass, then the metrics
 * (at 5,000 samples on one core: is + fid + classes about 3 s, pr and dc about 5 s each, kid about
 * 9 s), for the JSD bound one D pass over the held-out and the generated images, and for the pixel
 * indicators O(points²·C·H·W) (about half a second at 1,000 28 x 28 images).
 */
public final class ImageScorer implements Scorer {
  /** Images per grid. */
  public static final int GRID = 64;

  /** Seed of KID's subsets and the neighbourhood subsets, the default of {@code agon eval}. */
  public static final long METRICS_SEED = 1;

  private static final int COLUMNS = 8;
  private static final int SCALE = 3;

  private final GeneratorTrainer generator;
  private final long[] shape;
  private final Path plotDir;
  private final int samples;
  private final Set<String> metrics;
  private final ClassifierStore.Loaded classifier;
  private final Reference.Loaded reference;
  private final JsdProbe jsd;
  private final ClassifierProbe classifierProbe;
  private final PixelCollapse pixelCollapse;
  private final String description;

  /** A scorer of {@code c}'s generator; grids go to {@code runDir/samples/}. */
  public ImageScorer(AgonConfig c, Path runDir) throws IOException {
    BatchSource data = Factory.data(c);
    if (!(data instanceof ImageSource images)) {
      throw new IllegalArgumentException("not image data: " + data.getClass().getSimpleName());
    }
    this.shape = images.imageShape();
    this.generator = GeneratorTrainer.create(c, data.sampleShape());
    this.plotDir = c.eval().plots() ? runDir.resolve("samples") : null;
    if (plotDir != null) {
      Files.createDirectories(plotDir);
    }
    Optional<String> noJsd =
        c.eval().jsd() ? JsdProbe.unavailable(c, data) : Optional.of("eval.jsd = false");
    this.jsd = noJsd.isEmpty() ? JsdProbe.create(c, data, c.eval().samples()) : null;
    Optional<String> noAccuracy = ClassifierProbe.unavailable(c);
    ClassifierProbe probe = null;
    if (noAccuracy.isEmpty()) {
      try {
        probe = ClassifierProbe.create(c, data.sampleShape(), c.eval().samples());
      } catch (dev.agon.data.DatasetException e) {
        noAccuracy = Optional.of("no held-out split: " + e.getMessage());
      }
    }
    this.classifierProbe = probe;
    int points = PixelCollapse.points(c.eval().samples(), images.dataset());
    this.pixelCollapse =
        points >= 2 ? PixelCollapse.of(images.dataset(), points, METRICS_SEED) : null;
    String jsdDescription =
        (pixelCollapse != null
                ? "; pixel-space collapse indicators of " + points + " samples"
                : "; no pixel-space collapse indicators: fewer than 2 samples or real images")
            + (jsd != null
                ? "; JSD bound on " + jsd.count() + " held-out images"
                : "; no JSD bound: " + noJsd.get())
            + (probe != null
                ? "; D's classifier accuracy on " + probe.count() + " held-out images"
                : c.objective().kind() == dev.agon.config.ObjectiveKind.SEMI_SUPERVISED
                    ? "; no classifier accuracy: " + noAccuracy.get()
                    : "");
    Optional<Path> clfDir = classifierDir(c);
    if (clfDir.isPresent() && !c.eval().metrics().isEmpty()) {
      this.classifier = ClassifierStore.load(clfDir.get());
      this.metrics = new LinkedHashSet<>(c.eval().metrics());
      this.samples = c.eval().samples();
      Path cache =
          c.eval().referenceCache().isBlank()
              ? Reference.defaultCacheDir()
              : Path.of(c.eval().referenceCache());
      long t0 = System.nanoTime();
      this.reference = Reference.cached(classifier.classifier(), images.dataset(), cache);
      this.description =
          String.format(
              java.util.Locale.ROOT,
              "%s of %d samples against %s with classifier %s; real features %s (%.1f s)%s",
              String.join(", ", metrics),
              samples,
              images.dataset().name(),
              classifier.dir().getFileName(),
              reference.source() == Reference.Source.CACHE
                  ? "read from " + reference.file()
                  : "computed"
                      + (reference.file() != null ? ", cached in " + reference.file() : ""),
              (System.nanoTime() - t0) / 1e9,
              jsdDescription + (plotDir != null ? "; grids in " + plotDir : ""));
    } else {
      this.classifier = null;
      this.reference = null;
      this.metrics = Set.of();
      this.samples = GRID;
      this.description =
          (c.eval().metrics().isEmpty()
                  ? "no image metrics (eval.metrics is empty)"
                  : c.data().kind() == DataKind.FASHION_MNIST
                      ? "no image metrics: the shipped classifier"
                          + " data/classifiers/fashion-mnist-cnn is not under "
                          + dev.agon.data.Datasets.projectRoots()
                          + " (set eval.classifier)"
                      : "no image metrics: no classifier for data.kind = "
                          + c.data()
                              .kind()
                              .name()
                              .toLowerCase(java.util.Locale.ROOT)
                              .replace('_', '-')
                          + " (set eval.classifier)")
              + jsdDescription
              + (plotDir != null ? "; grids in " + plotDir : "");
    }
  }

  /** As the constructor, for a {@code Supplier<Scorer>}: I/O failures are unchecked. */
  public static ImageScorer create(AgonConfig c, Path runDir) {
    try {
      return new ImageScorer(c, runDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The classifier an image run is scored with: {@code eval.classifier}, else the shipped one for
   * Fashion-MNIST data, else none.
   */
  public static Optional<Path> classifierDir(AgonConfig c) {
    if (!c.eval().classifier().isBlank()) {
      return Optional.of(Path.of(c.eval().classifier()));
    }
    return c.data().kind() == DataKind.FASHION_MNIST ? ClassifierStore.shipped() : Optional.empty();
  }

  /** Whether this scorer computes classifier metrics (else it only draws grids). */
  public boolean scoresMetrics() {
    return classifier != null;
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public Score score(long step, boolean ema, INDArray params, INDArray discriminator)
      throws IOException {
    generator.network().copyParamsFrom(params);
    int n =
        Math.max(
            Math.max(samples, GRID),
            Math.max(
                jsd != null ? jsd.count() : 0, pixelCollapse != null ? pixelCollapse.points() : 0));
    float[] pixels = Sampling.samples(generator, n);
    Path plot =
        plotDir == null
            ? null
            : SamplePlots.write(
                plotDir,
                step,
                ema,
                f ->
                    ImageGrid.writePng(
                        f,
                        pixels,
                        GRID,
                        (int) shape[0],
                        (int) shape[1],
                        (int) shape[2],
                        COLUMNS,
                        SCALE));
    ImageMetrics.Report report = null;
    if (classifier != null) {
      INDArray images = Nd4j.create(pixels, new long[] {n, shape[0], shape[1], shape[2]}, 'c');
      report =
          ImageMetrics.score(
              classifier.classifier(),
              classifierName(classifier),
              images,
              reference.reference(),
              metrics,
              METRICS_SEED,
              n);
    }
    JsdBound.Result bound =
        jsd == null || discriminator == null ? null : jsd.bound(discriminator, pixels, n);
    CollapseIndicators.FeatureResult collapse =
        pixelCollapse == null ? null : pixelCollapse.score(pixels, n);
    Double accuracy =
        classifierProbe == null || discriminator == null
            ? null
            : classifierProbe.accuracy(discriminator);
    return new Score(n, null, plot, report, bound, collapse, accuracy);
  }

  /** How reports name a classifier: its directory and test accuracy. */
  public static String classifierName(ClassifierStore.Loaded c) {
    return c.dir().getFileName() + " (test accuracy " + c.metadata().testAccuracy() + ")";
  }
}
