package dev.agon.cli;

import dev.agon.config.AgonConfig;
import dev.agon.config.ConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the commands that read a finished or running run need from its directory. */
final class RunDirectory {
  private RunDirectory() {}

  /** The resolved configuration {@code run/config.conf}; a user error when it is missing. */
  static AgonConfig config(Path run) throws IOException {
    Path configFile = run.resolve("config.conf");
    if (!Files.isRegularFile(configFile)) {
      throw new Main.UserException(run + " is not a run directory (no config.conf)");
    }
    return ConfigLoader.parseResolved(Files.readString(configFile), configFile.toString()).config();
  }
}
