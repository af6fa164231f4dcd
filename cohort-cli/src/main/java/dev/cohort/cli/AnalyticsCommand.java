package dev.cohort.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code cohort analytics}: federated analytics over local files, each client's data summarised on the client and
 * only the summaries combined: heavy hitters of text with IBLT sketches ({@link HeavyHittersCommand}), and over a
 * CSV column with a client column, (DP) histograms and quantiles ({@link HistogramCommand}) and HyperLogLog distinct
 * counts ({@link DistinctCommand}).
 */
@Command(
    name = "analytics",
    mixinStandardHelpOptions = true,
    versionProvider = InfoCommand.Version.class,
    description = "Federated analytics: heavy hitters, histograms and quantiles, distinct counts.",
    subcommands = {HeavyHittersCommand.class, HistogramCommand.class, DistinctCommand.class},
    footer = {"", "Examples:",
        "  cohort analytics heavy-hitters --task shakespeare --data ../shared/data/shakespeare",
        "  cohort analytics distinct --csv rating_final.csv --column placeID --client-column userID"})
final class AnalyticsCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
