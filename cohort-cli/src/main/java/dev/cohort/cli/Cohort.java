package dev.cohort.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code cohort} command: one entry point whose subcommands build the same objects a library user would.
 * Errors name the flag, the value and what was expected, and exit non-zero.
 */
@Command(
    name = "cohort",
    mixinStandardHelpOptions = true,
    versionProvider = InfoCommand.Version.class,
    description = "Federated learning and federated analytics for the JVM.",
    subcommands = {
        InfoCommand.class,
        PrivacyCommand.class,
        TutorialCommand.class,
    })
public final class Cohort implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** Runs the command line and exits with its status. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit status (used by tests). */
  public static int run(String... args) {
    return newCommandLine().execute(args);
  }

  /** The configured picocli command line. */
  public static CommandLine newCommandLine() {
    CommandLine cl = new CommandLine(new Cohort());
    cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      if (ex instanceof IllegalArgumentException || ex instanceof java.io.UncheckedIOException
          || ex instanceof java.io.IOException || ex instanceof IllegalStateException) {
        // "cohort privacy epsilon: error: ..." names the full subcommand path.
        commandLine.getErr().println(commandLine.getCommandSpec().qualifiedName() + ": error: " + ex.getMessage());
        return 2;
      }
      throw ex;
    });
    return cl;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
