package dev.agon.train;

import dev.agon.config.AgonConfig;
import dev.agon.data.BatchSource;
import dev.agon.data.Mixture2d;
import dev.agon.eval.JsdBound;
import dev.agon.eval.ModeMetrics;
import dev.agon.eval.Scatter2d;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Mode coverage of a 2-D mixture (modes captured, % high quality, reverse KL; {@link ModeMetrics})
 * from {@code eval.samples} generator samples drawn with {@link Sampling}, so every evaluation
 * scores the same noise and two snapshots differ only by their weights. With {@code eval.plots} it
 * also draws the samples to {@code samples/step-NNNNNNN.png} (7-digit step; {@code -ema} before the
 * extension for G-EMA) and {@code samples/latest.png} (or {@code latest-ema.png}) in the run
 * directory, through {@link SamplePlots} (atomic moves). With {@code eval.jsd} it also computes the
 * JSD bound ({@link JsdProbe}) of the D that G's scored update trained against, on fresh mixture
 * samples and the same generator samples.
 */
public final class ModeScorer implements Scorer {
  /** Width and height of the sample plots. */
  public static final int PLOT_PX = 640;

  private final GeneratorTrainer generator;
  private final Mixture2d mixture;
  private final double[][] centres;
  private final int samples;
  private final Path plotDir;
  private final JsdProbe jsd;
  private final String description;

  /**
   * A scorer of {@code c}'s generator against {@code c}'s data, which must be a 2-D mixture; plots
   * go to {@code runDir/samples/} when {@code eval.plots} and {@code runDir} is not null.
   */
  public ModeScorer(AgonConfig c, Path runDir) throws IOException {
    BatchSource data = Factory.data(c);
    if (!(data instanceof Mixture2d m)) {
      throw new IllegalArgumentException(
          "mode metrics score 2-D mixtures; this run's data has " + data.dims() + " dims");
    }
    this.mixture = m;
    this.centres = m.centres();
    this.generator = GeneratorTrainer.create(c, m.dims());
    this.samples = c.eval().samples();
    this.plotDir = c.eval().plots() && runDir != null ? runDir.resolve("samples") : null;
    if (plotDir != null) {
      Files.createDirectories(plotDir);
    }
    java.util.Optional<String> noJsd =
        c.eval().jsd() ? JsdProbe.unavailable(c, m) : java.util.Optional.of("eval.jsd = false");
    this.jsd = noJsd.isEmpty() ? JsdProbe.create(c, m, samples) : null;
    this.description =
        "modes, high quality, reverse KL of "
            + samples
            + " samples"
            + (jsd != null
                ? "; JSD bound on " + jsd.count() + " held-out samples"
                : "; no JSD bound: " + noJsd.get())
            + (plotDir != null ? "; plots in " + plotDir : "");
  }

  @Override
  public String describe() {
    return description;
  }

  /** As the constructor, for a {@code Supplier<Scorer>}: I/O failures are unchecked. */
  public static ModeScorer create(AgonConfig c, Path runDir) {
    try {
      return new ModeScorer(c, runDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The plot of G step {@code step}: {@code step-NNNNNNN.png}, or {@code step-NNNNNNN-ema.png}. */
  public static String plotName(long step, boolean ema) {
    return SamplePlots.name(step, ema);
  }

  @Override
  public Score score(long step, boolean ema, INDArray params, INDArray discriminator)
      throws IOException {
    generator.network().copyParamsFrom(params);
    float[] xy = Sampling.samples(generator, samples);
    ModeMetrics.Result modes = ModeMetrics.score(xy, centres, mixture.std());
    Path plot = plotDir == null ? null : plot(xy, step, ema);
    JsdBound.Result bound =
        jsd == null || discriminator == null ? null : jsd.bound(discriminator, xy, samples);
    return new Score(samples, modes, plot, null, bound, null);
  }

  private Path plot(float[] xy, long step, boolean ema) throws IOException {
    return SamplePlots.write(
        plotDir, step, ema, f -> Scatter2d.writePng(f, xy, centres, mixture.std(), PLOT_PX));
  }
}
