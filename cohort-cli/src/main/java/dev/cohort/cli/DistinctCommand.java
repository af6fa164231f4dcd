package dev.cohort.cli;

import dev.cohort.analytics.HyperLogLog;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.tensor.Tensor;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cohort analytics distinct}: the number of distinct values of a CSV column over all clients, estimated with
 * TFF's federated HyperLogLog ({@link HyperLogLog}: 32 registers, about 18 % relative standard error, no correction
 * for small counts).
 *
 * <p>Exit status: 2 for a column the file lacks; 1 for a file that cannot be read or is malformed.
 */
@Command(name = "distinct", mixinStandardHelpOptions = true, versionProvider = InfoCommand.Version.class,
    description = "Estimate the distinct values of a CSV column over its clients (federated HyperLogLog).",
    footer = {"", "Examples:",
        "  cohort analytics distinct --csv rating_final.csv --column placeID --client-column userID"})
final class DistinctCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin
  CsvOptions csv = new CsvOptions();

  @Option(names = "--json", description = "Print one JSON object instead of text.")
  boolean json;

  @Override
  public Integer call() {
    Map<String, List<String>> clients = csv.read();
    long estimate = ((Tensor) ((FederatedValue) HyperLogLog.computation().call(new ArrayList<>(clients.values())))
        .value()).longValue();
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(new Json().put("command", "distinct").put("clients", clients.size())
          .put("distinct_estimate", estimate).end());
    } else {
      out.println(Output.row("clients", Integer.toString(clients.size())));
      out.println(Output.row("distinct (est.)", Long.toString(estimate)));
    }
    return 0;
  }
}
