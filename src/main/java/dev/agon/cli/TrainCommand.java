package dev.agon.cli;

import dev.agon.checkpoint.BestCheckpoint;
import dev.agon.checkpoint.CheckpointException;
import dev.agon.config.BestMetric;
import dev.agon.config.LoadedConfig;
import dev.agon.engine.TrainRun;
import dev.agon.train.Factory;
import dev.agon.train.Preflight;
import dev.agon.util.DurableFiles;
import dev.agon.util.WriteFailedException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
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
              + " computed: the changes are logged and take effect from the resume point. Keys the"
              + " checkpoint's state depends on (seed, data.*, model.*, schedule.batch-size,"
              + " optim.*.type, minibatch discrimination, virtual batch norm) are refused even so.")
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
    checkTokenFile(loaded.config());
    // A missing or damaged data set, or a config that cannot train on it (batch, image shape,
    // memory), is bad input: report it before a run directory exists or an actor starts.
    Preflight.check(loaded, Factory.data(loaded.config()));
    Path dir = runDir != null ? runDir : freshRunDir(loaded);
    List<Path> made = createRunDirectory(dir);
    RunLock lock;
    try {
      lock = RunLock.acquire(dir);
    } catch (RuntimeException e) {
      removeCreated(made);
      throw e;
    }
    try (lock) {
      return train(loaded, dir, lock, made, out);
    }
  }

  /** The run in locked directory {@code dir}; a failed start removes what it added. */
  private Integer train(
      LoadedConfig loaded, Path dir, RunLock lock, List<Path> made, PrintWriter out)
      throws IOException, InterruptedException, CheckpointException {
    List<Path> before = entries(dir);
    // The files a start appends to, and their lengths, to cut a failed start's lines off again.
    Map<Path, Long> appended = new LinkedHashMap<>();
    for (String f : List.of("agon.log", "metrics.jsonl")) {
      Path p = dir.resolve(f);
      if (Files.isRegularFile(p)) {
        appended.put(p, Files.size(p));
      }
    }
    RunLog log = null;
    TrainRun run;
    try {
      log =
          RunLog.attach(
              dir.resolve("agon.log"),
              "agon train: run "
                  + dir
                  + ", lock "
                  + lock.file()
                  + ", ND4J variant "
                  + dev.agon.util.Nd4jVariant.requested());
      out.println("agon: run " + dir);
      out.print(loaded.rendered());
      out.flush();
      run =
          TrainRun.start(
              loaded, dir, quiet ? null : System.err, System.console() != null, allowConfigChange);
    } catch (IOException | CheckpointException | RuntimeException e) {
      // Nothing trained: leave the directory as it was (a full disk, a refused resume, bad data).
      if (log != null) {
        log.close();
      }
      for (Path p : entries(dir)) {
        if (!before.contains(p)) {
          deleteTree(p);
        }
      }
      appended.forEach(TrainCommand::truncate);
      lock.restore();
      removeCreated(made);
      throw e;
    }
    if (run.resumedFrom() != null) {
      out.println("agon: resuming from " + run.resumedFrom());
      out.flush();
      String numerics = run.numericsWarning();
      if (numerics != null) {
        // said, not refused: the maths is the same and only the rounding differs
        spec.commandLine().getErr().println("warning: " + numerics);
        org.slf4j.LoggerFactory.getLogger(TrainCommand.class).info(numerics);
      }
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
      if (r.finished().failure() != null && run.stopRequested() != null) {
        // Stopped while recovering (a signal or agon ctl stop, e.g. during a restart's backoff):
        // a stop like any other, exit 0; nothing new to save, the newest checkpoint is good.
        out.println(
            "agon: stopped ("
                + run.stopRequested()
                + ") while recovering from: "
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
      // Which weights the score belongs to: the published 2-D protocols score the final iterate.
      out.printf(
          Locale.ROOT,
          "agon: %s at G update %d: %s on %d samples%n",
          f.generatorEma() != null ? "G-EMA" : "final iterate",
          f.gSteps(),
          r.modes().summary(),
          loaded.config().eval().samples());
    }
    if (loaded.config().checkpoint().bestMetric() != BestMetric.NONE) {
      try {
        BestCheckpoint.read(r.runDir())
            .ifPresent(
                b ->
                    out.printf(
                        Locale.ROOT,
                        "agon: best evaluated checkpoint: G update %d, %s %s (agon sample --step"
                            + " best)%n",
                        b.step(),
                        b.metric(),
                        b.value()));
      } catch (CheckpointException e) {
        out.println("agon: warning: " + e.getMessage());
      }
    }
    out.flush();
  }

  /**
   * Creates run directory {@code dir} and its missing parents; returns those it created, outermost
   * first. A path in the way that is not a directory is a user error naming it.
   */
  private static List<Path> createRunDirectory(Path dir) {
    List<Path> missing = new ArrayList<>();
    for (Path p = dir.toAbsolutePath(); p != null && !Files.exists(p); p = p.getParent()) {
      missing.add(0, p);
    }
    if (missing.isEmpty() && !Files.isDirectory(dir)) {
      throw new Main.UserException("--run " + dir + " is not a directory");
    }
    List<Path> made = new ArrayList<>();
    for (Path p : missing) {
      try {
        Files.createDirectory(p);
        made.add(p);
      } catch (IOException e) {
        removeCreated(made);
        throw new Main.UserException(
            "cannot create run directory "
                + dir
                + ": "
                + (Files.exists(p.getParent()) && !Files.isDirectory(p.getParent())
                    ? p.getParent() + " is not a directory"
                    : p + ": " + WriteFailedException.reason(e)));
      }
    }
    return made;
  }

  /** Removes the directories {@link #createRunDirectory} made, innermost first, if still empty. */
  private static void removeCreated(List<Path> made) {
    for (int i = made.size() - 1; i >= 0; i--) {
      try {
        Files.deleteIfExists(made.get(i));
      } catch (IOException e) {
        return; // not empty, or not ours to remove any more
      }
    }
  }

  private static List<Path> entries(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }

  private static void truncate(Path file, long length) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      if (ch.size() > length) {
        ch.truncate(length);
      }
    } catch (IOException e) {
      org.slf4j.LoggerFactory.getLogger(TrainCommand.class)
          .warn("could not restore {}: {}", file, e.toString());
    }
  }

  private static void deleteTree(Path p) {
    try {
      DurableFiles.deleteTree(p);
    } catch (IOException e) {
      org.slf4j.LoggerFactory.getLogger(TrainCommand.class)
          .warn("could not remove {}: {}", p, e.toString());
    }
  }

  private static Path freshRunDir(LoadedConfig loaded) {
    Path base = Path.of(loaded.config().run().dir()).resolve(loaded.config().run().name());
    Path dir = base;
    for (int i = 2; Files.exists(dir); i++) {
      dir = base.resolveSibling(base.getFileName() + "-" + i);
    }
    return dir;
  }

  /**
   * Reads {@code metrics.token-file} as the run will when it serves the control API, so that a file
   * giving no token is bad input reported before a run directory exists. The run reads it again,
   * and warns there (and in agon.log) when others may read it.
   */
  private static void checkTokenFile(dev.agon.config.AgonConfig c) {
    dev.agon.config.MetricsConfig m = c.metrics();
    if (!m.enabled() || !m.control() || m.tokenFile().isBlank()) {
      return;
    }
    try {
      dev.agon.web.TokenFile.read(Path.of(m.tokenFile()), warning -> {});
    } catch (IOException | java.nio.file.InvalidPathException e) {
      throw new Main.UserException("metrics.token-file: " + e.getMessage());
    }
  }
}
