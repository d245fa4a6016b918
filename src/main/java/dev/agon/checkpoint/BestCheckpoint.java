package dev.agon.checkpoint;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import dev.agon.util.DurableFiles;
import dev.agon.util.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * {@code checkpoints/best.json}: which checkpoint retention keeps for its best evaluation ({@code
 * checkpoint.best-metric}), written by the Checkpointer, read by it on resume and by {@code --step
 * best}.
 *
 * @param step the G update of the checkpoint
 * @param metric the metric's name as written ({@code high_quality}, {@code fid}, ...)
 * @param value its value at that step
 */
public record BestCheckpoint(long step, String metric, double value) {
  /** The file under {@code runDir}. */
  public static Path file(Path runDir) {
    return runDir.resolve("checkpoints").resolve("best.json");
  }

  /**
   * The record of {@code runDir}; empty when there is no file. A file that is not the JSON object
   * this class writes (unparsable, a field missing or of another type, a negative step, a value
   * that is NaN) is a {@link CheckpointException} naming the file and the fault.
   */
  public static Optional<BestCheckpoint> read(Path runDir) throws CheckpointException {
    Path f = file(runDir);
    String text;
    try {
      text = Files.readString(f);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new CheckpointException(f + " cannot be read: " + e.getMessage());
    }
    try {
      Config c = ConfigFactory.parseString(text);
      long step = c.getLong("step");
      double value = c.getDouble("value");
      String metric = c.getString("metric");
      if (step < 0 || Double.isNaN(value)) {
        throw new CheckpointException(
            f + " is damaged: step " + step + ", value " + value + " (step >= 0, a number)");
      }
      return Optional.of(new BestCheckpoint(step, metric, value));
    } catch (ConfigException e) {
      throw new CheckpointException(f + " is damaged: " + e.getMessage());
    }
  }

  /**
   * Whether this record beats {@code other} (null: there is none) for a metric where {@code
   * lessIsBetter}; a tie keeps the other, the earlier one.
   */
  public boolean beats(BestCheckpoint other, boolean lessIsBetter) {
    return other == null || (lessIsBetter ? value < other.value : value > other.value);
  }

  /** Writes this record as {@link #file}: a synced temporary file renamed over the old one. */
  public void write(Path runDir) throws IOException {
    Path f = file(runDir);
    String json = Json.object().put("step", step).put("metric", metric).put("value", value).end();
    Path tmp = Files.createTempFile(f.getParent(), ".tmp-best-", ".json");
    Files.delete(tmp); // a fresh name: writeSynced creates the file itself
    try {
      DurableFiles.writeSynced(tmp, json.getBytes(StandardCharsets.UTF_8));
      Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
    DurableFiles.fsyncDir(f.getParent());
  }
}
