package dev.agon.cli;

import dev.agon.config.ConfigLoader;
import dev.agon.config.LoadedConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The options that select a configuration: an experiment file and overrides. */
final class ConfigOptions {
  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "Experiment file (HOCON) over the embedded defaults (fashion-mnist-dcgan).")
  Path file;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "Override one key, HOCON syntax (repeatable), e.g. --set schedule.k=3")
  List<String> overrides = new ArrayList<>();

  LoadedConfig load() {
    return ConfigLoader.load(Optional.ofNullable(file), overrides);
  }
}
