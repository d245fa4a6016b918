package dev.agon.cli;

import dev.agon.checkpoint.CheckpointException;
import dev.agon.checkpoint.CheckpointStore;
import dev.agon.config.AgonConfig;
import dev.agon.config.Player;
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
 * {@code agon sample}: generator samples of a run's newest checkpoint that reads back whole (or the
 * one --step names), as NPY and/or PNG. A run with an InfoGAN categorical code (K values) always
 * samples by code value: ceil(n / K) samples of each value, value-major, so the PNG grid has one
 * row per value (same z and continuous codes down each column). A conditional run samples by class
 * the same way (one row per class), or with {@code --class C} class C only.
 */
@Command(
    name = "sample",
    mixinStandardHelpOptions = true,
    description =
        "Export generator samples of a run's newest checkpoint that reads back whole, or of the"
            + " one --step names.")
final class SampleCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--run", required = true, paramLabel = "DIR", description = "Run directory.")
  Path run;

  @Option(
      names = "--step",
      paramLabel = "N|best",
      description =
          "Checkpoint to sample: its G step, or best (the one checkpoint.best-metric kept);"
              + " default: the newest that reads back whole.")
  String step;

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

  @Option(
      names = "--class",
      paramLabel = "C",
      description =
          "Conditional runs (model.conditional): samples of class C only, 0 to objective.classes"
              + " - 1 (default: a grid of one row per class).")
  Integer classId;

  /**
   * Bytes held per sample value at once: the samples (a float), the NPY file's buffer (4 bytes) and
   * at most one PNG grid pixel (4 bytes). The generator's own buffers are bounded by the sampling
   * chunk and not counted.
   */
  static final int BYTES_PER_VALUE = 12;

  @Override
  public Integer call() throws IOException, CheckpointException {
    if (out == null && png == null) {
      throw new Main.UserException("nothing to write: give --out FILE.npy and/or --png FILE.png");
    }
    if (n < 1) {
      throw new Main.UserException("--n must be >= 1 (got " + n + ")");
    }
    // Every output is checked before anything is computed or written.
    OutputFiles outputs = new OutputFiles().add("--out", out).add("--png", png);
    AgonConfig c = RunDirectory.config(run, spec.commandLine().getErr());
    CheckpointStore.Checkpoint checkpoint =
        RunDirectory.chosen(run, step, spec.commandLine().getErr());
    Path dir = checkpoint.dir();
    if (classId != null && !c.model().conditional()) {
      throw new Main.UserException(
          "--class: the run is not conditional (model.conditional = false); it has no classes");
    }
    if (classId != null && (classId < 0 || classId >= c.objective().classes())) {
      throw new Main.UserException(
          "--class: must be in [0, "
              + (c.objective().classes() - 1)
              + "] (objective.classes = "
              + c.objective().classes()
              + "), got "
              + classId);
    }
    BatchSource data = Factory.data(c);
    long[] image = imageShape(data);
    if (png != null && !(data instanceof Mixture2d) && image == null) {
      throw new Main.UserException(
          "--png draws 2-D samples or images; this run's data has " + data.dims() + " dims");
    }
    long max = maxSamples(data.dims(), Runtime.getRuntime().maxMemory());
    if (n > max) {
      throw new Main.UserException(
          "--n: at most "
              + max
              + " samples of "
              + data.dims()
              + " values fit in memory (the "
              + (Runtime.getRuntime().maxMemory() >> 20)
              + " MiB heap: -Xmx, AGON_JAVA_OPTS; a .npy of at most 2 GiB) (got "
              + n
              + ")");
    }
    var tensors = checkpoint.tensors();
    INDArray params = tensors.get(Player.GENERATOR.label());
    if (params == null) {
      throw new CheckpointException(dir + ": no generator tensor");
    }
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
    int values = classId != null ? 0 : g.categoricalValues();
    int perValue = values == 0 ? 0 : (n + values - 1) / values;
    if (values > 0) {
      n = Math.multiplyExact(values, perValue); // K rows of perValue samples
      if (n > max) {
        throw new Main.UserException(
            "--n: " + values + " code values x " + perValue + " samples exceed " + max);
      }
    }
    float[] xy =
        classId != null
            ? Sampling.samplesOfClass(g, n, classId)
            : values == 0 ? Sampling.samples(g, n) : Sampling.samplesByCategory(g, perValue);
    final int count = n;
    long[] shape = image != null ? image : new long[] {data.dims()};
    long[] npyShape = new long[shape.length + 1];
    npyShape[0] = count;
    System.arraycopy(shape, 0, npyShape, 1, shape.length);
    int cols = values == 0 ? (int) Math.ceil(Math.sqrt(n)) : perValue;
    // Written to temporary files and renamed into place together: no partial output.
    try {
      if (out != null) {
        outputs.write("--out", f -> Npy.writeFloat32(f, xy, npyShape));
      }
      if (png != null && data instanceof Mixture2d mixture) {
        outputs.write(
            "--png", f -> Scatter2d.writePng(f, xy, mixture.centres(), mixture.std(), 640));
      } else if (png != null) {
        outputs.write(
            "--png",
            f ->
                ImageGrid.writePng(
                    f,
                    xy,
                    count,
                    (int) image[0],
                    (int) image[1],
                    (int) image[2],
                    cols,
                    count <= 64 ? 3 : 1));
      }
      outputs.commit();
    } finally {
      outputs.discard();
    }
    PrintWriter w = spec.commandLine().getOut();
    w.println(
        "from "
            + dir
            + " (G update "
            + checkpoint.step()
            + (tensors.containsKey("generator_ema") ? ", G-EMA weights)" : ", G's weights)"));
    if (out != null) {
      w.println(
          "wrote "
              + out
              + " ("
              + java.util.Arrays.stream(npyShape)
                  .mapToObj(Long::toString)
                  .collect(java.util.stream.Collectors.joining(" x "))
              + " float32)");
    }
    if (png != null) {
      w.println(
          "wrote "
              + png
              + (data instanceof Mixture2d
                  ? ""
                  : " ("
                      + n
                      + " images, "
                      + cols
                      + " per row"
                      + (values == 0
                          ? classId != null ? ", all of class " + classId : ""
                          : c.model().conditional()
                              ? ", one row per class"
                              : ", one row per InfoGAN code value")
                      + ")"));
    }
    if (data instanceof Mixture2d mixture) {
      w.println(ModeMetrics.score(xy, mixture.centres(), mixture.std()).summary());
    }
    return 0;
  }

  /**
   * The most samples of {@code dims} values that fit: {@link #BYTES_PER_VALUE} per value in {@code
   * heapBytes}, and at most a Java array's worth of bytes in the NPY buffer.
   */
  static long maxSamples(int dims, long heapBytes) {
    long byArray = (Integer.MAX_VALUE - 1024L) / 4 / dims;
    long byMemory = heapBytes / ((long) BYTES_PER_VALUE * dims);
    return Math.min(byArray, byMemory);
  }

  /** [C, H, W] of image data, else null. */
  private static long[] imageShape(BatchSource data) {
    return data instanceof ImageSource images ? images.imageShape() : null;
  }
}
