package dev.agon.checkpoint;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import dev.agon.tensor.Tensors;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Checkpoints under {@code <run>/checkpoints/<step>/}: a JSON manifest (format version, step,
 * config hash, and per tensor its file, dtype, shape and SHA-256) beside raw little-endian float32
 * files; never Java serialization. A checkpoint is written into a temporary directory, fsynced,
 * then renamed into place, so a reader sees a whole checkpoint or none.
 */
public final class CheckpointStore {
  public static final int FORMAT_VERSION = 1;
  public static final String MANIFEST = "manifest.json";

  private CheckpointStore() {}

  /** A checkpoint as read back. */
  public record Checkpoint(
      Path dir, long step, String configSha256, Map<String, INDArray> tensors) {}

  /** Writes tensors (float32, any shape) as checkpoint {@code step}; returns its directory. */
  public static Path write(
      Path runDir, long step, String configSha256, Map<String, INDArray> tensors)
      throws IOException {
    Path root = Files.createDirectories(runDir.resolve("checkpoints"));
    Path tmp = Files.createTempDirectory(root, ".tmp-" + step + "-");
    try {
      return writeInto(root, tmp, step, configSha256, tensors);
    } catch (IOException | RuntimeException e) {
      deleteTree(tmp);
      throw e;
    }
  }

  private static Path writeInto(
      Path root, Path tmp, long step, String configSha256, Map<String, INDArray> tensors)
      throws IOException {
    StringBuilder entries = new StringBuilder("[");
    for (var e : tensors.entrySet()) {
      INDArray t = e.getValue().castTo(DataType.FLOAT);
      float[] values = Tensors.toFloats(t);
      ByteBuffer buf = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
      buf.asFloatBuffer().put(values);
      String file = e.getKey() + ".f32";
      writeSynced(tmp.resolve(file), buf.array());
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
              .put("dtype", "float32")
              .putRaw("shape", shape.append(']').toString())
              .put("sha256", sha256(buf.array()))
              .end());
    }
    String manifest =
        Json.object()
            .put("format", FORMAT_VERSION)
            .put("step", step)
            .put("config_sha256", configSha256)
            .putRaw("tensors", entries.append(']').toString())
            .end();
    writeSynced(tmp.resolve(MANIFEST), manifest.getBytes(StandardCharsets.UTF_8));
    fsyncDir(tmp);
    Path target = root.resolve(String.format("%010d", step));
    if (Files.exists(target)) {
      throw new IOException("checkpoint " + target + " already exists");
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    fsyncDir(root);
    return target;
  }

  /** The newest complete checkpoint of a run, if any (temporary directories are ignored). */
  public static Optional<Path> latest(Path runDir) throws IOException {
    Path root = runDir.resolve("checkpoints");
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(p -> p.getFileName().toString().matches("\\d+"))
          .filter(p -> Files.isRegularFile(p.resolve(MANIFEST)))
          .max(Path::compareTo);
    }
  }

  /** Reads and verifies a checkpoint: manifest format, file sizes, shapes and checksums. */
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
      if (format != FORMAT_VERSION) {
        throw new CheckpointException(
            dir + ": checkpoint format " + format + ", this Agon reads " + FORMAT_VERSION);
      }
      Map<String, INDArray> tensors = new LinkedHashMap<>();
      for (Config t : m.getConfigList("tensors")) {
        String name = t.getString("name");
        Path file = dir.resolve(t.getString("file"));
        if (!file.normalize().startsWith(dir.normalize())
            || !t.getString("dtype").equals("float32")) {
          throw new CheckpointException(dir + ": bad entry for tensor '" + name + "'");
        }
        List<Long> shapeList = new ArrayList<>(t.getLongList("shape"));
        long[] shape = shapeList.stream().mapToLong(Long::longValue).toArray();
        long count = 1;
        for (long d : shape) {
          count *= d;
        }
        byte[] bytes;
        try {
          bytes = Files.readAllBytes(file);
        } catch (IOException e) {
          throw new CheckpointException(file + ": missing or unreadable");
        }
        if (bytes.length != 4 * count) {
          throw new CheckpointException(
              file + ": " + bytes.length + " bytes, shape " + shapeList + " needs " + 4 * count);
        }
        if (!sha256(bytes).equals(t.getString("sha256"))) {
          throw new CheckpointException(file + ": SHA-256 mismatch (corrupt checkpoint)");
        }
        float[] values = new float[(int) count];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        tensors.put(name, Nd4j.create(values, shape, DataType.FLOAT));
      }
      return new Checkpoint(dir, m.getLong("step"), m.getString("config_sha256"), tensors);
    } catch (ConfigException e) {
      throw new CheckpointException(
          dir.resolve(MANIFEST) + ": malformed manifest (" + e.getMessage() + ")");
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // Best effort: a leftover .tmp-* directory is ignored by readers.
    }
  }

  /** Lower-case hex SHA-256 of {@code bytes}. */
  public static String sha256(byte[] bytes) {
    return DurableFiles.sha256(bytes);
  }

  private static void writeSynced(Path file, byte[] bytes) throws IOException {
    DurableFiles.writeSynced(file, bytes);
  }

  private static void fsyncDir(Path dir) throws IOException {
    DurableFiles.fsyncDir(dir);
  }
}
