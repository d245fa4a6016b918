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

  List<String> errLines() {
    return err.lines().filter(l -> !l.isBlank()).toList();
  }
}
