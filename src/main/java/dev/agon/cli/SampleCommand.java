package dev.agon.cli;

import dev.agon.checkpoint.CheckpointException;
import dev.agon.checkpoint.CheckpointStore;
import dev.agon.config.AgonConfig;
import dev.agon.data.BatchSource;
import dev.agon.data.ImageSource;
import dev.agon.data.Mixture2d;
import dev.agon.eval.ImageGrid;
import dev.agon.eval.ModeMetrics;
import dev.agon.eval.Scatter2d;
import dev.agon.tensor.Npy;
import dev.agon.train.Factory;
import dev.agon.train.GeneratorTrainer;
import dev.agon.train.Sampling;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code agon sample}: generator samples of a run's newest checkpoint that reads back whole, as NPY
 * and/or PNG.
 */
@Command(
    name = "sample",
    mixinStandardHelpOptions = true,
    description = "Export generator samples of a run's newest checkpoint that reads back whole.")
final class SampleCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--run", required = true, paramLabel = "DIR", description = "Run directory.")
  Path run;

  @Option(names = "--n", defaultValue = "2500", description = "Number of samples (default 2500).")
  int n;

  @Option(
      names = "--out",
      paramLabel = "FILE.npy",
      description = "NPY file, float32 [N, dims] or [N, C, H, W] for images.")
  Path out;

  @Option(
      names = "--png",
      paramLabel = "FILE.png",
      description =
          "PNG: 2-D data drawn over the real modes, or images as a grid (scaled in [-1, 1]).")
  Path png;

  @Override
  public Integer call() throws IOException, CheckpointException {
    if (out == null && png == null) {
      throw new Main.UserException("nothing to write: give --out FILE.npy and/or --png FILE.png");
    }
    if (n < 1) {
      throw new Main.UserException("--n must be >= 1 (got " + n + ")");
    }
    AgonConfig c = RunDirectory.config(run);
    CheckpointStore.Checkpoint checkpoint =
        RunDirectory.newestWhole(run, spec.commandLine().getErr());
    Path dir = checkpoint.dir();
    var tensors = checkpoint.tensors();
    INDArray params = tensors.get("generator");
    if (params == null) {
      throw new CheckpointException(dir + ": no generator tensor");
    }
    BatchSource data = Factory.data(c);
    GeneratorTrainer g = GeneratorTrainer.create(c, data.sampleShape());
    if (params.length() != g.network().numParams()) {
      throw new CheckpointException(
          dir
              + ": generator has "
              + params.length()
              + " parameters, config needs "
              + g.network().numParams());
    }
    g.network().copyParamsFrom(params);
    if (tensors.containsKey("generator_ema")) {
      // The run kept an EMA of G's weights: samples come from it, as during evaluation.
      g.restoreEma(tensors.get("generator_ema"));
    }
    float[] xy = Sampling.samples(g, n);
    PrintWriter w = spec.commandLine().getOut();
    if (out != null) {
      long[] shape = imageShape(data);
      if (shape == null) {
        shape = new long[] {data.dims()};
      }
      long[] npyShape = new long[shape.length + 1];
      npyShape[0] = n;
      System.arraycopy(shape, 0, npyShape, 1, shape.length);
      Npy.writeFloat32(out, xy, npyShape);
      w.println(
          "wrote "
              + out
              + " ("
              + java.util.Arrays.stream(npyShape)
                  .mapToObj(Long::toString)
                  .collect(java.util.stream.Collectors.joining(" x "))
              + " float32)");
    }
    if (data instanceof Mixture2d mixture) {
      if (png != null) {
        Scatter2d.writePng(png, xy, mixture.centres(), mixture.std(), 640);
        w.println("wrote " + png);
      }
      w.println(ModeMetrics.score(xy, mixture.centres(), mixture.std()).summary());
    } else if (png != null) {
      long[] shape = imageShape(data);
      if (shape == null) {
        throw new Main.UserException(
            "--png draws 2-D samples or images; this run's data has " + data.dims() + " dims");
      }
      int cols = (int) Math.ceil(Math.sqrt(n));
      ImageGrid.writePng(
          png, xy, n, (int) shape[0], (int) shape[1], (int) shape[2], cols, n <= 64 ? 3 : 1);
      w.println("wrote " + png + " (" + n + " images, " + cols + " per row)");
    }
    return 0;
  }

  /** [C, H, W] of image data, else null. */
  private static long[] imageShape(BatchSource data) {
    return data instanceof ImageSource images ? images.imageShape() : null;
  }
}
