package dev.cohort.cli;

import dev.cohort.privacy.DpEvent;
import dev.cohort.privacy.PrivacyAccountant;
import dev.cohort.privacy.PrivacyGuarantee;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cohort privacy epsilon}: the (ε, δ) of T steps of a Poisson-sampled Gaussian. */
@Command(name = "epsilon", mixinStandardHelpOptions = true, versionProvider = InfoCommand.Version.class,
    description = "Print the epsilon of T steps of a Poisson-sampled Gaussian at the given delta.",
    footer = {"", "Examples:",
        "  cohort privacy epsilon --sampling-rate 0.0025 --noise-multiplier 1.3 --steps 6000 --delta 1e-5",
        "  cohort privacy epsilon --sampling-rate 0.01 --noise-multiplier 1.1 --steps 1000 --delta 1e-5 "
            + "--accountant pld --json"})
final class EpsilonCommand implements Callable<Integer> {
  /** Library parameter names and the flags that set them. */
  private static final Flags.ParameterNames NAMES = AccountingOptions.names(new Flags.ParameterNames()
      .flag("samplingRate", "--sampling-rate").flag("noiseMultiplier", "--noise-multiplier")
      .flag("count", "--steps").flag("delta", "--delta"));

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
    GuaranteeOutput.silenceLibraryLog();
    PrivacyAccountant empty = NAMES.translating(() -> accounting.build(spec));
    PrivacyGuarantee g = NAMES.translating(() -> {
      DpEvent run = DpEvent.selfComposed(
          DpEvent.poissonSampled(samplingRate, DpEvent.gaussian(noiseMultiplier)), steps);
      empty.epsilon(delta); // checks δ before the composition, which can take a while
      return empty.compose(run).epsilon(delta);
    });
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Json j = new Json().put("command", "epsilon").put("accountant", accounting.accountant)
          .put("method", empty.describe()).put("sampling_rate", samplingRate)
          .put("noise_multiplier", noiseMultiplier).put("steps", steps).put("delta", g.delta())
          .put("epsilon", g.epsilon());
      out.println(GuaranteeOutput.putOrderAndWarnings(j, g, NAMES).end());
    } else {
      out.println(Output.row("epsilon", GuaranteeOutput.epsilon(g.epsilon())));
      GuaranteeOutput.printRows(out, g, empty);
    }
    GuaranteeOutput.warn(spec, g, NAMES);
    return 0;
  }
}
