package dev.cohort.privacy;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/** RDP curve → (ε, δ), as in dp_accounting's {@code compute_epsilon} and {@code compute_delta}. */
final class RdpConversion {
  private RdpConversion() {}

  static final System.Logger LOG = System.getLogger("dev.cohort.privacy");

  /** The improved bound is applied only above this order, where it is numerically stable (dp_accounting). */
  static final double MIN_IMPROVED_ORDER = 1.01;

  static double epsilonAtOrder(double alpha, double r, double delta, Conversion conversion) {
    if (r == Double.POSITIVE_INFINITY) {
      return Double.POSITIVE_INFINITY;
    }
    if (conversion == Conversion.CLASSIC) {
      return r - Math.log(delta) / (alpha - 1);
    }
    if (delta * delta + Math.expm1(-r) > 0) {
      return 0.0; // KL bound: δ ≤ √(1 - e^{-KL})
    }
    if (alpha > MIN_IMPROVED_ORDER) {
      return r + Math.log1p(-1 / alpha) - Math.log(delta * alpha) / (alpha - 1);
    }
    return Double.POSITIVE_INFINITY;
  }

  static double logDeltaAtOrder(double alpha, double r, double epsilon, Conversion conversion) {
    if (r == Double.POSITIVE_INFINITY) {
      return 0.0;
    }
    if (conversion == Conversion.CLASSIC) {
      return (alpha - 1) * (r - epsilon);
    }
    double logDelta = r == 0 ? Double.NEGATIVE_INFINITY : 0.5 * Math.log1p(-Math.exp(-r));
    if (alpha > MIN_IMPROVED_ORDER) {
      logDelta = Math.min(logDelta, (alpha - 1) * (r - epsilon + Math.log1p(-1 / alpha)) - Math.log(alpha));
    }
    return logDelta;
  }

  /** ε at δ: the minimum over the grid (the first minimum on ties, like numpy's argmin). */
  static PrivacyGuarantee epsilon(double[] orders, double[] rdp, double delta, Conversion conversion,
      List<ParameterText> notes) {
    int best = 0;
    double bestEps = Double.POSITIVE_INFINITY;
    for (int i = 0; i < orders.length; i++) {
      double e = epsilonAtOrder(orders[i], rdp[i], delta, conversion);
      if (e < bestEps) {
        bestEps = e;
        best = i;
      }
    }
    double eps = Math.max(0.0, bestEps);
    boolean meaningful = eps > 0 && eps < Double.POSITIVE_INFINITY;
    return result(eps, delta, orders, best, meaningful, notes);
  }

  /** δ at ε: the minimum over the grid, capped at 1. */
  static PrivacyGuarantee delta(double[] orders, double[] rdp, double epsilon, Conversion conversion,
      List<ParameterText> notes) {
    int best = 0;
    double bestLog = Double.POSITIVE_INFINITY;
    for (int i = 0; i < orders.length; i++) {
      double l = logDeltaAtOrder(orders[i], rdp[i], epsilon, conversion);
      if (l < bestLog) {
        bestLog = l;
        best = i;
      }
    }
    double delta = Math.min(Math.exp(bestLog), 1.0);
    boolean meaningful = delta > 0 && delta < 1;
    return result(epsilon, delta, orders, best, meaningful, notes);
  }

  private static PrivacyGuarantee result(double epsilon, double delta, double[] orders, int best,
      boolean meaningful, List<ParameterText> notes) {
    List<ParameterText> warnings = new ArrayList<>(notes);
    boolean edge = meaningful && orders.length > 1 && (best == 0 || best == orders.length - 1);
    if (edge) {
      String which = best == 0 ? "smallest" : "largest";
      String w = "the optimal RDP order " + Numbers.format(orders[best]) + " is the " + which
          + " order of the grid; a grid extending beyond it may give a tighter bound";
      warnings.add(ParameterText.of(w)); // kept last: see edgeWarning
    }
    // An order is reported only where it bounds something: not for ε = 0 or +∞ (δ = 0 or 1), where every order
    // or none gives the same answer.
    OptionalDouble order = meaningful ? OptionalDouble.of(orders[best]) : OptionalDouble.empty();
    return new PrivacyGuarantee(epsilon, delta, order, edge, warnings);
  }

  /** The grid-edge warning of a guarantee built here, or null. */
  static String edgeWarning(PrivacyGuarantee g) {
    return g.optimalOrderAtGridEdge() ? g.warnings().get(g.warnings().size() - 1) : null;
  }

  /** Logs every warning of {@code g} at WARNING. */
  static PrivacyGuarantee logWarnings(PrivacyGuarantee g) {
    for (String w : g.warnings()) {
      LOG.log(System.Logger.Level.WARNING, w);
    }
    return g;
  }
}
