package dev.cohort.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code cohort privacy}: the (ε, δ) a DP-SGD / DP-FedAvg run delivers ({@link EpsilonCommand}), and the noise,
 * steps or clients per round a target needs ({@link CalibrateCommand}). Each step is a Poisson-sampled Gaussian,
 * as in TFF's DP tutorial and TF-Privacy's {@code compute_dp_sgd_privacy}.
 *
 * <p>Values are checked by the library (cohort-privacy), whose errors carry the parameters they name as data
 * ("samplingRate (1.5) must be in [0, 1]"); the commands write them with the flags that set them
 * ({@link Flags.ParameterNames}), so every error names a flag. Options that do not apply to the chosen accountant
 * or calibration mode are rejected, not ignored.
 */
@Command(
    name = "privacy",
    mixinStandardHelpOptions = true,
    versionProvider = InfoCommand.Version.class,
    description = "Differential-privacy accounting for DP-SGD / DP-FedAvg (RDP and PLD accountants).",
    subcommands = {EpsilonCommand.class, CalibrateCommand.class},
    footer = {"", "Examples:",
        "  cohort privacy epsilon --sampling-rate 0.0025 --noise-multiplier 1.3 --steps 6000 --delta 1e-5",
        "  cohort privacy calibrate --epsilon 2 --delta 1e-5 --population 3383 --steps 100"})
final class PrivacyCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
