package dev.cohort.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code cohort data}: what a task's data holds ({@link DataInspectCommand}). */
@Command(name = "data", mixinStandardHelpOptions = true, versionProvider = InfoCommand.Version.class,
    description = "Look at a task's federated data before training on it.",
    subcommands = {DataInspectCommand.class},
    footer = {"", "Examples:", "  cohort data inspect", "  cohort data inspect --task fashion-mnist --partition "
        + "dirichlet:0.1"})
final class DataCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
