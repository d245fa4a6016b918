package dev.agon.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

/** Runs the command line in-process and captures what it printed. */
record CliRunner(int status, String out, String err) {
  static CliRunner run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new CliRunner(status, out.toString(), err.toString());
  }

  /**
   * {@code agon train [--config config] --run run --quiet --set s...}: a short run for a test;
   * {@code config} null for the default experiment.
   */
  static CliRunner train(java.nio.file.Path run, String config, String... sets) {
    List<String> args = new java.util.ArrayList<>(List.of("train"));
    if (config != null) {
      args.addAll(List.of("--config", config));
    }
    args.addAll(List.of("--run", run.toString(), "--quiet"));
    for (String s : sets) {
      args.addAll(List.of("--set", s));
    }
    return run(args.toArray(String[]::new));
  }

  /**
   * Two updates of {@code config} at DCGAN width 4, batch 8, without evaluations, plots or metrics:
   * a finished run for the commands that read one ({@code agon sample}, {@code agon eval}); fails
   * the test unless training succeeds.
   */
  static void trainTiny(java.nio.file.Path run, String config) {
    CliRunner t =
        train(
            run,
            config,
            "schedule.iterations=2",
            "schedule.batch-size=8",
            "model.dcgan.width=4",
            "eval.every-steps=0",
            "eval.samples=64",
            "eval.plots=false",
            "metrics.enabled=false");
    if (t.status() != 0) {
      throw new AssertionError("agon train " + config + " exited " + t.status() + ": " + t.err());
    }
  }

  List<String> errLines() {
    return err.lines().filter(l -> !l.isBlank()).toList();
  }
}
