package dev.cohort.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Exit codes: 2 for usage errors only, 1 for files that cannot be read or written and for internal errors, which
 * say they are bugs ({@code --verbose} prints the stack trace). Each path runs through the in-process harness.
 */
class ExitCodeTest {
  private static final String NL = System.lineSeparator();

  /** A command that throws whatever the test gives it, standing in for a command with a bug. */
  @Command(name = "fail")
  static final class Failing implements Callable<Integer> {
    private final RuntimeException failure;

    Failing(RuntimeException failure) {
      this.failure = failure;
    }

    @Override
    public Integer call() {
      throw failure;
    }
  }

  private static CliRun failingWith(RuntimeException e, String... args) {
    CommandLine cl = Cohort.newCommandLine();
    cl.addSubcommand(new Failing(e));
    List<String> argv = new ArrayList<>(List.of("fail"));
    argv.addAll(List.of(args));
    return CliRun.on(cl, argv.toArray(new String[0]));
  }

  @Test
  void anInternalFailureExitsWithOneAndSaysItIsABug() {
    CliRun r = failingWith(new IllegalStateException("internal: the ledger lost a round"));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).isEqualTo("cohort fail: internal error (this is a bug in Cohort; please report it): "
        + "IllegalStateException: internal: the ledger lost a round; rerun with --verbose for the stack trace"
        + NL);
  }

  @Test
  void aNullPointerOrAPlainIllegalArgumentIsInternalToo() {
    // Every IllegalStateException and IllegalArgumentException used to be reported as a usage error (exit 2).
    CliRun npe = failingWith(new NullPointerException());
    assertThat(npe.code()).isEqualTo(1);
    assertThat(npe.err()).isEqualTo("cohort fail: internal error (this is a bug in Cohort; please report it): "
        + "NullPointerException; rerun with --verbose for the stack trace" + NL);
    CliRun iae = failingWith(new IllegalArgumentException("n (0) must be >= 1"));
    assertThat(iae.code()).isEqualTo(1);
    assertThat(iae.err()).contains("internal error (this is a bug in Cohort; please report it): "
        + "IllegalArgumentException: n (0) must be >= 1;");
  }

  @Test
  void verbosePrintsTheStackTraceOfAnInternalError() {
    CliRun r = failingWith(new IllegalStateException("internal: boom"), "--verbose");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).startsWith("cohort fail: internal error (this is a bug in Cohort; please report it): "
        + "IllegalStateException: internal: boom" + NL + "java.lang.IllegalStateException: internal: boom" + NL
        + "\tat ").doesNotContain("rerun with --verbose");
    // --verbose is accepted by every command, before or after the subcommand.
    CliRun before = CliRun.of("--verbose", "privacy", "epsilon", "--sampling-rate", "0.01", "--noise-multiplier",
        "1", "--steps", "10", "--delta", "1e-5");
    assertThat(before.code()).isZero();
    assertThat(before.out()).startsWith("epsilon ");
  }

  @Test
  void aUsageErrorExitsWithTwoAndAFileErrorWithOneWithoutCallingEitherABug() {
    CliRun usage = failingWith(new Flags.FlagException("--x (1) must be 2"));
    assertThat(usage.code()).isEqualTo(2);
    assertThat(usage.err()).isEqualTo("cohort fail: error: --x (1) must be 2" + NL);
    CliRun file = failingWith(new UserFileException("data.gz: cannot read: Not in GZIP format", null));
    assertThat(file.code()).isEqualTo(1);
    assertThat(file.err()).isEqualTo("cohort fail: error: data.gz: cannot read: Not in GZIP format" + NL);
    CliRun io = failingWith(new UncheckedIOException("out.json: disk quota exceeded", new IOException()));
    assertThat(io.code()).isEqualTo(1);
    assertThat(io.err()).isEqualTo("cohort fail: error: out.json: disk quota exceeded" + NL);
  }

  /** Standard output whose every write fails with {@code error}: "No space left on device" as {@code > /dev/full}. */
  private static final class FailingWriter extends Writer {
    private final String error;

    FailingWriter(String error) {
      this.error = error;
    }

    @Override
    public void write(char[] buffer, int offset, int length) throws IOException {
      throw new IOException(error);
    }

    @Override
    public void flush() throws IOException {
      throw new IOException(error);
    }

    @Override
    public void close() {}
  }

  @Test
  void outputThatCannotBeWrittenExitsWithOne() {
    // It used to exit 0: PrintWriter swallows write errors.
    for (String[] args : new String[][] {
        {"privacy", "epsilon", "--sampling-rate", "0.01", "--noise-multiplier", "1", "--steps", "10", "--delta",
            "1e-5"},
        {"privacy", "epsilon", "--sampling-rate", "0.01", "--noise-multiplier", "1", "--steps", "10", "--delta",
            "1e-5", "--json"},
        {"info"}}) {
      CliRun r = CliRun.on(Cohort.newCommandLine(), new FailingWriter("No space left on device"), args);
      assertThat(r.code()).as(String.join(" ", args)).isEqualTo(1);
      String name = args[0].equals("info") ? "cohort info" : "cohort privacy epsilon";
      assertThat(r.err()).isEqualTo(name + ": error: cannot write to standard output: No space left on device; "
          + "the output is incomplete" + NL);
    }
    // A usage error keeps its own status.
    CliRun usage = CliRun.on(Cohort.newCommandLine(), new FailingWriter("No space left on device"), "privacy",
        "epsilon", "--sampling-rate", "2", "--noise-multiplier", "1", "--steps", "10", "--delta", "1e-5");
    assertThat(usage.code()).isEqualTo(2);
  }

  @Test
  void aReaderThatStopsEarlyIsNotAFailure() {
    // "cohort privacy calibrate ... | head -1": the rest of the output has nowhere to go, and that is fine.
    CliRun r = CliRun.on(Cohort.newCommandLine(), new FailingWriter("Broken pipe"), "info");
    assertThat(r.code()).isZero();
    assertThat(r.err()).isEmpty();
  }

  @Test
  void everyCommandAnswersHelpAndVersion() {
    // "cohort tutorial --help" used to be an unknown option.
    List<String[]> paths = new ArrayList<>();
    collect(Cohort.newCommandLine(), new ArrayList<>(), paths);
    assertThat(paths).extracting(p -> String.join(" ", p))
        .contains("info", "privacy", "privacy epsilon", "privacy calibrate", "tutorial");
    for (String[] path : paths) {
      for (String flag : new String[] {"--help", "--version"}) {
        List<String> argv = new ArrayList<>(List.of(path));
        argv.add(flag);
        CliRun r = CliRun.of(argv.toArray(new String[0]));
        assertThat(r.code()).as("%s %s", String.join(" ", path), flag).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).startsWith(flag.equals("--help") ? "Usage: cohort " + String.join(" ", path)
            : "cohort " + InfoCommand.version());
      }
    }
  }

  private static void collect(CommandLine cl, List<String> path, List<String[]> out) {
    for (var e : cl.getSubcommands().entrySet()) {
      List<String> p = new ArrayList<>(path);
      p.add(e.getKey());
      out.add(p.toArray(new String[0]));
      collect(e.getValue(), p, out);
    }
  }
}
