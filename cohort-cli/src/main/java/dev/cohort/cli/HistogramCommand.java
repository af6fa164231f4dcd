package dev.cohort.cli;

import dev.cohort.analytics.HierarchicalHistogram;
import dev.cohort.analytics.HistogramTree;
import dev.cohort.privacy.Numbers;
import dev.cohort.privacy.PrivacyGuarantee;
import dev.cohort.privacy.RdpAccountant;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cohort analytics histogram}: the histogram of a numeric CSV column over equal-width bins, each client's
 * records clipped on the client and the tree of counts built at the server ({@link HierarchicalHistogram}), with
 * optional central Gaussian noise ({@code --noise-multiplier}, whose (ε, δ) at {@code --delta} the RDP accountant
 * reports) and quantiles read from the tree. With noise the printed counts are the consistent (least-squares)
 * estimates.
 *
 * <p>Exit status: 2 for a flag out of range or a column the file lacks; 1 for a file that cannot be read, is
 * malformed, or has a value that is not a number.
 */
@Command(name = "histogram", mixinStandardHelpOptions = true, versionProvider = InfoCommand.Version.class,
    description = "A (DP) histogram and quantiles of a numeric CSV column over its clients (hierarchical histogram).",
    footer = {"", "Examples:",
        "  cohort analytics histogram --csv rating_final.csv --column rating --client-column userID --lower 0 "
            + "--upper 3 --bins 3",
        "  cohort analytics histogram --csv ages.csv --column age --client-column user --lower 0 --upper 100 "
            + "--bins 20 --quantiles 0.5,0.9"})
final class HistogramCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin
  CsvOptions csv = new CsvOptions();

  @Option(names = "--lower", required = true, paramLabel = "L", description = "Lower end of the bins.")
  double lower;

  @Option(names = "--upper", required = true, paramLabel = "U", description = "Upper end of the bins, above L.")
  double upper;

  @Option(names = "--bins", required = true, paramLabel = "N", description = "Number of equal-width bins, >= 1.")
  int bins;

  @Option(names = "--arity", paramLabel = "A", defaultValue = "2",
      description = "Children per node of the tree, >= 2 (default: ${DEFAULT-VALUE}).")
  int arity;

  @Option(names = "--max-records-per-client", paramLabel = "M", defaultValue = "1",
      description = "Records a client contributes (its first M), >= 1 (default: ${DEFAULT-VALUE}).")
  int maxRecords;

  @Option(names = "--distinct", description = "Count a client's first M distinct bins once each, not records.")
  boolean distinct;

  @Option(names = "--noise-multiplier", paramLabel = "Z",
      description = "Central Gaussian noise: stddev Z * M * sqrt(layers) on every node, >= 0 (default: none).")
  Double noiseMultiplier;

  @Option(names = "--delta", paramLabel = "D", description = "With --noise-multiplier: report epsilon at this delta.")
  Double delta;

  @Option(names = "--quantiles", paramLabel = "Q", split = ",",
      description = "Quantiles in [0, 1] to print, e.g. 0.5,0.9 (each the lower edge of its bin).")
  List<Double> quantiles = new ArrayList<>();

  @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
      description = "Seed of the noise (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--json", description = "Print one JSON object instead of text.")
  boolean json;

  @Override
  public Integer call() {
    if (noiseMultiplier == null && delta != null) {
      throw new Flags.FlagException("--delta (" + Numbers.format(delta) + ") needs --noise-multiplier");
    }
    if (noiseMultiplier != null && noiseMultiplier > 0 && delta == null) {
      throw new Flags.FlagException("--noise-multiplier (" + Numbers.format(noiseMultiplier) + ") needs --delta D,"
          + " the delta at which to report epsilon");
    }
    for (double q : quantiles) {
      if (!(q >= 0 && q <= 1)) {
        throw new Flags.FlagException("--quantiles (" + Numbers.format(q) + ") must be in [0, 1]");
      }
    }
    HierarchicalHistogram h;
    try {
      h = HierarchicalHistogram.builder(lower, upper, bins).arity(arity).distinct(distinct)
          .maxRecordsPerUser(maxRecords).noiseMultiplier(noiseMultiplier == null ? 0 : noiseMultiplier).seed(seed)
          .build();
    } catch (IllegalArgumentException e) {
      String m = e.getMessage();
      String flag = m.startsWith("lower_bound") ? "--lower/--upper" : m.startsWith("num_bins") ? "--bins"
          : m.startsWith("arity") ? "--arity" : m.startsWith("max_records") ? "--max-records-per-client"
          : m.startsWith("noise") ? "--noise-multiplier" : "--bins/--arity";
      throw new Flags.FlagException(flag + ": " + m, e);
    }
    PrivacyGuarantee g = null;
    if (h.noiseMultiplier() > 0) {
      try {
        g = h.guarantee(RdpAccountant.create(), delta);
      } catch (IllegalArgumentException e) {
        throw new Flags.FlagException("--delta (" + Numbers.format(delta) + "): " + e.getMessage(), e);
      }
    }
    Map<String, List<String>> clients = csv.read();
    List<List<float[]>> data = new ArrayList<>(clients.size());
    for (Map.Entry<String, List<String>> c : clients.entrySet()) {
      float[] values = new float[c.getValue().size()];
      for (int i = 0; i < values.length; i++) {
        String v = c.getValue().get(i).strip();
        try {
          values[i] = Float.parseFloat(v);
        } catch (NumberFormatException e) {
          values[i] = Float.NaN;
        }
        if (Float.isNaN(values[i])) {
          throw new UserFileException(csv.file + ": client '" + c.getKey() + "', record " + (i + 1) + " of column '"
              + csv.column + "': '" + v + "' is not a number", null);
        }
      }
      data.add(List.of(values));
    }
    HistogramTree tree = h.decode(h.computation().call(data));
    if (g != null) {
      tree = tree.consistent();
    }
    print(clients.size(), h, tree, g);
    return 0;
  }

  private void print(int clients, HierarchicalHistogram h, HistogramTree tree, PrivacyGuarantee g) {
    PrintWriter out = spec.commandLine().getOut();
    double width = (upper - lower) / bins;
    double[] counts = tree.bins();
    if (json) {
      double[] edges = new double[bins];
      for (int i = 0; i < bins; i++) {
        edges[i] = lower + i * width;
      }
      Json j = new Json().put("command", "histogram").put("clients", clients).put("records", tree.node(0, 0))
          .put("bin_lower_edges", edges).put("counts", counts);
      for (double q : quantiles) {
        j.put("quantile_" + Numbers.format(q), tree.quantile(q));
      }
      if (g != null) {
        j.put("noise_multiplier", h.noiseMultiplier()).put("noise_stddev", h.noiseStddev()).put("epsilon", g.epsilon())
            .put("delta", g.delta());
      }
      out.println(j.end());
      return;
    }
    out.println(Output.row("clients", Integer.toString(clients)));
    out.println(Output.row("records", Numbers.format(tree.node(0, 0))));
    if (g != null) {
      out.println(Output.row("privacy", "(" + Numbers.format(g.epsilon()) + ", " + Numbers.format(g.delta())
          + ")-DP, Gaussian noise stddev " + Numbers.format(h.noiseStddev()) + " per node, consistent estimates"));
    }
    for (int i = 0; i < bins; i++) {
      String bin = "[" + Numbers.format(lower + i * width) + ", " + Numbers.format(i == bins - 1 ? upper
          : lower + (i + 1) * width) + (i == bins - 1 ? "]" : ")");
      out.println(Output.row(bin, Numbers.format(counts[i])));
    }
    for (double q : quantiles) {
      out.println(Output.row("quantile " + Numbers.format(q), Numbers.format(tree.quantile(q))));
    }
  }
}
