package dev.cohort.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code cohort analytics}: federated analytics over local files, each client's data summarised on the client and
 * only the summaries combined: heavy hitters of text with IBLT sketches ({@link HeavyHittersCommand}).
 */
@Command(
    name = "analytics",
    mixinStandardHelpOptions = true,
    versionProvider = InfoCommand.Version.class,
    description = "Federated analytics: heavy hitters with IBLT sketches.",
    subcommands = {HeavyHittersCommand.class})
final class AnalyticsCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
