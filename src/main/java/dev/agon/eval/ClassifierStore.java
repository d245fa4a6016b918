package dev.agon.eval;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import dev.agon.nn.Sequential;
import dev.agon.util.DurableFiles;
import dev.agon.util.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Collectors;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A trained {@link Classifier} on disk: a directory holding {@code manifest.json} and two raw
 * little-endian float32 files, {@code params.f32} (the flat parameters, layer by layer in {@link
 * Classifier#LAYERS} order) and {@code state.f32} (the batch-norm running means and variances).
 *
 * <p>The manifest (format {@link #FORMAT_VERSION}) records the architecture name and its exact
 * layer list, the input shape, parameter and state counts, dtype, per tensor its file, shape and
 * SHA-256, and the {@link Metadata} of the training run. {@link #load} checks all of them and names
 * the file at fault; a directory is written to a temporary sibling, fsynced, then renamed into
 * place.
 */
public final class ClassifierStore {
  public static final int FORMAT_VERSION = 1;
  public static final String KIND = "agon-classifier";
  public static final String MANIFEST = "manifest.json";
  public static final String PARAMS = "params.f32";
  public static final String STATE = "state.f32";

  private ClassifierStore() {}

  /**
   * How the classifier was made and how good it is. {@code inceptionScore*}: the Inception Score of
   * the real test split under the classifier's own probabilities (the ceiling a generator can
   * reach); {@code learningRate}: Adam's initial rate, divided by 10 from epoch {@code lrDropEpoch}
   * (1-based) on, 0 for none; {@code command}: a command line that reproduces the files.
   */
  public record Metadata(
      String dataset,
      String trainSplit,
      int trainSize,
      String testSplit,
      int testSize,
      double testAccuracy,
      double inceptionScoreMean,
      double inceptionScoreStd,
      int inceptionScoreSplits,
      int epochs,
      int batchSize,
      double learningRate,
      int lrDropEpoch,
      double finalTrainLoss,
      long seed,
      String command) {}

  /**
   * The shipped Fashion-MNIST classifier, {@code data/classifiers/fashion-mnist-cnn} under the
   * working directory or the checkout ({@link dev.agon.data.Datasets#projectRoots}), if present.
   */
  public static java.util.Optional<Path> shipped() {
    for (Path root : dev.agon.data.Datasets.projectRoots()) {
      Path p = root.resolve("data").resolve("classifiers").resolve("fashion-mnist-cnn");
      if (java.nio.file.Files.isDirectory(p)) {
        return java.util.Optional.of(p);
      }
    }
    return java.util.Optional.empty();
  }

  /** A classifier as read back, with its metadata. */
  public record Loaded(Classifier classifier, Metadata metadata, Path dir) {}

  /**
   * Writes {@code classifier} and {@code meta} as directory {@code dir}; an existing classifier
   * directory there is replaced when {@code replace}, else it is an error.
   */
  public static void save(Classifier classifier, Metadata meta, Path dir, boolean replace)
      throws IOException {
    Path abs = dir.toAbsolutePath().normalize();
    Path parent = Files.createDirectories(abs.getParent());
    if (Files.exists(abs)) {
      if (!replace) {
        throw new IOException(dir + " already exists");
      }
      if (!Files.isRegularFile(abs.resolve(MANIFEST))) {
        throw new IOException(dir + " exists and is not a classifier directory; not replacing it");
      }
    }
    Path tmp = Files.createTempDirectory(parent, ".tmp-" + abs.getFileName() + "-");
    try {
      writeInto(tmp, classifier, meta);
      if (Files.exists(abs)) {
        Path old = Files.createTempDirectory(parent, ".old-" + abs.getFileName() + "-");
        Files.delete(old);
        Files.move(abs, old, StandardCopyOption.ATOMIC_MOVE);
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
        deleteTree(old);
      } else {
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
      }
      fsync(parent);
    } catch (IOException | RuntimeException e) {
      deleteTree(tmp);
      throw e;
    }
  }

  private static void writeInto(Path tmp, Classifier classifier, Metadata meta) throws IOException {
    Sequential net = classifier.network();
    byte[] params = littleEndian(net.params());
    byte[] state = littleEndian(net.state());
    String tensors =
        "["
            + tensorEntry("params", PARAMS, net.numParams(), params)
            + ","
            + tensorEntry("state", STATE, net.state().length(), state)
            + "]";
    String manifest =
        Json.object()
            .put("format", FORMAT_VERSION)
            .put("kind", KIND)
            .put("architecture", Classifier.ARCHITECTURE)
            .putRaw(
                "layers",
                Classifier.LAYERS.stream()
                    .map(Json::quote)
                    .collect(Collectors.joining(",", "[", "]")))
            .putRaw("input_shape", longs(Classifier.INPUT_SHAPE))
            .put("classes", Classifier.CLASSES)
            .put("features", Classifier.FEATURES)
            .put("feature_layer", Classifier.FEATURE_LAYER)
            .put("dtype", "float32")
            .put("num_params", net.numParams())
            .put("num_state", net.state().length())
            .putRaw("tensors", tensors)
            .putRaw("metadata", metadataJson(meta))
            .end();
    writeSynced(tmp.resolve(PARAMS), params);
    writeSynced(tmp.resolve(STATE), state);
    writeSynced(tmp.resolve(MANIFEST), pretty(manifest).getBytes(StandardCharsets.UTF_8));
    fsync(tmp);
  }

  private static String metadataJson(Metadata m) {
    return Json.object()
        .put("dataset", m.dataset())
        .put("train_split", m.trainSplit())
        .put("train_size", m.trainSize())
        .put("test_split", m.testSplit())
        .put("test_size", m.testSize())
        .put("test_accuracy", m.testAccuracy())
        .put("inception_score_test_mean", m.inceptionScoreMean())
        .put("inception_score_test_std", m.inceptionScoreStd())
        .put("inception_score_splits", m.inceptionScoreSplits())
        .put("epochs", m.epochs())
        .put("batch_size", m.batchSize())
        .put("learning_rate", m.learningRate())
        .put("lr_drop_epoch", m.lrDropEpoch())
        .put("final_train_loss", m.finalTrainLoss())
        .put("seed", m.seed())
        .put("command", m.command())
        .end();
  }

  /** Breaks the manifest's top-level entries onto lines so a diff of it reads well. */
  private static String pretty(String json) {
    StringBuilder out = new StringBuilder();
    int depth = 0;
    boolean inString = false;
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      if (inString) {
        out.append(c);
        if (c == '\\') {
          out.append(json.charAt(++i));
        } else if (c == '"') {
          inString = false;
        }
        continue;
      }
      if (c == '"') {
        inString = true;
      }
      if (c == '{' || c == '[') {
        depth++;
      } else if (c == '}' || c == ']') {
        depth--;
        if (depth == 0) {
          out.append('\n');
        }
      }
      out.append(c);
      if (depth == 1 && (c == '{' || c == ',')) {
        out.append("\n  ");
      }
    }
    return out.append('\n').toString();
  }

  private static String tensorEntry(String name, String file, long length, byte[] bytes) {
    return Json.object()
        .put("name", name)
        .put("file", file)
        .put("dtype", "float32")
        .putRaw("shape", "[" + length + "]")
        .put("sha256", sha256(bytes))
        .end();
  }

  private static String longs(long[] values) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < values.length; i++) {
      sb.append(i > 0 ? "," : "").append(values[i]);
    }
    return sb.append(']').toString();
  }

  /** Reads only the metadata of a classifier directory (after checking the manifest's format). */
  public static Metadata metadata(Path dir) {
    return metadata(manifest(dir), dir);
  }

  /**
   * Reads and verifies a classifier directory: format version, kind, architecture and layer list,
   * counts, shapes, file sizes and SHA-256 of each tensor file.
   */
  public static Loaded load(Path dir) {
    Config m = manifest(dir);
    Path manifestFile = dir.resolve(MANIFEST);
    try {
      if (!m.getStringList("layers").equals(Classifier.LAYERS)) {
        throw new ClassifierFileException(
            manifestFile + ": layer list differs from " + Classifier.ARCHITECTURE + "'s");
      }
      if (!m.getString("dtype").equals("float32")) {
        throw new ClassifierFileException(
            manifestFile + ": dtype " + m.getString("dtype") + ", expected float32");
      }
      Classifier c = Classifier.create(0);
      Sequential net = c.network();
      long numParams = m.getLong("num_params");
      long numState = m.getLong("num_state");
      if (numParams != net.numParams() || numState != net.state().length()) {
        throw new ClassifierFileException(
            manifestFile
                + ": "
                + numParams
                + " parameters and "
                + numState
                + " state values, "
                + Classifier.ARCHITECTURE
                + " has "
                + net.numParams()
                + " and "
                + net.state().length());
      }
      INDArray params = null;
      INDArray state = null;
      for (Config t : m.getConfigList("tensors")) {
        String name = t.getString("name");
        long expected;
        if (name.equals("params")) {
          expected = numParams;
        } else if (name.equals("state")) {
          expected = numState;
        } else {
          throw new ClassifierFileException(manifestFile + ": unknown tensor '" + name + "'");
        }
        INDArray values = readTensor(dir, t, expected);
        if (name.equals("params")) {
          params = values;
        } else {
          state = values;
        }
      }
      if (params == null || state == null) {
        throw new ClassifierFileException(
            manifestFile + ": needs both tensors 'params' and 'state'");
      }
      net.copyParamsFrom(params);
      net.state().assign(state.reshape('c', 1, numState));
      net.training(false);
      return new Loaded(c, metadata(m, dir), dir);
    } catch (ConfigException e) {
      throw new ClassifierFileException(
          manifestFile + ": malformed manifest (" + e.getMessage() + ")");
    }
  }

  private static Config manifest(Path dir) {
    Path file = dir.resolve(MANIFEST);
    Config m;
    try {
      m = ConfigFactory.parseString(Files.readString(file));
    } catch (NoSuchFileException e) {
      throw new ClassifierFileException(dir + ": no " + MANIFEST + " (not a classifier directory)");
    } catch (IOException | ConfigException e) {
      throw new ClassifierFileException(file + ": unreadable manifest");
    }
    try {
      int format = m.getInt("format");
      if (!KIND.equals(m.getString("kind"))) {
        throw new ClassifierFileException(file + ": not a classifier manifest");
      }
      if (format != FORMAT_VERSION) {
        throw new ClassifierFileException(
            file + ": classifier format " + format + ", this Agon reads " + FORMAT_VERSION);
      }
      String arch = m.getString("architecture");
      if (!arch.equals(Classifier.ARCHITECTURE)) {
        throw new ClassifierFileException(
            file + ": architecture " + arch + ", this Agon knows " + Classifier.ARCHITECTURE);
      }
      return m;
    } catch (ConfigException e) {
      throw new ClassifierFileException(file + ": malformed manifest (" + e.getMessage() + ")");
    }
  }

  private static INDArray readTensor(Path dir, Config t, long expected) {
    String name = t.getString("name");
    Path file = dir.resolve(t.getString("file"));
    if (!file.normalize().startsWith(dir.normalize()) || !t.getString("dtype").equals("float32")) {
      throw new ClassifierFileException(
          dir.resolve(MANIFEST) + ": bad entry for tensor '" + name + "'");
    }
    List<Long> shape = t.getLongList("shape");
    if (shape.size() != 1 || shape.get(0) != expected) {
      throw new ClassifierFileException(
          file + ": shape " + shape + ", " + Classifier.ARCHITECTURE + " needs [" + expected + "]");
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ClassifierFileException(file + ": missing or unreadable");
    }
    if (bytes.length != 4 * expected) {
      throw new ClassifierFileException(
          file + ": " + bytes.length + " bytes, shape " + shape + " needs " + 4 * expected);
    }
    if (!sha256(bytes).equals(t.getString("sha256"))) {
      throw new ClassifierFileException(file + ": SHA-256 mismatch (corrupt file)");
    }
    float[] values = new float[(int) expected];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
    return Nd4j.create(values, new long[] {expected}, DataType.FLOAT);
  }

  private static Metadata metadata(Config m, Path dir) {
    try {
      Config d = m.getConfig("metadata");
      return new Metadata(
          d.getString("dataset"),
          d.getString("train_split"),
          d.getInt("train_size"),
          d.getString("test_split"),
          d.getInt("test_size"),
          d.getDouble("test_accuracy"),
          d.getDouble("inception_score_test_mean"),
          d.getDouble("inception_score_test_std"),
          d.getInt("inception_score_splits"),
          d.getInt("epochs"),
          d.getInt("batch_size"),
          d.getDouble("learning_rate"),
          d.getInt("lr_drop_epoch"),
          d.getDouble("final_train_loss"),
          d.getLong("seed"),
          d.getString("command"));
    } catch (ConfigException e) {
      throw new ClassifierFileException(
          dir.resolve(MANIFEST) + ": malformed metadata (" + e.getMessage() + ")");
    }
  }

  private static byte[] littleEndian(INDArray a) {
    INDArray f = a.castTo(DataType.FLOAT).dup('c');
    float[] values = f.data().asFloat();
    ByteBuffer buf = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    buf.asFloatBuffer().put(values);
    return buf.array();
  }

  /** Lower-case hex SHA-256 of {@code bytes}. */
  public static String sha256(byte[] bytes) {
    return DurableFiles.sha256(bytes);
  }

  private static void writeSynced(Path file, byte[] bytes) throws IOException {
    DurableFiles.writeSynced(file, bytes);
  }

  private static void fsync(Path dir) throws IOException {
    DurableFiles.fsyncDir(dir);
  }

  private static void deleteTree(Path dir) {
    try {
      DurableFiles.deleteTree(dir);
    } catch (IOException ignored) {
      // Best effort: a leftover .tmp-* or .old-* directory is never read.
    }
  }
}
