package dev.agon.train;

import dev.agon.config.AgonConfig;
import dev.agon.data.BatchSource;
import dev.agon.eval.ImageGrid;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The evaluation of an image GAN until the image metrics arrive: an 8 x 8 grid of generator samples
 * from a fixed noise tensor (the first {@value #GRID} samples of {@link Sampling}, so every grid of
 * a run shows the same z and two grids differ only by G's weights), written to {@code
 * samples/step-NNNNNNN.png} and {@code samples/latest.png} through {@link SamplePlots}. Costs one
 * generator forward pass of {@link Sampling#IMAGE_CHUNK} samples.
 */
public final class ImageScorer implements Scorer {
  /** Images per grid. */
  public static final int GRID = 64;

  private static final int COLUMNS = 8;
  private static final int SCALE = 3;

  private final GeneratorTrainer generator;
  private final long[] shape;
  private final Path plotDir;

  /** A scorer of {@code c}'s generator; grids go to {@code runDir/samples/}. */
  public ImageScorer(AgonConfig c, Path runDir) throws IOException {
    BatchSource data = Factory.data(c);
    long[] s = data.sampleShape();
    this.shape = s.length == 3 ? s : imageShape(data);
    this.generator = GeneratorTrainer.create(c, s);
    this.plotDir = runDir.resolve("samples");
    Files.createDirectories(plotDir);
  }

  /** As the constructor, for a {@code Supplier<Scorer>}: I/O failures are unchecked. */
  public static ImageScorer create(AgonConfig c, Path runDir) {
    try {
      return new ImageScorer(c, runDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** [C, H, W] of flat image data (MLP-style networks see C*H*W vectors). */
  private static long[] imageShape(BatchSource data) {
    if (data instanceof dev.agon.data.ImageSource images) {
      return images.imageShape();
    }
    throw new IllegalArgumentException("not image data: " + data.getClass().getSimpleName());
  }

  @Override
  public Score score(long step, boolean ema, INDArray params) throws IOException {
    generator.network().copyParamsFrom(params);
    float[] pixels = Sampling.samples(generator, GRID);
    Path plot =
        SamplePlots.write(
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
    return new Score(GRID, null, plot);
  }
}
