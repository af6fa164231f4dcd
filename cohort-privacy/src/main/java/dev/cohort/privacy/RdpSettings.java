package dev.cohort.privacy;

/**
 * The settings of an RDP ledger that {@link RdpAccountant.Builder} and {@link IncrementalAccountant.Builder} share,
 * defined once with their defaults: dp_accounting's order grid, the improved conversion and exact fractional
 * orders.
 *
 * @param orders the Rényi orders tracked
 * @param conversion the RDP → (ε, δ) conversion
 * @param fractionalOrders how fractional orders of the subsampled Gaussian are evaluated
 */
record RdpSettings(OrderGrid orders, Conversion conversion, FractionalOrders fractionalOrders) {
  /** The defaults of both builders. */
  static final RdpSettings DEFAULTS =
      new RdpSettings(OrderGrid.dpAccounting(), Conversion.IMPROVED, FractionalOrders.EXACT);

  RdpSettings {
    Checks.notNull("orders", orders);
    Checks.notNull("conversion", conversion);
    Checks.notNull("fractionalOrders", fractionalOrders);
  }

  RdpSettings withOrders(OrderGrid orders) {
    return new RdpSettings(orders, conversion, fractionalOrders);
  }

  RdpSettings withConversion(Conversion conversion) {
    return new RdpSettings(orders, conversion, fractionalOrders);
  }

  RdpSettings withFractionalOrders(FractionalOrders fractionalOrders) {
    return new RdpSettings(orders, conversion, fractionalOrders);
  }
}
