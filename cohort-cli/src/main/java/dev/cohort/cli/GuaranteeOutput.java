package dev.cohort.cli;

import dev.cohort.privacy.Numbers;
import dev.cohort.privacy.PrivacyAccountant;
import dev.cohort.privacy.PrivacyGuarantee;
import java.io.PrintWriter;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;

/** How the privacy commands print a {@link PrivacyGuarantee}: its rows, its JSON fields and its warnings. */
final class GuaranteeOutput {
  private GuaranteeOutput() {}

  /**
   * The library's logger (java.util.logging backs System.Logger by default). The commands print the library's
   * warnings themselves, once, as "cohort privacy …: warning: …", so the logger's own copy is switched off.
   */
  private static final Logger LIBRARY_LOG = Logger.getLogger("dev.cohort.privacy");

  /** Switches the library's own log output off: the command prints its warnings (see {@link #warn}). */
  static void silenceLibraryLog() {
    LIBRARY_LOG.setLevel(Level.OFF);
  }

  /** ε with ten significant digits (all that the published vectors quote), or "inf". */
  static String epsilon(double epsilon) {
    return Numbers.significant(epsilon, 10);
  }

  /** The rows after ε: δ, the optimal order where there is one, and the accountant. */
  static void printRows(PrintWriter out, PrivacyGuarantee g, PrivacyAccountant accountant) {
    out.println(Output.row("delta", Numbers.format(g.delta())));
    if (g.optimalOrder().isPresent()) {
      out.println(Output.row("optimal order", Numbers.format(g.optimalOrder().getAsDouble())));
    }
    out.println(Output.row("accountant", accountant.describe()));
  }

  /** The optimal-order fields, where there is an order, and the warnings rendered with {@code names}. */
  static Json putOrderAndWarnings(Json j, PrivacyGuarantee g, Flags.ParameterNames names) {
    if (g.optimalOrder().isPresent()) {
      j.put("optimal_order", g.optimalOrder().getAsDouble())
          .put("optimal_order_at_grid_edge", g.optimalOrderAtGridEdge());
    }
    return j.put("warnings", warnings(g, names));
  }

  /** Prints each warning of {@code g} on standard error, naming flags. */
  static void warn(CommandLine.Model.CommandSpec spec, PrivacyGuarantee g, Flags.ParameterNames names) {
    for (String w : warnings(g, names)) {
      Output.warn(spec, w);
    }
  }

  private static List<String> warnings(PrivacyGuarantee g, Flags.ParameterNames names) {
    return names.render(g.warningTexts());
  }
}
