package dev.cohort.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code cohort} command: one entry point whose subcommands build the same objects a library user would.
 * Errors name the flag, the value and what was expected.
 *
 * <p>Exit status: 0 on success; 2 for a usage error (picocli's parse errors, a {@link Flags.FlagException}, or a
 * library error about a value a flag set); 1 for a file that cannot be read or written ({@link UserFileException},
 * an I/O error, standard output that fails, e.g. a full disk) and for an internal error, which is any other
 * exception: it is a bug in Cohort, says so, and {@code --verbose} prints its stack trace.
 */
@Command(
    name = "cohort",
    mixinStandardHelpOptions = true,
    versionProvider = InfoCommand.Version.class,
    description = "Federated learning and federated analytics for the JVM.",
    footer = {"", "Examples:",
        "  cohort train                                   # FedAvg of a CNN on the shipped FEMNIST sample",
        "  cohort train --task fashion-mnist --partition dirichlet:0.5 --model mlp",
        "  cohort evaluate --weights runs/<timestamp>/model.npz",
        "  cohort data inspect --task shakespeare --data tinyshakespeare.txt",
        "  cohort info                                    # version, BLAS route, the data sets found",
        "Run 'cohort COMMAND --help' for a command's flags and examples."},
    subcommands = {
        InfoCommand.class,
        PrivacyCommand.class,
        AnalyticsCommand.class,
        TutorialCommand.class,
        TrainCommand.class,
        EvaluateCommand.class,
        DataCommand.class,
    })
public final class Cohort implements Runnable {
  /** Exit status of a usage error. */
  static final int USAGE = 2;
  /** Exit status of a failure that is not the user's usage: an unreadable file, or a bug. */
  static final int FAILURE = 1;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
      description = "On an internal error, print its stack trace.")
  boolean verbose;

  /** Runs the command line on standard output and standard error, and exits with its status. */
  public static void main(String[] args) {
    // Straight to the file descriptor: System.out is a PrintStream, which hides write errors.
    StandardOutput out = new StandardOutput(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out),
        Charset.defaultCharset()));
    System.exit(execute(newCommandLine(), out, args));
  }

  /** The configured picocli command line: the commands and the mapping from exceptions to exit codes. */
  static CommandLine newCommandLine() {
    CommandLine cl = new CommandLine(new Cohort());
    cl.setParameterExceptionHandler((ex, args) -> {
      // One line, as every other usage error: what is wrong, a close match where picocli has one, where help is.
      CommandLine where = ex.getCommandLine();
      String name = where.getCommandSpec().qualifiedName();
      StringBuilder line = new StringBuilder(name + ": error: " + ex.getMessage());
      if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
        line.append("; did you mean ").append(String.join(" or ", u.getSuggestions())).append('?');
      }
      line.append("; see '").append(name).append(" --help'");
      where.getErr().println(line);
      where.getErr().flush();
      return USAGE;
    });
    cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      // "cohort privacy epsilon: error: ..." names the full subcommand path.
      String name = commandLine.getCommandSpec().qualifiedName();
      PrintWriter err = commandLine.getErr();
      if (ex instanceof Flags.FlagException) {
        err.println(name + ": error: " + ex.getMessage());
        return USAGE;
      }
      if (ex instanceof UserFileException || ex instanceof IOException || ex instanceof UncheckedIOException) {
        err.println(name + ": error: " + ex.getMessage());
        return FAILURE;
      }
      String what = ex.getClass().getSimpleName() + (ex.getMessage() == null ? "" : ": " + ex.getMessage());
      if (verbose(parseResult)) {
        err.println(name + ": internal error (this is a bug in Cohort; please report it): " + what);
        StringWriter trace = new StringWriter();
        ex.printStackTrace(new PrintWriter(trace));
        err.print(trace);
      } else {
        err.println(name + ": internal error (this is a bug in Cohort; please report it): " + what
            + "; rerun with --verbose for the stack trace");
      }
      err.flush();
      return FAILURE;
    });
    return cl;
  }

  /**
   * Runs {@code args} on {@code cl} with standard output {@code out} and returns the exit status. A run whose
   * output could not be written (a full disk) fails with status 1 even where the command succeeded; a reader that
   * stopped reading (a pipe into {@code head}) is not a failure.
   */
  static int execute(CommandLine cl, StandardOutput out, String... args) {
    PrintWriter writer = new PrintWriter(out, true);
    cl.setOut(writer);
    int code = cl.execute(args);
    writer.flush();
    if (out.failure() != null && !out.readerStopped()) {
      cl.getErr().println(executed(cl) + ": error: cannot write to standard output: " + out.failure().getMessage()
          + "; the output is incomplete");
      cl.getErr().flush();
      return code == 0 ? FAILURE : code;
    }
    return code;
  }

  /** The qualified name of the (sub)command the last parse selected: "cohort privacy epsilon". */
  private static String executed(CommandLine cl) {
    CommandLine.ParseResult pr = cl.getParseResult();
    if (pr == null) {
      return cl.getCommandSpec().qualifiedName();
    }
    while (pr.hasSubcommand()) {
      pr = pr.subcommand();
    }
    return pr.commandSpec().qualifiedName();
  }

  private static boolean verbose(CommandLine.ParseResult pr) {
    for (; pr != null; pr = pr.hasSubcommand() ? pr.subcommand() : null) {
      if (pr.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
