package dev.agon.cli;

import dev.agon.config.ConfigReference;
import dev.agon.config.LoadedConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code agon config check|show|keys}: validate, print and document configurations. */
@Command(
    name = "config",
    description = "Validate or print a configuration without training.",
    mixinStandardHelpOptions = true,
    subcommands = {ConfigCommand.Check.class, ConfigCommand.Show.class, ConfigCommand.Keys.class})
final class ConfigCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = "Validate FILE (and overrides); exit status 2 if invalid.")
  static final class Check implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "Experiment file to validate.")
    Path file;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override one key.")
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() {
      dev.agon.config.ConfigLoader.load(Optional.of(file), overrides);
      spec.commandLine().getOut().println("ok: " + file + " is a valid configuration");
      return 0;
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Print the resolved configuration (defaults + file + overrides).")
  static final class Show implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin ConfigOptions config;

    @Override
    public Integer call() {
      LoadedConfig c = config.load();
      spec.commandLine().getOut().print(c.rendered());
      return 0;
    }
  }

  @Command(
      name = "keys",
      mixinStandardHelpOptions = true,
      description = "Print every configuration key with its type, default and meaning.")
  static final class Keys implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      spec.commandLine().getOut().print(ConfigReference.markdown());
      return 0;
    }
  }
}
