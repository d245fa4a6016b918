package dev.agon.cli;

import dev.agon.checkpoint.CheckpointStore;
import dev.agon.config.LoadedConfig;
import dev.agon.engine.TrainRun;
import dev.agon.train.Factory;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code agon train}: one training run in {@code runs/<name>/}. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Train a GAN. Without options: the ring experiment (8-mode 2-D mixture, VEEGAN protocol).",
      "Ctrl-C (SIGINT) or SIGTERM finishes the current iteration, writes a checkpoint and exits."
    })
final class TrainCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin ConfigOptions config;

  @Option(names = "--name", description = "Run name (sets run.name).")
  String name;

  @Option(
      names = "--run",
      paramLabel = "DIR",
      description = "Run directory (default: <run.dir>/<run.name>, or -2, -3, ... if taken).")
  Path runDir;

  @Option(names = "--quiet", description = "No progress line.")
  boolean quiet;

  @Option(
      names = "--download",
      description =
          "Download fashion-mnist into ~/.cache/agon if it is not found (sets data.download).")
  boolean download;

  @Override
  public Integer call() throws IOException, InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    List<String> overrides = new ArrayList<>(config.overrides);
    if (name != null) {
      overrides.add("run.name=\"" + name.replace("\"", "") + "\"");
    }
    if (download) {
      overrides.add("data.download=true");
    }
    config.overrides = overrides;
    LoadedConfig loaded = config.load();
    // A missing or damaged data set is bad input: report it before a run directory exists.
    Factory.data(loaded.config());
    Path dir = runDir != null ? explicitRunDir(runDir) : freshRunDir(loaded);
    Files.createDirectories(dir);
    RunLog.attach(dir.resolve("agon.log"));
    out.println("agon: run " + dir);
    out.print(loaded.rendered());
    out.flush();

    TrainRun run = TrainRun.start(loaded, dir, quiet ? null : System.err, System.console() != null);
    CountDownLatch done = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              System.err.println(
                  "\nagon: stopping - finishing the current iteration, then writing a checkpoint");
              run.stop("signal");
              try {
                done.await(120, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "agon-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      report(out, loaded, run.await());
    } finally {
      // The signal handler waits for this: the JVM must not exit before the summary is out.
      done.countDown();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // The hook is running: the JVM exits once it returns.
    }
    return 0;
  }

  private static void report(PrintWriter out, LoadedConfig loaded, TrainRun.Result r) {
    var f = r.finished();
    out.printf(
        Locale.ROOT,
        "agon: %s after %d G updates and %d D updates; checkpoint %s%n",
        f.stopReason() == null ? "finished" : "stopped (" + f.stopReason() + ")",
        f.gSteps(),
        f.dSteps(),
        r.checkpoint());
    if (r.modes() != null) {
      out.println(
          "agon: " + r.modes().summary() + " on " + loaded.config().eval().samples() + " samples");
    }
    out.flush();
  }

  private static Path explicitRunDir(Path dir) throws IOException {
    if (CheckpointStore.latest(dir).isPresent()) {
      throw new Main.UserException(
          "run directory "
              + dir
              + " already holds checkpoints; resuming is not supported yet, choose another --run");
    }
    return dir;
  }

  private static Path freshRunDir(LoadedConfig loaded) {
    Path base = Path.of(loaded.config().run().dir()).resolve(loaded.config().run().name());
    Path dir = base;
    for (int i = 2; Files.exists(dir); i++) {
      dir = base.resolveSibling(base.getFileName() + "-" + i);
    }
    return dir;
  }
}
