package dev.cohort.cli;

import static dev.cohort.cli.Flags.FlagException;

import dev.cohort.privacy.Calibrated;
import dev.cohort.privacy.Calibration;
import dev.cohort.privacy.Numbers;
import dev.cohort.privacy.PrivacyAccountant;
import dev.cohort.privacy.PrivacyGuarantee;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cohort privacy calibrate}: the noise, steps or clients per round a target (ε, δ) allows. */
@Command(name = "calibrate", mixinStandardHelpOptions = true, versionProvider = InfoCommand.Version.class,
    description = {
        "Find what a target (epsilon, delta) allows for Poisson-sampled Gaussian",
        "steps. The flags given choose what is computed:",
        "  --sampling-rate Q --steps T             the smallest noise multiplier",
        "  --sampling-rate Q --noise-multiplier Z  the largest number of steps",
        "  --population N --steps T                the clients per round n, with",
        "                                          q = n/N and noise multiplier",
        "                                          R*n (--noise-to-clients-ratio),",
        "                                          as TFF's DP tutorial does"},
    footer = {"", "Examples:",
        "  cohort privacy calibrate --epsilon 2 --delta 1e-5 --population 3383 --steps 100",
        "  cohort privacy calibrate --epsilon 1 --delta 1e-5 --sampling-rate 0.01 --steps 1000"})
final class CalibrateCommand implements Callable<Integer> {
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

  /** What the flags given ask for. */
  private enum Mode {
    NOISE_MULTIPLIER, STEPS, CLIENTS_PER_ROUND;

    String spelling() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /**
   * Library parameter names and how a mode calls them. A value the mode computes has no flag: the noise
   * multiplier outside the steps mode, the sampling rate in the clients-per-round mode, the steps (and their
   * composition count) in the steps mode.
   */
  private static Flags.ParameterNames names(Mode mode) {
    Flags.ParameterNames names = AccountingOptions.names(new Flags.ParameterNames()
        .flag("targetEpsilon", "--epsilon").flag("targetDelta", "--delta").flag("delta", "--delta")
        .flag("population", "--population").flag("noiseToClientsRatio", "--noise-to-clients-ratio")
        .flag("rounds", "--steps"));
    if (mode == Mode.CLIENTS_PER_ROUND) {
      names.words("samplingRate", "sampling rate");
    } else {
      names.flag("samplingRate", "--sampling-rate");
    }
    if (mode == Mode.STEPS) {
      names.flag("noiseMultiplier", "--noise-multiplier").words("steps", "steps").words("count", "steps");
    } else {
      names.words("noiseMultiplier", "noise multiplier").flag("steps", "--steps").flag("count", "--steps");
    }
    return names;
  }

  @Override
  public Integer call() {
    Mode mode;
    if (population != null) {
      mode = Mode.CLIENTS_PER_ROUND;
      forbid("--population", "--sampling-rate", samplingRate);
      forbid("--population", "--noise-multiplier", noiseMultiplier);
      require("--population", "--steps", steps);
    } else if (noiseMultiplier != null) {
      mode = Mode.STEPS;
      forbid("--noise-multiplier", "--steps", steps);
      require("--noise-multiplier", "--sampling-rate", samplingRate);
    } else {
      mode = Mode.NOISE_MULTIPLIER;
      if (samplingRate == null || steps == null) {
        throw new FlagException("calibrate needs --sampling-rate and --steps (for the noise multiplier), "
            + "--sampling-rate and --noise-multiplier (for the steps), or --population and --steps (for the "
            + "clients per round)");
      }
    }
    if (population == null) {
      Flags.notApplicable(spec, "--noise-to-clients-ratio", "without --population: it sets the noise of the "
          + "clients-per-round calibration");
    }
    Flags.ParameterNames names = names(mode);
    GuaranteeOutput.silenceLibraryLog();
    PrivacyAccountant empty = names.translating(() -> accounting.build(spec));
    Calibrated c = names.translating(() -> switch (mode) {
      case CLIENTS_PER_ROUND ->
          Calibration.clientsPerRound(empty, population, steps, noiseToClientsRatio, epsilon, delta);
      case STEPS -> Calibration.maxSteps(empty, samplingRate, noiseMultiplier, epsilon, delta);
      case NOISE_MULTIPLIER -> Calibration.noiseMultiplier(empty, samplingRate, steps, epsilon, delta);
    });
    print(c, empty, mode, names);
    return 0;
  }

  private void print(Calibrated c, PrivacyAccountant empty, Mode mode, Flags.ParameterNames names) {
    PrivacyGuarantee g = c.guarantee();
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Json j = new Json().put("command", "calibrate").put("mode", mode.spelling())
          .put("accountant", accounting.accountant).put("method", empty.describe())
          .put("target_epsilon", epsilon).put("target_delta", delta);
      if (c.clientsPerRound().isPresent()) {
        j.put("clients_per_round", c.clientsPerRound().getAsLong()).put("population", population);
      }
      j.put("noise_multiplier", c.noiseMultiplier()).put("sampling_rate", c.samplingRate())
          .put("steps", c.steps()).put("epsilon", g.epsilon()).put("delta", g.delta());
      out.println(GuaranteeOutput.putOrderAndWarnings(j, g, names).end());
    } else {
      if (c.clientsPerRound().isPresent()) {
        // The sentence TFF's DP tutorial prints.
        out.println("To get (" + Numbers.format(epsilon) + ", " + Numbers.format(delta) + ")-DP, use "
            + c.clientsPerRound().getAsLong() + " clients with noise multiplier "
            + Numbers.format(c.noiseMultiplier()) + ".");
        out.println(Output.row("clients per round", Long.toString(c.clientsPerRound().getAsLong())));
      }
      out.println(Output.row("noise multiplier", Numbers.format(c.noiseMultiplier())));
      out.println(Output.row("sampling rate", Numbers.format(c.samplingRate())));
      out.println(Output.row("steps", Long.toString(c.steps())));
      out.println(Output.row("epsilon", GuaranteeOutput.epsilon(g.epsilon()) + "  (target "
          + Numbers.format(epsilon) + ")"));
      GuaranteeOutput.printRows(out, g, empty);
    }
    GuaranteeOutput.warn(spec, g, names);
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
