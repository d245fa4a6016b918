package dev.agon.cli;

import dev.agon.checkpoint.BestCheckpoint;
import dev.agon.checkpoint.CheckpointException;
import dev.agon.checkpoint.CheckpointStore;
import dev.agon.config.AgonConfig;
import dev.agon.config.ConfigLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the commands that read a finished or running run need from its directory. */
final class RunDirectory {
  private RunDirectory() {}

  /**
   * The resolved configuration {@code run/config.conf}; a user error when it is missing. Keys it
   * lacks (an older Agon wrote it) take their embedded defaults, named in one {@code warning:} line
   * on {@code err}.
   */
  static AgonConfig config(Path run, PrintWriter err) throws IOException {
    Path configFile = run.resolve("config.conf");
    if (!Files.isRegularFile(configFile)) {
      throw new Main.UserException(run + " is not a run directory (no config.conf)");
    }
    ConfigLoader.Saved saved =
        ConfigLoader.parseSaved(Files.readString(configFile), configFile.toString());
    if (!saved.defaulted().isEmpty()) {
      err.println(
          "warning: "
              + configFile
              + " has no "
              + String.join(", ", saved.defaulted())
              + " (written by an older Agon?): read at the embedded default");
      err.flush();
    }
    return saved.loaded().config();
  }

  /**
   * The newest checkpoint of {@code run} that reads back whole and verified, as a resume takes it:
   * each one skipped (corrupt, torn, named for another step) is reported on {@code err} as a {@code
   * warning:} line. A user error when there is none. Reads every tensor of each one tried.
   */
  static CheckpointStore.Checkpoint newestWhole(Path run, PrintWriter err) throws IOException {
    java.util.List<String> skipped = new java.util.ArrayList<>();
    var found = CheckpointStore.latestValid(run, skipped::add);
    if (found.isEmpty()) {
      throw new Main.UserException(
          skipped.isEmpty()
              ? run + " has no checkpoint yet"
              : run + " has no checkpoint that reads back whole: " + String.join("; ", skipped));
    }
    skipped.forEach(w -> err.println("warning: " + w));
    return found.get();
  }

  /**
   * The checkpoint {@code --step} names: {@code null} the newest whole one ({@link #newestWhole}),
   * {@code best} the one {@code checkpoints/best.json} names (kept by {@code
   * checkpoint.best-metric}), a number the checkpoint of that G update. The chosen one is that
   * checkpoint or an error, never another.
   */
  static CheckpointStore.Checkpoint chosen(Path run, String step, PrintWriter err)
      throws IOException, CheckpointException {
    if (step == null) {
      return newestWhole(run, err);
    }
    long g;
    if (step.equals("best")) {
      BestCheckpoint best =
          BestCheckpoint.read(run)
              .orElseThrow(
                  () ->
                      new Main.UserException(
                          "--step best: "
                              + run
                              + " kept no best checkpoint (no checkpoints/best.json; train with"
                              + " checkpoint.best-metric set)"));
      g = best.step();
    } else if (step.matches("[0-9]{1,18}")) {
      g = Long.parseLong(step);
    } else {
      throw new Main.UserException(
          "--step: give a G update (0 or more) or best, got '" + step + "'");
    }
    Path dir = CheckpointStore.dirOf(run, g);
    if (!Files.isDirectory(dir)) {
      java.util.List<String> kept =
          CheckpointStore.list(run).stream()
              .map(p -> p.getFileName().toString().replaceFirst("^0+(?=[0-9])", ""))
              .toList();
      throw new Main.UserException(
          "--step "
              + step
              + ": "
              + run
              + " has no checkpoint of G update "
              + g
              + (kept.isEmpty() ? "" : " (it keeps " + String.join(", ", kept) + ")"));
    }
    return CheckpointStore.read(dir);
  }
}
