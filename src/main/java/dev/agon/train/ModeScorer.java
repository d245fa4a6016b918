package dev.agon.train;

import dev.agon.config.AgonConfig;
import dev.agon.data.BatchSource;
import dev.agon.data.Mixture2d;
import dev.agon.eval.ModeMetrics;
import dev.agon.eval.Scatter2d;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Mode coverage of a 2-D mixture (modes captured, % high quality, reverse KL; {@link ModeMetrics})
 * from {@code eval.samples} generator samples drawn with {@link Sampling}, so every evaluation
 * scores the same noise and two snapshots differ only by their weights. With {@code eval.plots} it
 * also draws the samples to {@code samples/step-NNNNNNN.png} (7-digit step; {@code -ema} before the
 * extension for G-EMA) and {@code samples/latest.png} (or {@code latest-ema.png}) in the run
 * directory. Each PNG is written to a {@code .tmp-*} file beside it and then moved into place, so
 * readers (the web page) never see a partial file, and a failed write leaves no temp file behind.
 */
public final class ModeScorer implements Scorer {
  /** Width and height of the sample plots. */
  public static final int PLOT_PX = 640;

  private static final String TMP_PREFIX = ".tmp-";

  private final GeneratorTrainer generator;
  private final Mixture2d mixture;
  private final double[][] centres;
  private final int samples;
  private final Path plotDir;

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
    return String.format(Locale.ROOT, "step-%07d%s.png", step, ema ? "-ema" : "");
  }

  @Override
  public Score score(long step, boolean ema, INDArray params) throws IOException {
    generator.network().copyParamsFrom(params);
    float[] xy = Sampling.samples(generator, samples);
    ModeMetrics.Result modes = ModeMetrics.score(xy, centres, mixture.std());
    Path plot = plotDir == null ? null : plot(xy, step, ema);
    return new Score(samples, modes, plot);
  }

  private Path plot(float[] xy, long step, boolean ema) throws IOException {
    Path target = plotDir.resolve(plotName(step, ema));
    Path latest = plotDir.resolve(ema ? "latest-ema.png" : "latest.png");
    Path tmp = Files.createTempFile(plotDir, TMP_PREFIX, ".png");
    Path tmpLatest = null;
    try {
      Scatter2d.writePng(tmp, xy, centres, mixture.std(), PLOT_PX);
      tmpLatest = Files.createTempFile(plotDir, TMP_PREFIX, ".png");
      Files.copy(tmp, tmpLatest, StandardCopyOption.REPLACE_EXISTING);
      moveAtomically(tmp, target);
      moveAtomically(tmpLatest, latest);
      return target;
    } finally {
      Files.deleteIfExists(tmp);
      if (tmpLatest != null) {
        Files.deleteIfExists(tmpLatest);
      }
    }
  }

  /** Renames {@code from} over {@code to} in one step where the file system can. */
  private static void moveAtomically(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
