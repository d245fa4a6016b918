package dev.agon.cli;

import dev.agon.checkpoint.CheckpointException;
import dev.agon.config.LoadedConfig;
import dev.agon.engine.TrainRun;
import dev.agon.train.Factory;
import dev.agon.train.Preflight;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code agon train}: one training run in {@code runs/<name>/}. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Train a GAN. Without options: fashion-mnist-dcgan (a DCGAN on the embedded Fashion-MNIST"
          + " test split); config/ring.conf is the 2-D ring benchmark.",
      "A --run directory that holds checkpoints is resumed from the newest valid one.",
      "Ctrl-C (SIGINT) or SIGTERM finishes the current iteration, writes a checkpoint and exits"
          + " with status 0; a second signal exits at once (128 + signal number).",
      "Exit status: 0 finished or stopped cleanly, 1 internal failure, 2 bad input (config, data,"
          + " a checkpoint that cannot be resumed), 3 gave up (diverged or failed more often than"
          + " guard.* allows)."
    })
final class TrainCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin ConfigOptions config;

  @Option(names = "--name", description = "Run name (sets run.name).")
  String name;

  @Option(
      names = "--run",
      paramLabel = "DIR",
      description =
          "Run directory (default: <run.dir>/<run.name>, or -2, -3, ... if taken); one that"
              + " holds checkpoints is resumed.")
  Path runDir;

  @Option(
      names = "--allow-config-change",
      description =
          "Resume even when the config differs from the checkpoint's in keys that change what is"
              + " computed (the changes are logged).")
  boolean allowConfigChange;

  @Option(names = "--quiet", description = "No progress line.")
  boolean quiet;

  @Option(
      names = "--download",
      description =
          "Download fashion-mnist into ~/.cache/agon if it is not found (sets data.download).")
  boolean download;

  @Override
  public Integer call() throws IOException, InterruptedException, CheckpointException {
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
    // A missing or damaged data set, or a config that cannot train on it (batch, image shape,
    // memory), is bad input: report it before a run directory exists or an actor starts.
    Preflight.check(loaded, Factory.data(loaded.config()));
    Path dir = runDir != null ? runDir : freshRunDir(loaded);
    Files.createDirectories(dir);
    RunLog.attach(dir.resolve("agon.log"));
    out.println("agon: run " + dir);
    out.print(loaded.rendered());
    out.flush();

    TrainRun run =
        TrainRun.start(
            loaded, dir, quiet ? null : System.err, System.console() != null, allowConfigChange);
    if (run.resumedFrom() != null) {
      out.println("agon: resuming from " + run.resumedFrom());
      out.flush();
    }
    // SIGTERM/SIGINT are handled here instead of by a shutdown hook, so the JVM does not start
    // shutting down under the run: the first one stops it at the end of the current iteration
    // (final checkpoint, metrics flushed, exit 0), the second exits at once.
    AtomicInteger signals = new AtomicInteger();
    sun.misc.SignalHandler handler =
        sig -> {
          if (signals.incrementAndGet() == 1) {
            System.err.println(
                "\nagon: SIG"
                    + sig.getName()
                    + ": finishing the current iteration, then writing a checkpoint"
                    + " (signal again to exit at once)");
            run.stop("SIG" + sig.getName());
          } else {
            System.err.println(
                "\nagon: SIG" + sig.getName() + " again: exiting without a checkpoint");
            Runtime.getRuntime().halt(128 + sig.getNumber());
          }
        };
    sun.misc.SignalHandler oldTerm = sun.misc.Signal.handle(new sun.misc.Signal("TERM"), handler);
    sun.misc.SignalHandler oldInt = sun.misc.Signal.handle(new sun.misc.Signal("INT"), handler);
    try {
      TrainRun.Result r = run.await();
      if (r.finished().failure() != null && signals.get() > 0) {
        // Stopped while recovering: nothing new to save, the newest checkpoint is good.
        out.println(
            "agon: stopped while recovering from: "
                + r.finished().failure()
                + "; the newest checkpoint in "
                + dir.resolve("checkpoints")
                + " is the last good state");
        out.flush();
        return 0;
      }
      if (r.finished().failure() != null) {
        spec.commandLine()
            .getErr()
            .println(
                "error: the run gave up after G update "
                    + r.finished().gSteps()
                    + ": "
                    + r.finished().failure()
                    + " (guard limits reached); the newest checkpoint in "
                    + dir.resolve("checkpoints")
                    + " is the last good state");
        return Main.EXIT_GAVE_UP;
      }
      report(out, loaded, r);
    } finally {
      sun.misc.Signal.handle(new sun.misc.Signal("TERM"), oldTerm);
      sun.misc.Signal.handle(new sun.misc.Signal("INT"), oldInt);
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

  private static Path freshRunDir(LoadedConfig loaded) {
    Path base = Path.of(loaded.config().run().dir()).resolve(loaded.config().run().name());
    Path dir = base;
    for (int i = 2; Files.exists(dir); i++) {
      dir = base.resolveSibling(base.getFileName() + "-" + i);
    }
    return dir;
  }
}
