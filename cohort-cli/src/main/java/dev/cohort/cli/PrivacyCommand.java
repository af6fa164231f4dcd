package dev.cohort.cli;

import dev.cohort.privacy.Calibrated;
import dev.cohort.privacy.Calibration;
import dev.cohort.privacy.Conversion;
import dev.cohort.privacy.DpEvent;
import dev.cohort.privacy.FractionalOrders;
import dev.cohort.privacy.Numbers;
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
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cohort privacy}: the (ε, δ) a DP-SGD / DP-FedAvg run delivers ({@code epsilon}), and the noise, steps or
 * clients per round a target needs ({@code calibrate}). Each step is a Poisson-sampled Gaussian, as in TFF's DP
 * tutorial and TF-Privacy's {@code compute_dp_sgd_privacy}.
 *
 * <p>Values are checked by the library (cohort-privacy), whose messages name its parameters ("samplingRate (1.5)
 * must be in [0, 1]"); {@link #translate} renames those to the flags that set them, so every error names a flag.
 * Options that do not apply to the chosen accountant or calibration mode are rejected, not ignored.
 */
@Command(
    name = "privacy",
    mixinStandardHelpOptions = true,
    versionProvider = InfoCommand.Version.class,
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

    /** The empty accountant the options describe; rejects options of the other accountant. */
    PrivacyAccountant build(CommandLine.Model.CommandSpec spec) {
      if (choice("--accountant", accountant, List.of("rdp", "pld")).equals("pld")) {
        for (String rdpOnly : new String[] {"--conversion", "--orders", "--fractional-orders"}) {
          notApplicable(spec, rdpOnly, "with --accountant pld: it applies to RDP accounting only");
        }
        return PldAccountant.withInterval(interval);
      }
      notApplicable(spec, "--interval", "with --accountant rdp: it sets the PLD discretisation");
      return RdpAccountant.builder()
          .orders(grid(orders))
          .conversion(enumChoice("--conversion", conversion, Conversion.class))
          .fractionalOrders(enumChoice("--fractional-orders", fractionalOrders, FractionalOrders.class))
          .build();
    }
  }

  /** {@code cohort privacy epsilon}. */
  @Command(name = "epsilon", mixinStandardHelpOptions = true, versionProvider = InfoCommand.Version.class,
      description = "Print the epsilon of T steps of a Poisson-sampled Gaussian at the given delta.")
  static final class Epsilon implements Callable<Integer> {
    /** Library parameter names and the flags that set them. */
    private static final Map<String, String> FLAGS = Map.of("samplingRate", "--sampling-rate",
        "noiseMultiplier", "--noise-multiplier", "count", "--steps", "delta", "--delta", "interval", "--interval",
        "order", "--orders", "orders", "--orders");

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
      return quietly(FLAGS, () -> {
        PrivacyAccountant empty = accounting.build(spec);
        DpEvent run = DpEvent.selfComposed(
            DpEvent.poissonSampled(samplingRate, DpEvent.gaussian(noiseMultiplier)), steps);
        empty.epsilon(delta); // checks δ before the composition, which can take a while
        PrivacyGuarantee g = empty.compose(run).epsilon(delta);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
          Json j = new Json();
          j.put("command", "epsilon").put("accountant", accounting.accountant).put("method", empty.describe())
              .put("sampling_rate", samplingRate).put("noise_multiplier", noiseMultiplier).put("steps", steps)
              .put("delta", g.delta()).put("epsilon", g.epsilon());
          putOrder(j, g);
          out.println(j.put("warnings", translated(g.warnings(), FLAGS)).end());
        } else {
          out.println(row("epsilon", number(g.epsilon())));
          out.println(row("delta", Numbers.format(g.delta())));
          if (g.optimalOrder().isPresent()) {
            out.println(row("optimal order", Numbers.format(g.optimalOrder().getAsDouble())));
          }
          out.println(row("accountant", empty.describe()));
        }
        warn(spec, g, FLAGS);
      });
    }
  }

  /** {@code cohort privacy calibrate}. */
  @Command(name = "calibrate", mixinStandardHelpOptions = true, versionProvider = InfoCommand.Version.class,
      description = {
          "Find what a target (epsilon, delta) allows for Poisson-sampled Gaussian",
          "steps. The flags given choose what is computed:",
          "  --sampling-rate Q --steps T             the smallest noise multiplier",
          "  --sampling-rate Q --noise-multiplier Z  the largest number of steps",
          "  --population N --steps T                the clients per round n, with",
          "                                          q = n/N and noise multiplier",
          "                                          R*n (--noise-to-clients-ratio),",
          "                                          as TFF's DP tutorial does"})
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
        description = "With --population only: noise multiplier per expected client. Default: ${DEFAULT-VALUE}.")
    double noiseToClientsRatio;

    @CommandLine.Mixin
    AccountingOptions accounting = new AccountingOptions();

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    /**
     * Library parameter names and the flags that set them in a mode. The noise multiplier is a flag only in the
     * steps mode; elsewhere calibration chooses it, and messages call it by its name.
     */
    private static Map<String, String> flags(String mode) {
      return Map.of("targetEpsilon", "--epsilon", "targetDelta", "--delta", "delta", "--delta",
          "samplingRate", mode.equals("clients-per-round") ? "sampling rate" : "--sampling-rate",
          "noiseMultiplier", mode.equals("steps") ? "--noise-multiplier" : "noise multiplier",
          "steps", "--steps", "rounds", "--steps", "population", "--population",
          "noiseToClientsRatio", "--noise-to-clients-ratio", "interval", "--interval");
    }

    @Override
    public Integer call() {
      String mode;
      if (population != null) {
        mode = "clients-per-round";
        forbid("--population", "--sampling-rate", samplingRate);
        forbid("--population", "--noise-multiplier", noiseMultiplier);
        require("--population", "--steps", steps);
      } else if (noiseMultiplier != null) {
        mode = "steps";
        forbid("--noise-multiplier", "--steps", steps);
        require("--noise-multiplier", "--sampling-rate", samplingRate);
      } else {
        mode = "noise-multiplier";
        if (samplingRate == null || steps == null) {
          throw new FlagException("calibrate needs --sampling-rate and --steps (for the noise multiplier), "
              + "--sampling-rate and --noise-multiplier (for the steps), or --population and --steps (for the "
              + "clients per round)");
        }
      }
      if (population == null) {
        notApplicable(spec, "--noise-to-clients-ratio", "without --population: it sets the noise of the "
            + "clients-per-round calibration");
      }
      Map<String, String> flags = flags(mode);
      return quietly(flags, () -> {
        PrivacyAccountant empty = accounting.build(spec);
        Calibrated c;
        if (mode.equals("clients-per-round")) {
          c = Calibration.clientsPerRound(empty, population, steps, noiseToClientsRatio, epsilon, delta);
        } else if (mode.equals("steps")) {
          c = Calibration.maxSteps(empty, samplingRate, noiseMultiplier, epsilon, delta);
        } else {
          c = Calibration.noiseMultiplier(empty, samplingRate, steps, epsilon, delta);
        }
        print(c, empty, mode, flags);
      });
    }

    private void print(Calibrated c, PrivacyAccountant empty, String mode, Map<String, String> flags) {
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
        out.println(j.put("warnings", translated(g.warnings(), flags)).end());
      } else {
        if (c.clientsPerRound().isPresent()) {
          // The sentence TFF's DP tutorial prints.
          out.println("To get (" + Numbers.format(epsilon) + ", " + Numbers.format(delta) + ")-DP, use "
              + c.clientsPerRound().getAsLong() + " clients with noise multiplier "
              + Numbers.format(c.noiseMultiplier()) + ".");
          out.println(row("clients per round", Long.toString(c.clientsPerRound().getAsLong())));
        }
        out.println(row("noise multiplier", Numbers.format(c.noiseMultiplier())));
        out.println(row("sampling rate", Numbers.format(c.samplingRate())));
        out.println(row("steps", Long.toString(c.steps())));
        out.println(row("epsilon", number(g.epsilon()) + "  (target " + Numbers.format(epsilon) + ")"));
        out.println(row("delta", Numbers.format(g.delta())));
        if (g.optimalOrder().isPresent()) {
          out.println(row("optimal order", Numbers.format(g.optimalOrder().getAsDouble())));
        }
        out.println(row("accountant", empty.describe()));
      }
      warn(spec, g, flags);
    }

    private static void forbid(String mode, String flag, Object value) {
      if (value != null) {
        throw new FlagException(flag + " (" + value + ") must not be given with " + mode
            + ": it is what calibrate computes or fixes there");
      }
    }

    private static void require(String mode, String flag, Object value) {
      if (value == null) {
        throw new FlagException(flag + " is required with " + mode);
      }
    }
  }

  // ---- shared helpers ----

  /** An error the command line itself found; its message already names the flag. */
  static final class FlagException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    FlagException(String message) {
      super(message);
    }
  }

  /**
   * The library's logger (java.util.logging backs System.Logger by default). The command prints the library's
   * warnings itself, once, as "cohort privacy …: warning: …", so the logger's own copy is switched off.
   */
  private static final Logger LIBRARY_LOG = Logger.getLogger("dev.cohort.privacy");

  /**
   * Runs {@code body} with the library's own log output off (the command prints warnings itself). A library
   * IllegalArgumentException is rethrown with its parameter names replaced by {@code flags}; it reaches
   * {@link Cohort}'s handler: "cohort privacy <cmd>: error: …", exit code 2.
   */
  static int quietly(Map<String, String> flags, Runnable body) {
    LIBRARY_LOG.setLevel(Level.OFF);
    try {
      body.run();
    } catch (FlagException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(translate(e.getMessage(), flags), e);
    }
    return 0;
  }

  private static final Pattern NAME_AND_VALUE = Pattern.compile("(?<![\\w-])(\\w+)(?= \\()");

  /**
   * {@code message} with every "name (value)" whose name is a key of {@code flags} written as "flag (value)", e.g.
   * "samplingRate (1.5) must be in [0, 1]" as "--sampling-rate (1.5) must be in [0, 1]".
   */
  static String translate(String message, Map<String, String> flags) {
    Matcher m = NAME_AND_VALUE.matcher(message);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(sb, Matcher.quoteReplacement(flags.getOrDefault(m.group(1), m.group(1))));
    }
    return m.appendTail(sb).toString();
  }

  private static List<String> translated(List<String> messages, Map<String, String> flags) {
    List<String> out = new ArrayList<>();
    for (String w : messages) {
      out.add(translate(w, flags));
    }
    return out;
  }

  static void warn(CommandLine.Model.CommandSpec spec, PrivacyGuarantee g, Map<String, String> flags) {
    for (String w : translated(g.warnings(), flags)) {
      spec.commandLine().getErr().println(spec.qualifiedName() + ": warning: " + w);
    }
  }

  /** Rejects {@code flag} if it was given on the command line: "flag (value) must not be given " + why. */
  static void notApplicable(CommandLine.Model.CommandSpec spec, String flag, String why) {
    CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
    if (parsed != null && parsed.hasMatchedOption(flag)) {
      List<String> given = parsed.matchedOption(flag).stringValues();
      throw new FlagException(flag + " (" + given.get(given.size() - 1) + ") must not be given " + why);
    }
  }

  /** A named grid ({@link OrderGrid#names()}), or a custom one from a comma-separated list of orders. */
  static OrderGrid grid(String value) {
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
    return OrderGrid.of(orders); // its errors ("order (0.5) must be …") are translated to --orders
  }

  static String choice(String flag, String value, List<String> allowed) {
    if (allowed.contains(value)) {
      return value;
    }
    throw new FlagException(flag + " (" + value + ") must be one of " + String.join(", ", allowed));
  }

  /** The constant of {@code type} spelled as {@code value} in lower case with dashes (absolute-upper-bound). */
  static <E extends Enum<E>> E enumChoice(String flag, String value, Class<E> type) {
    List<String> spellings = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      String spelling = e.name().toLowerCase(Locale.ROOT).replace('_', '-');
      if (spelling.equals(value)) {
        return e;
      }
      spellings.add(spelling);
    }
    throw new FlagException(flag + " (" + value + ") must be one of " + String.join(", ", spellings));
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

  /** A flat JSON object writer (numbers at full precision; non-finite numbers become null). */
  static final class Json {
    private final StringBuilder sb = new StringBuilder("{");

    private Json key(String k) {
      if (sb.length() > 1) {
        sb.append(',');
      }
      sb.append(quote(k)).append(':');
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
