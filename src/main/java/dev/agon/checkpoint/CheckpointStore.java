package dev.agon.checkpoint;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import dev.agon.tensor.Tensors;
import dev.agon.util.DurableFiles;
import dev.agon.util.Json;
import dev.agon.util.Numerics;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Checkpoints under {@code <run>/checkpoints/<step>/}: a JSON manifest (format version, step,
 * config hash, per tensor its file, dtype, shape and SHA-256, the engine's scalar state as strings
 * and the writing process's {@link Numerics}) beside raw little-endian float32 / float64 files and
 * the resolved config; never Java serialization. A checkpoint is written into a temporary directory
 * {@code .tmp-<step>-*}, every file fsynced, the directory fsynced, then renamed into place and the
 * parent fsynced, so a reader sees a whole checkpoint or none; a failed write deletes its temporary
 * directory and never touches an existing checkpoint. Readers ignore temporary directories; {@link
 * #deleteTemporary} removes those a killed writer left behind.
 *
 * <p>Format 1 (final parameters only, float32) is still read; format 2 adds float64 tensors, the
 * engine state and the config file.
 */
public final class CheckpointStore {
  public static final int FORMAT_VERSION = 2;
  public static final String MANIFEST = "manifest.json";

  /**
   * The manifest's key for the length of metrics.jsonl at the capture point, written and read only
   * here; the keys inside its {@code engine} object are {@code engine.EngineState}'s and {@code
   * train.PlayerState}'s.
   */
  public static final String METRICS_OFFSET = "metrics_offset";

  /**
   * The manifest's key for the writing process's {@link Numerics#current()}, an object of strings;
   * absent in checkpoints of an Agon that did not record it. In a distributed run it is the
   * coordinator's process's.
   */
  public static final String NUMERICS = "numerics";

  /** The resolved config inside a checkpoint; its SHA-256 is the manifest's config hash. */
  public static final String CONFIG_FILE = "config.conf";

  /**
   * Fault-injection seam for the crash tests: a pause after each tensor file of a write (system
   * property {@code agon.faults.checkpoint-write-delay-ms}, default 0), so that a kill lands inside
   * a write often. Never set in production.
   */
  private static final long WRITE_DELAY_MS =
      Long.getLong("agon.faults.checkpoint-write-delay-ms", 0);

  private CheckpointStore() {}

  /**
   * A checkpoint as read back: {@code engine} holds the scalar state (empty in format 1), {@code
   * config} the resolved config text (null in format 1), {@code metricsOffset} the length of the
   * run's metrics.jsonl at its capture point (-1: not recorded), {@code numerics} the {@link
   * Numerics} it was computed with (empty: not recorded).
   */
  public record Checkpoint(
      Path dir,
      long step,
      String configSha256,
      Map<String, INDArray> tensors,
      Map<String, String> engine,
      String config,
      long metricsOffset,
      Map<String, String> numerics) {}

  /** Writes tensors (float32, any shape) as checkpoint {@code step}; returns its directory. */
  public static Path write(
      Path runDir, long step, String configSha256, Map<String, INDArray> tensors)
      throws IOException {
    return write(runDir, step, configSha256, tensors, Map.of(), null);
  }

  /**
   * Writes checkpoint {@code step}: tensors (DOUBLE ones as float64, every other type as float32),
   * the engine's scalar state and, when not null, the resolved config text (whose SHA-256 must be
   * {@code configSha256}). Returns its directory.
   */
  public static Path write(
      Path runDir,
      long step,
      String configSha256,
      Map<String, INDArray> tensors,
      Map<String, String> engine,
      String config)
      throws IOException {
    return write(runDir, step, configSha256, tensors, engine, config, -1);
  }

  /**
   * As {@link #write(Path, long, String, Map, Map, String)}, recording {@code metricsOffset} (the
   * length of metrics.jsonl at the capture point) when it is not negative.
   */
  public static Path write(
      Path runDir,
      long step,
      String configSha256,
      Map<String, INDArray> tensors,
      Map<String, String> engine,
      String config,
      long metricsOffset)
      throws IOException {
    Path root = Files.createDirectories(runDir.resolve("checkpoints"));
    Path target = dirOf(runDir, step);
    if (Files.exists(target)) {
      throw new IOException("checkpoint " + target + " already exists");
    }
    Path tmp = Files.createTempDirectory(root, ".tmp-" + step + "-");
    try {
      return writeInto(
          root, tmp, target, step, configSha256, tensors, engine, config, metricsOffset);
    } catch (IOException | RuntimeException e) {
      deleteTree(tmp);
      throw e;
    }
  }

  /** The directory checkpoint {@code step} of {@code runDir} has once written. */
  public static Path dirOf(Path runDir, long step) {
    return runDir.resolve("checkpoints").resolve(String.format("%010d", step));
  }

  private static Path writeInto(
      Path root,
      Path tmp,
      Path target,
      long step,
      String configSha256,
      Map<String, INDArray> tensors,
      Map<String, String> engine,
      String config,
      long metricsOffset)
      throws IOException {
    StringBuilder entries = new StringBuilder("[");
    for (var e : tensors.entrySet()) {
      boolean f64 = e.getValue().dataType() == DataType.DOUBLE;
      INDArray t = f64 ? e.getValue() : e.getValue().castTo(DataType.FLOAT);
      byte[] bytes = f64 ? littleEndian(Tensors.toDoubles(t)) : littleEndian(Tensors.toFloats(t));
      String file = e.getKey() + (f64 ? ".f64" : ".f32");
      DurableFiles.writeSynced(tmp.resolve(file), bytes);
      if (WRITE_DELAY_MS > 0) {
        try {
          Thread.sleep(WRITE_DELAY_MS);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while writing a checkpoint");
        }
      }
      if (entries.length() > 1) {
        entries.append(',');
      }
      StringBuilder shape = new StringBuilder("[");
      for (long d : t.shape()) {
        shape.append(shape.length() > 1 ? "," : "").append(d);
      }
      entries.append(
          Json.object()
              .put("name", e.getKey())
              .put("file", file)
              .put("dtype", f64 ? "float64" : "float32")
              .putRaw("shape", shape.append(']').toString())
              .put("sha256", sha256(bytes))
              .end());
    }
    Json state = Json.object();
    for (var e : new TreeMap<>(engine).entrySet()) {
      state.put(e.getKey(), e.getValue());
    }
    Json manifest =
        Json.object()
            .put("format", FORMAT_VERSION)
            .put("step", step)
            .put("config_sha256", configSha256)
            .putRaw("tensors", entries.append(']').toString())
            .putRaw("engine", state.end());
    if (metricsOffset >= 0) {
      manifest.put(METRICS_OFFSET, metricsOffset);
    }
    Json numerics = Json.object();
    Numerics.current().forEach(numerics::put);
    manifest.putRaw(NUMERICS, numerics.end());
    if (config != null) {
      byte[] text = config.getBytes(StandardCharsets.UTF_8);
      if (!sha256(text).equals(configSha256)) {
        throw new IllegalArgumentException("configSha256 is not the SHA-256 of the config text");
      }
      DurableFiles.writeSynced(tmp.resolve(CONFIG_FILE), text);
      manifest.put("config_file", CONFIG_FILE);
    }
    DurableFiles.writeSynced(
        tmp.resolve(MANIFEST), manifest.end().getBytes(StandardCharsets.UTF_8));
    DurableFiles.fsyncDir(tmp);
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    DurableFiles.fsyncDir(root);
    return target;
  }

  private static byte[] littleEndian(float[] values) {
    ByteBuffer buf = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    buf.asFloatBuffer().put(values);
    return buf.array();
  }

  private static byte[] littleEndian(double[] values) {
    ByteBuffer buf = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    buf.asDoubleBuffer().put(values);
    return buf.array();
  }

  /** The complete checkpoint directories of a run, newest (highest step) first. */
  public static List<Path> list(Path runDir) throws IOException {
    Path root = runDir.resolve("checkpoints");
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(p -> p.getFileName().toString().matches("\\d+"))
          .filter(p -> Files.isRegularFile(p.resolve(MANIFEST)))
          .sorted(Comparator.reverseOrder())
          .toList();
    }
  }

  /** The newest complete checkpoint of a run, if any (temporary directories are ignored). */
  public static Optional<Path> latest(Path runDir) throws IOException {
    return list(runDir).stream().findFirst();
  }

  /**
   * The newest checkpoint of a run that reads back whole and verified, trying older ones in turn;
   * every one skipped (torn, corrupt, unreadable) is reported to {@code warn} with its reason.
   * Empty when none is usable.
   */
  public static Optional<Checkpoint> latestValid(Path runDir, Consumer<String> warn)
      throws IOException {
    for (Path dir : list(runDir)) {
      try {
        return Optional.of(read(dir));
      } catch (CheckpointException e) {
        warn.accept("skipping checkpoint " + dir.getFileName() + ": " + e.getMessage());
      }
    }
    return Optional.empty();
  }

  /** Deletes the temporary directories an interrupted writer left; returns how many. */
  public static int deleteTemporary(Path runDir) throws IOException {
    Path root = runDir.resolve("checkpoints");
    if (!Files.isDirectory(root)) {
      return 0;
    }
    List<Path> tmp;
    try (Stream<Path> s = Files.list(root)) {
      tmp = s.filter(p -> p.getFileName().toString().startsWith(".tmp-")).toList();
    }
    tmp.forEach(CheckpointStore::deleteTree);
    return tmp.size();
  }

  /**
   * Deletes checkpoint directory {@code dir} (retention): the manifest first, so it never reads as
   * a whole checkpoint once deletion started.
   */
  public static void delete(Path dir) throws IOException {
    Files.deleteIfExists(dir.resolve(MANIFEST));
    deleteTree(dir);
  }

  /**
   * Reads and verifies a checkpoint: manifest format, file sizes, shapes and checksums, and the
   * config file's hash.
   */
  public static Checkpoint read(Path dir) throws CheckpointException {
    Config m;
    try {
      m = ConfigFactory.parseString(Files.readString(dir.resolve(MANIFEST)));
    } catch (NoSuchFileException e) {
      throw new CheckpointException(dir + ": no " + MANIFEST);
    } catch (IOException | ConfigException e) {
      throw new CheckpointException(dir.resolve(MANIFEST) + ": unreadable manifest");
    }
    try {
      int format = m.getInt("format");
      if (format != 1 && format != FORMAT_VERSION) {
        throw new CheckpointException(
            dir + ": checkpoint format " + format + ", this Agon reads 1 and " + FORMAT_VERSION);
      }
      long step = m.getLong("step");
      if (misnamed(dir, step)) {
        // Trusting the name would resume at another update than the one named, and retention
        // (which orders by name) would delete real checkpoints to keep this one.
        throw new CheckpointException(
            dir
                + ": the directory's name disagrees with its manifest, which holds G update "
                + step);
      }
      Map<String, INDArray> tensors = new LinkedHashMap<>();
      for (Config t : m.getConfigList("tensors")) {
        String name = t.getString("name");
        tensors.put(name, readTensor(dir, name, t));
      }
      String configSha = m.getString("config_sha256");
      Map<String, String> engine = new TreeMap<>();
      String config = null;
      if (format >= 2) {
        for (Map.Entry<String, ConfigValue> e : m.getObject("engine").entrySet()) {
          engine.put(e.getKey(), String.valueOf(e.getValue().unwrapped()));
        }
        if (m.hasPath("config_file")) {
          config = readConfig(dir, m.getString("config_file"), configSha);
        }
      }
      long offset = m.hasPath(METRICS_OFFSET) ? m.getLong(METRICS_OFFSET) : -1;
      Map<String, String> numerics = new LinkedHashMap<>();
      if (m.hasPath(NUMERICS)) {
        for (Map.Entry<String, ConfigValue> e : m.getObject(NUMERICS).entrySet()) {
          numerics.put(e.getKey(), String.valueOf(e.getValue().unwrapped()));
        }
      }
      return new Checkpoint(
          dir,
          step,
          configSha,
          tensors,
          Map.copyOf(engine),
          config,
          offset,
          Collections.unmodifiableMap(numerics));
    } catch (ConfigException e) {
      throw new CheckpointException(
          dir.resolve(MANIFEST) + ": malformed manifest (" + e.getMessage() + ")");
    } catch (OutOfMemoryError | NegativeArraySizeException | ArithmeticException e) {
      throw new CheckpointException(dir.resolve(MANIFEST) + ": impossible tensor shape");
    }
  }

  /** Whether {@code dir} is named as a checkpoint (digits) of another step than {@code step}. */
  private static boolean misnamed(Path dir, long step) {
    String name = dir.getFileName().toString();
    if (!name.matches("\\d+")) {
      return false;
    }
    try {
      return Long.parseLong(name) != step;
    } catch (NumberFormatException e) {
      return true;
    }
  }

  /**
   * The G update checkpoint directory {@code dir}'s manifest names when it disagrees with the
   * directory's name; empty when they agree or the manifest cannot be read (a damaged checkpoint,
   * which {@link #read} reports). Reads the manifest only.
   */
  public static OptionalLong misnamedStep(Path dir) {
    try {
      long step =
          ConfigFactory.parseString(Files.readString(dir.resolve(MANIFEST))).getLong("step");
      return misnamed(dir, step) ? OptionalLong.of(step) : OptionalLong.empty();
    } catch (IOException | ConfigException e) {
      return OptionalLong.empty();
    }
  }

  private static INDArray readTensor(Path dir, String name, Config t) throws CheckpointException {
    Path file = dir.resolve(t.getString("file"));
    String dtype = t.getString("dtype");
    int width = dtype.equals("float32") ? 4 : dtype.equals("float64") ? 8 : -1;
    if (!file.normalize().startsWith(dir.normalize())
        || file.normalize().equals(dir.normalize())
        || width < 0) {
      throw new CheckpointException(dir + ": bad entry for tensor '" + name + "'");
    }
    List<Long> shapeList = new ArrayList<>(t.getLongList("shape"));
    long[] shape = shapeList.stream().mapToLong(Long::longValue).toArray();
    long count = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new CheckpointException(dir + ": negative dimension in tensor '" + name + "'");
      }
      count = Math.multiplyExact(count, d);
    }
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      throw new CheckpointException(file + ": missing or unreadable");
    }
    if (count > Integer.MAX_VALUE / width || size != width * count) {
      throw new CheckpointException(
          file
              + ": "
              + size
              + " bytes, shape "
              + shapeList
              + " of "
              + dtype
              + " needs "
              + width * count);
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new CheckpointException(file + ": missing or unreadable");
    }
    if (bytes.length != width * count) {
      throw new CheckpointException(file + ": changed while being read");
    }
    if (!sha256(bytes).equals(t.getString("sha256"))) {
      throw new CheckpointException(file + ": SHA-256 mismatch (corrupt checkpoint)");
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (width == 8) {
      double[] values = new double[(int) count];
      buf.asDoubleBuffer().get(values);
      return Nd4j.create(values, shape, DataType.DOUBLE);
    }
    float[] values = new float[(int) count];
    buf.asFloatBuffer().get(values);
    return Nd4j.create(values, shape, DataType.FLOAT);
  }

  private static String readConfig(Path dir, String name, String sha) throws CheckpointException {
    Path file = dir.resolve(name);
    if (!file.normalize().startsWith(dir.normalize())) {
      throw new CheckpointException(dir + ": bad config file entry");
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new CheckpointException(file + ": missing or unreadable");
    }
    if (!sha256(bytes).equals(sha)) {
      throw new CheckpointException(file + ": SHA-256 mismatch (corrupt checkpoint)");
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static void deleteTree(Path dir) {
    try {
      DurableFiles.deleteTree(dir);
    } catch (IOException ignored) {
      // Best effort: a leftover .tmp-* directory is ignored by readers.
    }
  }

  /** Lower-case hex SHA-256 of {@code bytes}. */
  public static String sha256(byte[] bytes) {
    return DurableFiles.sha256(bytes);
  }
}
