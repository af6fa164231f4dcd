package dev.cohort.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import picocli.CommandLine;

/** One in-process run of the {@code cohort} command line: its exit code and what it printed. */
record CliRun(int code, String out, String err) {
  static CliRun of(String... args) {
    return on(Cohort.newCommandLine(), args);
  }

  /** A run on {@code cl}, e.g. {@link Cohort#newCommandLine()} with a test command added. */
  static CliRun on(CommandLine cl, String... args) {
    StringWriter out = new StringWriter();
    return on(cl, out, args).withOut(out.toString());
  }

  /** A run whose standard output is {@code out} (e.g. one that fails as a full disk does); {@code out()} is empty. */
  static CliRun on(CommandLine cl, Writer out, String... args) {
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err, true));
    int code = Cohort.execute(cl, new StandardOutput(out), args);
    return new CliRun(code, "", err.toString());
  }

  private CliRun withOut(String out) {
    return new CliRun(code, out, err);
  }
}
