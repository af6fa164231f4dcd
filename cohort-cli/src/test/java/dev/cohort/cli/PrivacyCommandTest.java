package dev.cohort.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** End-to-end tests of {@code cohort privacy}: the picocli command line in process, output and exit code. */
class PrivacyCommandTest {

  private record Result(int code, String out, String err) {}

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Cohort.newCommandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  private static double jsonNumber(String json, String key) {
    Matcher m = Pattern.compile("\"" + key + "\":([-0-9.eE+]+)").matcher(json);
    assertThat(m.find()).as("key %s in %s", key, json).isTrue();
    return Double.parseDouble(m.group(1));
  }

  @Test
  void epsilonPrintsTfPrivacysPublishedValueAndTheOptimalOrder() {
    // tensorflow/privacy compute_dp_sgd_privacy_test.py Test0: ε = 0.7242234026109595 at order 19.
    Result r = run("privacy", "epsilon", "--sampling-rate", "0.0025", "--noise-multiplier", "1.3", "--steps",
        "6000", "--delta", "1e-5", "--orders", "tf-privacy");
    assertThat(r.code()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out()).isEqualTo(String.join(System.lineSeparator(),
        "epsilon            0.7242234026",
        "delta              1e-05",
        "optimal order      19",
        "accountant         rdp (improved conversion, tf-privacy orders, exact fractional orders, "
            + "add-or-remove-one)",
        ""));
  }

  @Test
  void epsilonAsJsonCarriesFullPrecisionAndTheSettings() {
    Result r = run("privacy", "epsilon", "--sampling-rate", "0.001", "--noise-multiplier", "1.0", "--steps",
        "30000", "--delta", "1e-7", "--orders", "tf-privacy", "--json");
    assertThat(r.code()).isZero();
    // TFP Test1: 1.4154988495444842 at order 13.
    assertThat(jsonNumber(r.out(), "epsilon")).isCloseTo(1.4154988495444842, within(1.5e-6));
    assertThat(jsonNumber(r.out(), "optimal_order")).isEqualTo(13.0);
    assertThat(r.out()).startsWith("{\"command\":\"epsilon\",\"accountant\":\"rdp\"")
        .contains("\"optimal_order_at_grid_edge\":false", "\"warnings\":[]");
  }

  @Test
  void pldAccountantReproducesTfPrivacysPldEpsilon() {
    // compute_dp_sgd_privacy_test.py, PLD with subsampling: q = 0.01, σ = 0.7, 120 steps, δ = 1e-5 → 2.4612381.
    Result r = run("privacy", "epsilon", "--accountant", "pld", "--sampling-rate", "0.01", "--noise-multiplier",
        "0.7", "--steps", "120", "--delta", "1e-5", "--json");
    assertThat(r.code()).isZero();
    assertThat(jsonNumber(r.out(), "epsilon")).isCloseTo(2.4612381, within(2.5e-6));
    assertThat(r.out()).doesNotContain("optimal_order");
  }

  @Test
  void calibrateWithAPopulationPrintsTheTffTutorialsAnswer() {
    // TFF federated_learning_with_differential_privacy.ipynb output.
    Result r = run("privacy", "calibrate", "--epsilon", "2", "--delta", "1e-5", "--population", "3383",
        "--steps", "100");
    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith("To get (2, 1e-05)-DP, use 120 clients with noise multiplier 1.2."
        + System.lineSeparator() + "clients per round  120" + System.lineSeparator()
        + "noise multiplier   1.2" + System.lineSeparator());
    assertThat(r.out()).contains("optimal order      7.8");
  }

  @Test
  void calibrateFindsTheNoiseMultiplierAndTheAffordableSteps() {
    Result noise = run("privacy", "calibrate", "--epsilon", "0.7242234026109595", "--delta", "1e-5",
        "--sampling-rate", "0.0025", "--steps", "6000", "--orders", "tf-privacy", "--json");
    assertThat(noise.code()).isZero();
    assertThat(jsonNumber(noise.out(), "noise_multiplier")).isCloseTo(1.3, within(1.3e-6));
    assertThat(noise.out()).contains("\"mode\":\"noise-multiplier\"");
    Result steps = run("privacy", "calibrate", "--epsilon", "0.7242234026109595", "--delta", "1e-5",
        "--sampling-rate", "0.0025", "--noise-multiplier", "1.3", "--orders", "tf-privacy");
    assertThat(steps.code()).isZero();
    assertThat(steps.out()).contains("steps              6000");
  }

  @Test
  void aCustomOrderListIsAccepted() {
    // One order: ε = r + ln(1 - 1/α) - (ln δ + ln α)/(α - 1) with r = T·RDP(α); at q = 1, RDP(α) = α/(2σ²).
    Result r = run("privacy", "epsilon", "--sampling-rate", "1", "--noise-multiplier", "2", "--steps", "1",
        "--delta", "1e-5", "--orders", "8", "--json");
    assertThat(r.code()).isZero();
    double expected = 8 / 8.0 + Math.log1p(-1 / 8.0) - (Math.log(1e-5) + Math.log(8)) / 7;
    assertThat(jsonNumber(r.out(), "epsilon")).isCloseTo(expected, within(1e-14));
    assertThat(r.out()).contains("custom orders");
  }

  @Test
  void anOptimumAtTheEndOfTheGridIsWarnedAboutOnStandardError() {
    Result r = run("privacy", "epsilon", "--sampling-rate", "1", "--noise-multiplier", "1000", "--steps", "1",
        "--delta", "1e-5");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("optimal order      1024");
    assertThat(r.err()).isEqualTo("cohort privacy epsilon: warning: the optimal RDP order 1024 is the largest "
        + "order of the grid; a grid extending beyond it may give a tighter bound" + System.lineSeparator());
  }

  @Test
  void badValuesExitWithTwoAndNameTheFlagTheValueAndTheRule() {
    String[][] cases = {
        {"--sampling-rate", "1.5", "--sampling-rate (1.5) must be in [0, 1]"},
        {"--sampling-rate", "-0.1", "--sampling-rate (-0.1) must be in [0, 1]"},
        {"--noise-multiplier", "0", "--noise-multiplier (0.0) must be a finite number > 0"},
        {"--noise-multiplier", "-2", "--noise-multiplier (-2.0) must be a finite number > 0"},
        {"--delta", "1", "--delta (1.0) must be in (0, 1)"},
        {"--delta", "0", "--delta (0.0) must be in (0, 1)"},
        {"--steps", "-1", "--steps (-1) must be >= 0"},
        {"--orders", "dense", "--orders (dense) must be one of dp-accounting, tf-privacy, opacus, or a "
            + "comma-separated list of orders > 1"},
        {"--orders", "", "--orders () must not be empty; use one of dp-accounting, tf-privacy, opacus, "
            + "or a comma-separated list of orders > 1"},
        {"--orders", "2,0.5", "--orders (2,0.5): order (0.5) must be a finite number > 1"},
        {"--accountant", "moments", "--accountant (moments) must be one of rdp, pld"},
        {"--conversion", "basic", "--conversion (basic) must be one of improved, classic"},
    };
    for (String[] c : cases) {
      java.util.Map<String, String> args = new java.util.LinkedHashMap<>();
      args.put("--sampling-rate", "0.01");
      args.put("--noise-multiplier", "1.0");
      args.put("--steps", "100");
      args.put("--delta", "1e-5");
      args.put(c[0], c[1]);
      java.util.List<String> argv = new java.util.ArrayList<>(java.util.List.of("privacy", "epsilon"));
      args.forEach((k, v) -> {
        argv.add(k);
        argv.add(v);
      });
      Result r = run(argv.toArray(new String[0]));
      assertThat(r.code()).as("exit code for %s %s", c[0], c[1]).isEqualTo(2);
      assertThat(r.out()).isEmpty();
      assertThat(r.err()).isEqualTo("cohort privacy epsilon: error: " + c[2] + System.lineSeparator());
    }
  }

  @Test
  void unparsableAndMissingFlagsAreReportedByPicocliWithExitCodeTwo() {
    Result notANumber = run("privacy", "epsilon", "--sampling-rate", "0.01", "--noise-multiplier", "1",
        "--steps", "abc", "--delta", "1e-5");
    assertThat(notANumber.code()).isEqualTo(2);
    assertThat(notANumber.err()).contains("--steps", "abc");
    Result missing = run("privacy", "epsilon", "--sampling-rate", "0.01", "--noise-multiplier", "1",
        "--steps", "10");
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("Missing required option: '--delta=D'");
  }

  @Test
  void calibrateRejectsAmbiguousOrIncompleteRequests() {
    Result none = run("privacy", "calibrate", "--epsilon", "1", "--delta", "1e-5");
    assertThat(none.code()).isEqualTo(2);
    assertThat(none.err()).startsWith("cohort privacy calibrate: error: calibrate needs --sampling-rate and "
        + "--steps");
    Result both = run("privacy", "calibrate", "--epsilon", "1", "--delta", "1e-5", "--population", "100",
        "--steps", "10", "--sampling-rate", "0.1");
    assertThat(both.code()).isEqualTo(2);
    assertThat(both.err()).contains("--sampling-rate (0.1) must not be given with --population");
    Result unreachable = run("privacy", "calibrate", "--epsilon", "0.1", "--delta", "1e-9", "--population", "100",
        "--steps", "10000", "--noise-to-clients-ratio", "0.001");
    assertThat(unreachable.code()).isEqualTo(2);
    assertThat(unreachable.err()).contains("error: targetEpsilon (0.1) cannot be reached");
    Result zeroEpsilon = run("privacy", "calibrate", "--epsilon", "0", "--delta", "1e-5", "--sampling-rate",
        "0.1", "--steps", "10");
    assertThat(zeroEpsilon.err()).isEqualTo("cohort privacy calibrate: error: --epsilon (0.0) must be a finite "
        + "number > 0" + System.lineSeparator());
  }

  @Test
  void privacyWithoutASubcommandPrintsItsUsage() {
    Result r = run("privacy");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("Usage: cohort privacy", "epsilon", "calibrate");
  }

  @Test
  void numbersArePrintedAsPythonPrintsThem() {
    assertThat(PrivacyCommand.python(2.0)).isEqualTo("2");
    assertThat(PrivacyCommand.python(1e-5)).isEqualTo("1e-05");
    assertThat(PrivacyCommand.python(1.2)).isEqualTo("1.2");
    assertThat(PrivacyCommand.python(0.0025)).isEqualTo("0.0025");
    assertThat(PrivacyCommand.python(2.5e-7)).isEqualTo("2.5e-07");
    assertThat(PrivacyCommand.number(0.7242234026106552)).isEqualTo("0.7242234026");
  }
}
