package dev.cohort.cli;

import static dev.cohort.cli.Flags.FlagException;

import dev.cohort.privacy.Conversion;
import dev.cohort.privacy.FractionalOrders;
import dev.cohort.privacy.OrderGrid;
import dev.cohort.privacy.PldAccountant;
import dev.cohort.privacy.PrivacyAccountant;
import dev.cohort.privacy.RdpAccountant;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The accounting options of {@code cohort privacy epsilon} and {@code calibrate} (a picocli mixin). */
final class AccountingOptions {
  @Option(names = "--accountant", defaultValue = "rdp", paramLabel = "rdp|pld",
      description = "rdp (Renyi DP, reports the optimal order) or pld (privacy loss distributions, tighter). "
          + "Default: ${DEFAULT-VALUE}.")
  String accountant;

  @Option(names = "--conversion", defaultValue = "improved", paramLabel = "improved|classic",
      description = "RDP only. RDP to (epsilon, delta): improved (Canonne-Kamath-Steinke, as dp_accounting and "
          + "Opacus) or classic (Mironov 2017). Default: ${DEFAULT-VALUE}.")
  String conversion;

  @Option(names = "--orders", defaultValue = "dp-accounting", paramLabel = "ORDERS",
      description = "RDP only. The order grid: dp-accounting, tf-privacy, opacus, or a comma-separated list of "
          + "orders > 1 (at most 100000). Default: ${DEFAULT-VALUE}.")
  String orders;

  @Option(names = "--fractional-orders", defaultValue = "exact", paramLabel = "MODE",
      description = "RDP only. How fractional orders are evaluated: exact (the signed series, as Opacus) or "
          + "absolute-upper-bound (the sum of its absolute values, as dp_accounting since 2024). "
          + "Default: ${DEFAULT-VALUE}.")
  String fractionalOrders;

  @Option(names = "--interval", defaultValue = "1e-4", paramLabel = "I",
      description = "PLD only. The discretisation interval of the privacy loss. Default: ${DEFAULT-VALUE}.")
  double interval;

  /**
   * Adds the library parameters these options set to {@code names}: the interval and the orders (a custom grid's
   * errors name one order).
   */
  static Flags.ParameterNames names(Flags.ParameterNames names) {
    return names.flag("interval", "--interval").flag("order", "--orders").flag("orders", "--orders");
  }

  /** The empty accountant the options describe; rejects options of the other accountant. */
  PrivacyAccountant build(CommandLine.Model.CommandSpec spec) {
    if (Flags.choice("--accountant", accountant, List.of("rdp", "pld")).equals("pld")) {
      for (String rdpOnly : new String[] {"--conversion", "--orders", "--fractional-orders"}) {
        Flags.notApplicable(spec, rdpOnly, "with --accountant pld: it applies to RDP accounting only");
      }
      return PldAccountant.withInterval(interval);
    }
    Flags.notApplicable(spec, "--interval", "with --accountant rdp: it sets the PLD discretisation");
    return RdpAccountant.builder()
        .orders(grid(orders))
        .conversion(Flags.enumChoice("--conversion", conversion, Conversion.class))
        .fractionalOrders(Flags.enumChoice("--fractional-orders", fractionalOrders, FractionalOrders.class))
        .build();
  }

  /** A named grid ({@link OrderGrid#names()}), or a custom one from a comma-separated list of orders. */
  private static OrderGrid grid(String value) {
    if (OrderGrid.names().contains(value)) {
      return OrderGrid.named(value);
    }
    String grids = "one of " + String.join(", ", OrderGrid.names()) + ", or a comma-separated list of orders > 1";
    if (value.isBlank()) {
      throw new FlagException("--orders (" + value + ") must not be empty; use " + grids);
    }
    String[] parts = value.split(",", -1);
    double[] orders = new double[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        orders[i] = Double.parseDouble(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new FlagException("--orders (" + value + ") must be " + grids);
      }
    }
    return OrderGrid.of(orders); // its errors ("order (0.5) must be …") name --orders through names()
  }
}
