package dev.agon.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code agon train} in a child JVM (the test's own classpath), for tests that signal or kill the
 * training process. Its stdout and stderr go to files beside the run directory.
 */
final class TrainProcess {
  final Process process;
  final Path stdout;
  final Path stderr;

  /** Where the JVM writes its fatal-error report (hs_err) should it crash. */
  final Path crashLog;

  private TrainProcess(Process process, Path stdout, Path stderr, Path crashLog) {
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
    this.crashLog = crashLog;
  }

  /** Starts training of the ring config into {@code run} with {@code --set} overrides. */
  static TrainProcess start(Path run, String tag, List<String> jvmProps, List<String> sets)
      throws IOException {
    return start(run, tag, "config/ring.conf", jvmProps, sets);
  }

  /** Starts training of {@code config} into {@code run} with {@code --set} overrides. */
  static TrainProcess start(
      Path run, String tag, String config, List<String> jvmProps, List<String> sets)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    // A build started as a background job of a non-interactive shell (nohup ... &) inherits
    // SIGINT ignored, as POSIX says, and the JVM then keeps it ignored: reset it, so that the
    // child sees what a user's Ctrl-C or kill -INT does wherever the build runs.
    cmd.add("env");
    cmd.add("--default-signal=INT,TERM");
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx384m");
    cmd.add("-Djava.awt.headless=true");
    Path crash = run.resolveSibling(run.getFileName() + "-" + tag + "-hs_err.log");
    cmd.add("-XX:ErrorFile=" + crash);
    cmd.addAll(jvmProps);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("dev.agon.cli.Main");
    cmd.add("train");
    cmd.add("--config");
    cmd.add(config);
    cmd.add("--run");
    cmd.add(run.toString());
    cmd.add("--quiet");
    for (String s : sets) {
      cmd.add("--set");
      cmd.add(s);
    }
    Path out = run.resolveSibling(run.getFileName() + "-" + tag + ".out");
    Path err = run.resolveSibling(run.getFileName() + "-" + tag + ".err");
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("OMP_NUM_THREADS", "1");
    pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    return new TrainProcess(pb.start(), out, err, crash);
  }

  /** Sends signal {@code name} (TERM, INT, KILL) to the process. */
  void signal(String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
    kill.waitFor(10, TimeUnit.SECONDS);
  }

  /** Waits up to {@code seconds} for the exit; the status, or -1 (then killed) if it hangs. */
  int waitFor(long seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor();
      return -1;
    }
    return process.exitValue();
  }

  String out() throws IOException {
    return Files.readString(stdout);
  }

  String err() throws IOException {
    return Files.readString(stderr);
  }

  /**
   * What tells why the process ended by itself: its stderr, the end of its stdout (a JVM's fatal
   * error summary goes there) and the head of its hs_err report, if it wrote one.
   */
  String diagnosis() throws IOException {
    StringBuilder b = new StringBuilder("stderr:\n").append(err());
    String out = out();
    b.append("\nstdout (end):\n").append(out.substring(Math.max(0, out.length() - 4000)));
    if (Files.exists(crashLog)) {
      b.append("\n").append(crashLog).append(" (head):\n");
      Files.readAllLines(crashLog).stream().limit(60).forEach(l -> b.append(l).append('\n'));
    }
    return b.toString();
  }
}
