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

  List<String> errLines() {
    return err.lines().filter(l -> !l.isBlank()).toList();
  }
}
