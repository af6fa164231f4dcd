package dev.cohort.cli;

import dev.cohort.privacy.Calibrated;
import dev.cohort.privacy.Calibration;
import dev.cohort.privacy.Conversion;
import dev.cohort.privacy.DpEvent;
import dev.cohort.privacy.FractionalOrders;
import dev.cohort.privacy.OrderGrid;
import dev.cohort.privacy.PldAccountant;
import dev.cohort.privacy.PrivacyAccountant;
import dev.cohort.privacy.PrivacyGuarantee;
import dev.cohort.privacy.RdpAccountant;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cohort privacy}: the (ε, δ) a DP-SGD / DP-FedAvg run delivers ({@code epsilon}), and the noise, steps or
 * clients per round a target needs ({@code calibrate}). Each step is a Poisson-sampled Gaussian, as in TFF's DP
 * tutorial and TF-Privacy's {@code compute_dp_sgd_privacy}.
 */
@Command(
    name = "privacy",
    mixinStandardHelpOptions = true,
    description = "Differential-privacy accounting for DP-SGD / DP-FedAvg (RDP and PLD accountants).",
    subcommands = {PrivacyCommand.Epsilon.class, PrivacyCommand.Calibrate.class})
final class PrivacyCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Accounting options shared by both subcommands. */
  static final class AccountingOptions {
    @Option(names = "--accountant", defaultValue = "rdp", paramLabel = "rdp|pld",
        description = "rdp (Renyi DP, reports the optimal order) or pld (privacy loss distributions, tighter). "
            + "Default: ${DEFAULT-VALUE}.")
    String accountant;

    @Option(names = "--conversion", defaultValue = "improved", paramLabel = "improved|classic",
        description = "RDP to (epsilon, delta): improved (Canonne-Kamath-Steinke, as dp_accounting and Opacus) "
            + "or classic (Mironov 2017). Default: ${DEFAULT-VALUE}.")
    String conversion;

    @Option(names = "--orders", defaultValue = "dp-accounting",
        paramLabel = "dp-accounting|tf-privacy|opacus|A,B,...",
        description = "RDP order grid: a named grid or a comma-separated list of orders > 1. "
            + "Default: ${DEFAULT-VALUE}.")
    String orders;

    @Option(names = "--fractional-orders", defaultValue = "exact", paramLabel = "exact|dp-accounting",
        description = "exact: the signed series (as Opacus); dp-accounting: its absolute-value upper bound "
            + "(dp_accounting since 2024). Default: ${DEFAULT-VALUE}.")
    String fractionalOrders;

    @Option(names = "--interval", defaultValue = "1e-4", paramLabel = "I",
        description = "PLD discretisation interval. Default: ${DEFAULT-VALUE}.")
    double interval;

    PrivacyAccountant build() {
      switch (accountant) {
        case "rdp":
          return RdpAccountant.builder()
              .orders(grid(orders))
              .conversion(choice("--conversion", conversion, "improved", "classic").equals("improved")
                  ? Conversion.IMPROVED : Conversion.CLASSIC)
              .fractionalOrders(choice("--fractional-orders", fractionalOrders, "exact", "dp-accounting")
                  .equals("exact") ? FractionalOrders.EXACT : FractionalOrders.ABSOLUTE_UPPER_BOUND)
              .build();
        case "pld":
          if (!(interval > 0) || Double.isInfinite(interval)) {
            throw new IllegalArgumentException("--interval (" + interval + ") must be a finite number > 0");
          }
          return PldAccountant.withInterval(interval);
        default:
          throw new IllegalArgumentException("--accountant (" + accountant + ") must be one of rdp, pld");
      }
    }
  }

  /** {@code cohort privacy epsilon}. */
  @Command(name = "epsilon", mixinStandardHelpOptions = true,
      description = "Print the epsilon of T steps of a Poisson-sampled Gaussian at the given delta.")
  static final class Epsilon implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--sampling-rate", required = true, paramLabel = "Q",
        description = "Poisson sampling rate q in [0, 1] (clients per round / population).")
    double samplingRate;

    @Option(names = "--noise-multiplier", required = true, paramLabel = "Z",
        description = "Noise standard deviation over the L2 clipping norm, > 0.")
    double noiseMultiplier;

    @Option(names = "--steps", required = true, paramLabel = "T", description = "Number of steps (rounds), >= 0.")
    long steps;

    @Option(names = "--delta", required = true, paramLabel = "D", description = "Target delta in (0, 1).")
    double delta;

    @CommandLine.Mixin
    AccountingOptions accounting = new AccountingOptions();

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Override
    public Integer call() {
      return quietly(() -> {
        checkRate(samplingRate);
        checkPositive("--noise-multiplier", noiseMultiplier);
        checkSteps(steps);
        checkDelta(delta);
        PrivacyAccountant empty = accounting.build();
        PrivacyGuarantee g = empty.compose(
            DpEvent.selfComposed(DpEvent.poissonSampled(samplingRate, DpEvent.gaussian(noiseMultiplier)), steps))
            .epsilon(delta);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
          Json j = new Json();
          j.put("command", "epsilon").put("accountant", accounting.accountant).put("method", empty.describe())
              .put("sampling_rate", samplingRate).put("noise_multiplier", noiseMultiplier).put("steps", steps)
              .put("delta", g.delta()).put("epsilon", g.epsilon());
          putOrder(j, g);
          out.println(j.put("warnings", g.warnings()).end());
        } else {
          out.println(row("epsilon", number(g.epsilon())));
          out.println(row("delta", python(g.delta())));
          if (g.optimalOrder().isPresent()) {
            out.println(row("optimal order", python(g.optimalOrder().getAsDouble())));
          }
          out.println(row("accountant", empty.describe()));
        }
        warn(spec, g);
      });
    }
  }

  /** {@code cohort privacy calibrate}. */
  @Command(name = "calibrate", mixinStandardHelpOptions = true,
      description = {
          "Find what a target (epsilon, delta) allows for Poisson-sampled Gaussian steps:",
          "  --sampling-rate Q --steps T          the smallest noise multiplier;",
          "  --sampling-rate Q --noise-multiplier Z  the largest number of steps;",
          "  --population N --steps T             the clients per round n (q = n/N) and noise multiplier",
          "                                       ratio*n, as TFF's DP tutorial does."})
  static final class Calibrate implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--epsilon", required = true, paramLabel = "E", description = "Target epsilon, > 0.")
    double epsilon;

    @Option(names = "--delta", required = true, paramLabel = "D", description = "Target delta in (0, 1).")
    double delta;

    @Option(names = "--sampling-rate", paramLabel = "Q", description = "Poisson sampling rate q in [0, 1].")
    Double samplingRate;

    @Option(names = "--steps", paramLabel = "T", description = "Number of steps (rounds), >= 0.")
    Long steps;

    @Option(names = "--noise-multiplier", paramLabel = "Z", description = "Noise multiplier, > 0.")
    Double noiseMultiplier;

    @Option(names = "--population", paramLabel = "N", description = "Number of clients to sample from, >= 1.")
    Long population;

    @Option(names = "--noise-to-clients-ratio", defaultValue = "0.01", paramLabel = "R",
        description = "With --population: noise multiplier per expected client. Default: ${DEFAULT-VALUE}.")
    double noiseToClientsRatio;

    @CommandLine.Mixin
    AccountingOptions accounting = new AccountingOptions();

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Override
    public Integer call() {
      return quietly(() -> {
        if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
          throw new IllegalArgumentException("--epsilon (" + epsilon + ") must be a finite number > 0");
        }
        checkDelta(delta);
        PrivacyAccountant empty = accounting.build();
        Calibrated c;
        String mode;
        if (population != null) {
          mode = "clients-per-round";
          forbid("--population", "--sampling-rate", samplingRate);
          forbid("--population", "--noise-multiplier", noiseMultiplier);
          require("--population", "--steps", steps);
          if (population < 1) {
            throw new IllegalArgumentException("--population (" + population + ") must be >= 1");
          }
          checkSteps(steps);
          checkPositive("--noise-to-clients-ratio", noiseToClientsRatio);
          c = Calibration.clientsPerRound(empty, population, steps, noiseToClientsRatio, epsilon, delta);
        } else if (noiseMultiplier != null) {
          mode = "steps";
          forbid("--noise-multiplier", "--steps", steps);
          require("--noise-multiplier", "--sampling-rate", samplingRate);
          checkRate(samplingRate);
          checkPositive("--noise-multiplier", noiseMultiplier);
          c = Calibration.maxSteps(empty, samplingRate, noiseMultiplier, epsilon, delta);
        } else {
          mode = "noise-multiplier";
          if (samplingRate == null || steps == null) {
            throw new IllegalArgumentException("calibrate needs --sampling-rate and --steps (for the noise "
                + "multiplier), --sampling-rate and --noise-multiplier (for the steps), or --population and "
                + "--steps (for the clients per round)");
          }
          checkRate(samplingRate);
          checkSteps(steps);
          c = Calibration.noiseMultiplier(empty, samplingRate, steps, epsilon, delta);
        }
        PrivacyGuarantee g = c.guarantee();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
          Json j = new Json().put("command", "calibrate").put("mode", mode)
              .put("accountant", accounting.accountant).put("method", empty.describe())
              .put("target_epsilon", epsilon).put("target_delta", delta);
          if (c.clientsPerRound().isPresent()) {
            j.put("clients_per_round", c.clientsPerRound().getAsLong()).put("population", population);
          }
          j.put("noise_multiplier", c.noiseMultiplier()).put("sampling_rate", c.samplingRate())
              .put("steps", c.steps()).put("epsilon", g.epsilon()).put("delta", g.delta());
          putOrder(j, g);
          out.println(j.put("warnings", g.warnings()).end());
        } else {
          if (c.clientsPerRound().isPresent()) {
            // The sentence TFF's DP tutorial prints.
            out.println("To get (" + python(epsilon) + ", " + python(delta) + ")-DP, use "
                + c.clientsPerRound().getAsLong() + " clients with noise multiplier "
                + python(c.noiseMultiplier()) + ".");
            out.println(row("clients per round", Long.toString(c.clientsPerRound().getAsLong())));
          }
          out.println(row("noise multiplier", python(c.noiseMultiplier())));
          out.println(row("sampling rate", python(c.samplingRate())));
          out.println(row("steps", Long.toString(c.steps())));
          out.println(row("epsilon", number(g.epsilon()) + "  (target " + python(epsilon) + ")"));
          out.println(row("delta", python(g.delta())));
          if (g.optimalOrder().isPresent()) {
            out.println(row("optimal order", python(g.optimalOrder().getAsDouble())));
          }
          out.println(row("accountant", empty.describe()));
        }
        warn(spec, g);
      });
    }

    private static void forbid(String mode, String flag, Object value) {
      if (value != null) {
        throw new IllegalArgumentException(flag + " (" + value + ") must not be given with " + mode
            + ": it is what calibrate computes or fixes there");
      }
    }

    private static void require(String mode, String flag, Object value) {
      if (value == null) {
        throw new IllegalArgumentException(flag + " is required with " + mode);
      }
    }
  }

  // ---- shared helpers ----

  /**
   * The library's logger (java.util.logging backs System.Logger by default). The command prints the library's
   * warnings itself, once, as "cohort privacy …: warning: …", so the logger's own copy is switched off.
   */
  private static final Logger LIBRARY_LOG = Logger.getLogger("dev.cohort.privacy");

  /**
   * Runs {@code body} with the library's own log output off (the command prints warnings itself); an
   * IllegalArgumentException reaches {@link Cohort}'s handler: "cohort privacy <cmd>: error: …", exit code 2.
   */
  static int quietly(Runnable body) {
    LIBRARY_LOG.setLevel(Level.OFF);
    body.run();
    return 0;
  }

  static void warn(CommandLine.Model.CommandSpec spec, PrivacyGuarantee g) {
    for (String w : g.warnings()) {
      spec.commandLine().getErr().println(spec.qualifiedName() + ": warning: " + w);
    }
  }

  static void checkRate(double q) {
    if (!(q >= 0 && q <= 1)) {
      throw new IllegalArgumentException("--sampling-rate (" + q + ") must be in [0, 1]");
    }
  }

  static void checkPositive(String flag, double v) {
    if (!(v > 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(flag + " (" + v + ") must be a finite number > 0");
    }
  }

  static void checkSteps(long t) {
    if (t < 0) {
      throw new IllegalArgumentException("--steps (" + t + ") must be >= 0");
    }
  }

  static void checkDelta(double d) {
    if (!(d > 0 && d < 1)) {
      throw new IllegalArgumentException("--delta (" + d + ") must be in (0, 1)");
    }
  }

  /** A named grid, or a custom one from a comma-separated list of orders. */
  static OrderGrid grid(String value) {
    switch (value) {
      case "dp-accounting":
      case "tf-privacy":
      case "opacus":
        return OrderGrid.named(value);
      default:
        break;
    }
    String grids = "one of dp-accounting, tf-privacy, opacus, or a comma-separated list of orders > 1";
    String rule = "must be " + grids;
    if (value.isBlank()) {
      throw new IllegalArgumentException("--orders (" + value + ") must not be empty; use " + grids);
    }
    String[] parts = value.split(",");
    double[] orders = new double[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        orders[i] = Double.parseDouble(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--orders (" + value + ") " + rule);
      }
    }
    try {
      return OrderGrid.of(orders);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--orders (" + value + "): " + e.getMessage());
    }
  }

  static String choice(String flag, String value, String... allowed) {
    for (String a : allowed) {
      if (a.equals(value)) {
        return value;
      }
    }
    throw new IllegalArgumentException(flag + " (" + value + ") must be one of " + String.join(", ", allowed));
  }

  private static void putOrder(Json j, PrivacyGuarantee g) {
    if (g.optimalOrder().isPresent()) {
      j.put("optimal_order", g.optimalOrder().getAsDouble())
          .put("optimal_order_at_grid_edge", g.optimalOrderAtGridEdge());
    }
  }

  private static String row(String label, String value) {
    return String.format(Locale.ROOT, "%-18s %s", label, value);
  }

  /** ε with ten significant digits (all that the published vectors quote), or "inf". */
  static String number(double v) {
    if (Double.isInfinite(v)) {
      return "inf";
    }
    return new BigDecimal(v).round(new java.math.MathContext(10)).stripTrailingZeros().toPlainString();
  }

  /** The shortest round-trip decimal, written as Python's repr writes floats (2, 1.2, 1e-05, 0.0025). */
  static String python(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return Double.isNaN(v) ? "nan" : (v > 0 ? "inf" : "-inf");
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e16) {
      return Long.toString((long) v);
    }
    BigDecimal d = new BigDecimal(Double.toString(v)).stripTrailingZeros();
    int exponent = d.precision() - d.scale() - 1;
    if (exponent < -4 || exponent >= 16) {
      String digits = d.unscaledValue().abs().toString();
      String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
      return (d.signum() < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+")
          + String.format(Locale.ROOT, "%02d", Math.abs(exponent));
    }
    return d.toPlainString();
  }

  /** A flat JSON object writer (numbers at full precision; non-finite numbers become null). */
  static final class Json {
    private final StringBuilder sb = new StringBuilder("{");

    private Json key(String k) {
      if (sb.length() > 1) {
        sb.append(',');
      }
      sb.append('"').append(k).append("\":");
      return this;
    }

    Json put(String k, String v) {
      key(k).sb.append(quote(v));
      return this;
    }

    Json put(String k, double v) {
      key(k).sb.append(Double.isFinite(v) ? Double.toString(v) : "null");
      return this;
    }

    Json put(String k, long v) {
      key(k).sb.append(v);
      return this;
    }

    Json put(String k, boolean v) {
      key(k).sb.append(v);
      return this;
    }

    Json put(String k, List<String> values) {
      List<String> quoted = new ArrayList<>();
      for (String v : values) {
        quoted.add(quote(v));
      }
      key(k).sb.append('[').append(String.join(",", quoted)).append(']');
      return this;
    }

    String end() {
      return sb.append('}').toString();
    }

    private static String quote(String s) {
      StringBuilder q = new StringBuilder("\"");
      for (char c : s.toCharArray()) {
        if (c == '"' || c == '\\') {
          q.append('\\').append(c);
        } else if (c < 0x20) {
          q.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
        } else {
          q.append(c);
        }
      }
      return q.append('"').toString();
    }
  }
}
