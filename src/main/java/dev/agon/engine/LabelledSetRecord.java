package dev.agon.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agon.checkpoint.CheckpointException;
import dev.agon.data.BatchSource;
import dev.agon.data.ImageSource;
import dev.agon.data.LabelledSet;
import dev.agon.util.DurableFiles;
import dev.agon.util.Json;
import dev.agon.util.WriteFailedException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Optional;

/**
 * A run's labelled set ({@code data.labels} = N per class or all), recorded in the run directory as
 * {@value #FILE}: the data set's name and content hash, the setting, the seed and the chosen
 * data-set indices, ascending. A later command reads the examples from it ({@link #read}), and a
 * resume draws the set again and refuses to go on if it differs from the record (the data set's
 * labels or content changed under the same config; a change of {@code data.labels} or {@code
 * data.label-seed} itself is refused earlier as a change of a {@code data.} key, see {@code
 * ConfigChanges.FIXED}). Cost: one small file (a few bytes per labelled example), written once per
 * start.
 */
public final class LabelledSetRecord {
  /** The file's name in the run directory. */
  public static final String FILE = "labelled-set.json";

  /** The file's format; a reader refuses any other. */
  static final int FORMAT = 1;

  private LabelledSetRecord() {}

  /** The recorded indices of {@code runDir}'s labelled set, empty when none is recorded. */
  public static Optional<int[]> read(Path runDir) throws CheckpointException {
    Path f = runDir.resolve(FILE);
    if (!Files.isRegularFile(f)) {
      return Optional.empty();
    }
    try {
      JsonNode j = new ObjectMapper().readTree(Files.readAllBytes(f));
      if (j == null || j.path("format").asInt(-1) != FORMAT || !j.path("indices").isArray()) {
        throw new CheckpointException(f + ": not a labelled-set record of format " + FORMAT);
      }
      JsonNode idx = j.get("indices");
      int[] out = new int[idx.size()];
      for (int i = 0; i < out.length; i++) {
        if (!idx.get(i).canConvertToInt() || idx.get(i).asInt() < 0) {
          throw new CheckpointException(f + ": index " + i + " is not a data-set index");
        }
        out[i] = idx.get(i).asInt();
      }
      return Optional.of(out);
    } catch (IOException e) {
      throw new CheckpointException(f + ": unreadable labelled-set record: " + e.getMessage());
    }
  }

  /**
   * Before a resume writes anything: a {@link CheckpointException} when {@code data}'s labelled set
   * differs from the one recorded in {@code runDir} (none recorded, or no labelled set: nothing to
   * compare).
   */
  public static void checkResume(Path runDir, BatchSource data) throws CheckpointException {
    LabelledSet set = data instanceof ImageSource s ? s.labelledSet() : null;
    if (set == null) {
      return;
    }
    Optional<int[]> recorded = read(runDir);
    if (recorded.isPresent() && !Arrays.equals(recorded.get(), set.indices())) {
      throw new CheckpointException(
          "data.labels: the labelled set drawn now ("
              + set.size()
              + " examples) differs from the one the run trained with, recorded in "
              + runDir.resolve(FILE)
              + " ("
              + recorded.get().length
              + " examples): the data set or its labels changed; resume with the same data or"
              + " start a new run");
    }
  }

  /** Records {@code data}'s labelled set in {@code runDir} (replacing a record), if it has one. */
  public static void write(Path runDir, BatchSource data) throws IOException {
    if (!(data instanceof ImageSource s) || s.labelledSet() == null) {
      return;
    }
    LabelledSet set = s.labelledSet();
    StringBuilder idx = new StringBuilder("[");
    for (int i = 0; i < set.size(); i++) {
      idx.append(i == 0 ? "" : ",").append(set.indices()[i]);
    }
    String text =
        Json.object()
                .put("format", FORMAT)
                .put("data", s.dataset().name())
                .put("data_sha256", s.dataset().fingerprint())
                .put("labels", set.perClass() == 0 ? "all" : Integer.toString(set.perClass()))
                .put("label_seed", set.seed())
                .put("count", set.size())
                .putRaw("indices", idx.append(']').toString())
                .end()
            + "\n";
    Path f = runDir.resolve(FILE);
    Path staged = runDir.resolve("." + FILE + ".tmp");
    try {
      Files.deleteIfExists(staged);
      DurableFiles.writeSynced(staged, text.getBytes(StandardCharsets.UTF_8));
      Files.move(staged, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      Files.deleteIfExists(staged);
      throw e instanceof WriteFailedException ? e : new WriteFailedException(f, e);
    }
  }
}
