package dev.cohort.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** End-to-end tests of {@code cohort privacy}: the picocli command line in process, output and exit code. */
class PrivacyCommandTest {
  private static final String NL = System.lineSeparator();
  private static final String RDP_DEFAULT =
      "rdp (improved conversion, dp-accounting orders, exact fractional orders, add-or-remove-one)";
  private static final String PLD_DEFAULT = "pld (pessimistic connect-the-dots, interval 0.0001, add-or-remove-one)";

  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  private static String lines(String... lines) {
    return String.join(NL, lines) + NL;
  }

  /** The one-line JSON object a --json run prints, parsed strictly; nothing else may be on standard output. */
  private static Map<String, Object> json(CliRun r) {
    assertThat(r.out()).endsWith(NL);
    assertThat(r.out().strip()).doesNotContain("\n");
    Object value = new JsonParser(r.out().strip()).parse();
    assertThat(value).isInstanceOf(Map.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> object = (Map<String, Object>) value;
    return object;
  }

  // ---- epsilon ----

  @Test
  void epsilonPrintsTfPrivacysPublishedValueAndTheOptimalOrder() {
    // tensorflow/privacy compute_dp_sgd_privacy_test.py Test0: ε = 0.7242234026109595 at order 19.
    CliRun r = run("privacy", "epsilon", "--sampling-rate", "0.0025", "--noise-multiplier", "1.3", "--steps",
        "6000", "--delta", "1e-5", "--orders", "tf-privacy");
    assertThat(r.code()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out()).isEqualTo(lines(
        "epsilon            0.7242234026",
        "delta              1e-05",
        "optimal order      19",
        "accountant         rdp (improved conversion, tf-privacy orders, exact fractional orders, "
            + "add-or-remove-one)"));
  }

  @Test
  void epsilonAsJsonIsOneObjectWithEveryFieldTyped() {
    CliRun r = run("privacy", "epsilon", "--sampling-rate", "0.001", "--noise-multiplier", "1.0", "--steps",
        "30000", "--delta", "1e-7", "--orders", "tf-privacy", "--json");
    assertThat(r.code()).isZero();
    assertThat(r.err()).isEmpty();
    Map<String, Object> j = json(r);
    assertThat(j).containsOnlyKeys("command", "accountant", "method", "sampling_rate", "noise_multiplier", "steps",
        "delta", "epsilon", "optimal_order", "optimal_order_at_grid_edge", "warnings");
    assertThat(j).containsEntry("command", "epsilon").containsEntry("accountant", "rdp")
        .containsEntry("method", "rdp (improved conversion, tf-privacy orders, exact fractional orders, "
            + "add-or-remove-one)")
        .containsEntry("sampling_rate", 0.001).containsEntry("noise_multiplier", 1.0).containsEntry("steps", 30000.0)
        .containsEntry("delta", 1e-7).containsEntry("optimal_order", 13.0)
        .containsEntry("optimal_order_at_grid_edge", false).containsEntry("warnings", List.of());
    // TFP Test1: 1.4154988495444842 at order 13.
    assertThat((double) j.get("epsilon")).isCloseTo(1.4154988495444842, within(1.5e-6));
  }

  @Test
  void pldAccountantPrintsItsEpsilonWithoutAnOrder() {
    // compute_dp_sgd_privacy_test.py, PLD with subsampling: q = 0.01, σ = 0.7, 120 steps, δ = 1e-5 → 2.4612381.
    CliRun text = run("privacy", "epsilon", "--accountant", "pld", "--sampling-rate", "0.01", "--noise-multiplier",
        "0.7", "--steps", "120", "--delta", "1e-5");
    assertThat(text.code()).isZero();
    assertThat(text.err()).isEmpty();
    assertThat(text.out()).isEqualTo(lines("epsilon            2.461238122", "delta              1e-05",
        "accountant         " + PLD_DEFAULT));
    CliRun r = run("privacy", "epsilon", "--accountant", "pld", "--sampling-rate", "0.01", "--noise-multiplier",
        "0.7", "--steps", "120", "--delta", "1e-5", "--interval", "1e-3", "--json");
    assertThat(r.code()).isZero();
    Map<String, Object> j = json(r);
    assertThat(j).containsOnlyKeys("command", "accountant", "method", "sampling_rate", "noise_multiplier", "steps",
        "delta", "epsilon", "warnings");
    assertThat(j).containsEntry("accountant", "pld")
        .containsEntry("method", "pld (pessimistic connect-the-dots, interval 0.001, add-or-remove-one)");
    // A coarser grid is pessimistic: above the 1e-4 value, by less than 1e-2.
    assertThat((double) j.get("epsilon")).isGreaterThan(2.4612381).isLessThan(2.4612381 + 1e-2);
  }

  @Test
  void fractionalOrdersInDpAccountingsModeReproduceItsCurrentValue() {
    // compute_dp_sgd_privacy_test.py test_compute_dp_sgd_example_privacy: 3.2392676 with dp_accounting's
    // absolute-value series, 3.2391922 with the signed series.
    CliRun abs = run("privacy", "epsilon", "--sampling-rate", "0.01", "--noise-multiplier", "0.7", "--steps", "120",
        "--delta", "1e-5", "--fractional-orders", "absolute-upper-bound", "--json");
    assertThat(abs.code()).isZero();
    Map<String, Object> j = json(abs);
    assertThat((double) j.get("epsilon")).isCloseTo(3.2392676, within(5e-7));
    assertThat(j).containsEntry("method",
        "rdp (improved conversion, dp-accounting orders, absolute-upper-bound fractional orders, add-or-remove-one)");
    CliRun exact = run("privacy", "epsilon", "--sampling-rate", "0.01", "--noise-multiplier", "0.7", "--steps",
        "120", "--delta", "1e-5");
    assertThat(exact.out()).startsWith("epsilon            3.239192");
  }

  @Test
  void classicConversionIsMironovsClosedFormOnOneOrder() {
    // One order α = 8 at q = 1: r = α/(2σ²) = 1, ε = r + ln(1/δ)/(α - 1) (Mironov 2017, Prop. 3).
    CliRun r = run("privacy", "epsilon", "--sampling-rate", "1", "--noise-multiplier", "2", "--steps", "1",
        "--delta", "1e-5", "--orders", "8", "--conversion", "classic", "--json");
    assertThat(r.code()).isZero();
    Map<String, Object> j = json(r);
    assertThat((double) j.get("epsilon")).isCloseTo(1 + Math.log(1e5) / 7, within(1e-14));
    assertThat(j).containsEntry("method",
        "rdp (classic conversion, custom orders, exact fractional orders, add-or-remove-one)");
  }

  @Test
  void aCustomOrderListIsAccepted() {
    // One order: ε = r + ln(1 - 1/α) - (ln δ + ln α)/(α - 1) with r = T·RDP(α); at q = 1, RDP(α) = α/(2σ²).
    CliRun r = run("privacy", "epsilon", "--sampling-rate", "1", "--noise-multiplier", "2", "--steps", "1",
        "--delta", "1e-5", "--orders", "8", "--json");
    assertThat(r.code()).isZero();
    double expected = 8 / 8.0 + Math.log1p(-1 / 8.0) - (Math.log(1e-5) + Math.log(8)) / 7;
    assertThat((double) json(r).get("epsilon")).isCloseTo(expected, within(1e-14));
  }

  @Test
  void zeroStepsSpendNothingAndReportNoOrder() {
    CliRun text = run("privacy", "epsilon", "--sampling-rate", "0.01", "--noise-multiplier", "1", "--steps", "0",
        "--delta", "1e-5");
    assertThat(text.code()).isZero();
    assertThat(text.err()).isEmpty();
    assertThat(text.out()).isEqualTo(lines("epsilon            0", "delta              1e-05",
        "accountant         " + RDP_DEFAULT));
    Map<String, Object> j = json(run("privacy", "epsilon", "--sampling-rate", "0.01", "--noise-multiplier", "1",
        "--steps", "0", "--delta", "1e-5", "--json"));
    assertThat(j).containsEntry("epsilon", 0.0).doesNotContainKeys("optimal_order", "optimal_order_at_grid_edge");
  }

  @Test
  void anOptimumAtTheEndOfTheGridIsWarnedAboutOnStandardError() {
    CliRun r = run("privacy", "epsilon", "--sampling-rate", "1", "--noise-multiplier", "1000", "--steps", "1",
        "--delta", "1e-5");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("optimal order      1024");
    String warning = "the optimal RDP order 1024 is the largest order of the grid; a grid extending beyond it may "
        + "give a tighter bound";
    assertThat(r.err()).isEqualTo("cohort privacy epsilon: warning: " + warning + NL);
    Map<String, Object> j = json(run("privacy", "epsilon", "--sampling-rate", "1", "--noise-multiplier", "1000",
        "--steps", "1", "--delta", "1e-5", "--json"));
    assertThat(j).containsEntry("optimal_order_at_grid_edge", true).containsEntry("warnings", List.of(warning));
  }

  @Test
  void aDeltaBelowThePldTruncationFloorGivesInfinityAndAWarningNamingTheFlag() {
    CliRun r = run("privacy", "epsilon", "--accountant", "pld", "--sampling-rate", "0.01", "--noise-multiplier",
        "1", "--steps", "10", "--delta", "1e-16");
    assertThat(r.code()).isZero();
    assertThat(r.out()).isEqualTo(lines("epsilon            inf", "delta              1e-16",
        "accountant         " + PLD_DEFAULT));
    assertThat(r.err()).startsWith("cohort privacy epsilon: warning: --delta (1.0E-16) is below the truncation "
        + "floor of PLD accounting: the discretisation puts ")
        .endsWith(" of probability at an infinite privacy loss (up to 1.0E-15 per composition), so epsilon is "
            + "+infinity; use a delta above the floor, or the RDP accountant" + NL);
    Map<String, Object> j = json(run("privacy", "epsilon", "--accountant", "pld", "--sampling-rate", "0.01",
        "--noise-multiplier", "1", "--steps", "10", "--delta", "1e-16", "--json"));
    assertThat(j).containsEntry("epsilon", null);
    assertThat((List<?>) j.get("warnings")).hasSize(1);
  }

  // ---- calibrate ----

  @Test
  void calibrateWithAPopulationPrintsTheTffTutorialsAnswer() {
    // TFF federated_learning_with_differential_privacy.ipynb output.
    CliRun r = run("privacy", "calibrate", "--epsilon", "2", "--delta", "1e-5", "--population", "3383",
        "--steps", "100");
    assertThat(r.code()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out()).isEqualTo(lines(
        "To get (2, 1e-05)-DP, use 120 clients with noise multiplier 1.2.",
        "clients per round  120",
        "noise multiplier   1.2",
        "sampling rate      0.03547147502216967",
        "steps              100",
        "epsilon            1.986111137  (target 2)",
        "delta              1e-05",
        "optimal order      7.8",
        "accountant         " + RDP_DEFAULT));
  }

  @Test
  void calibrateWithAPopulationAsJsonCarriesTheClientsAndThePopulation() {
    CliRun r = run("privacy", "calibrate", "--epsilon", "2", "--delta", "1e-5", "--population", "3383",
        "--steps", "100", "--noise-to-clients-ratio", "0.01", "--json");
    assertThat(r.code()).isZero();
    assertThat(r.err()).isEmpty();
    Map<String, Object> j = json(r);
    assertThat(j).containsOnlyKeys("command", "mode", "accountant", "method", "target_epsilon", "target_delta",
        "clients_per_round", "population", "noise_multiplier", "sampling_rate", "steps", "epsilon", "delta",
        "optimal_order", "optimal_order_at_grid_edge", "warnings");
    assertThat(j).containsEntry("command", "calibrate").containsEntry("mode", "clients-per-round")
        .containsEntry("accountant", "rdp").containsEntry("method", RDP_DEFAULT)
        .containsEntry("target_epsilon", 2.0).containsEntry("target_delta", 1e-5)
        .containsEntry("clients_per_round", 120.0).containsEntry("population", 3383.0)
        .containsEntry("noise_multiplier", 1.2).containsEntry("sampling_rate", 120.0 / 3383)
        .containsEntry("steps", 100.0).containsEntry("delta", 1e-5).containsEntry("optimal_order", 7.8)
        .containsEntry("optimal_order_at_grid_edge", false).containsEntry("warnings", List.of());
    assertThat((double) j.get("epsilon")).isCloseTo(1.986111137, within(1e-9)).isLessThanOrEqualTo(2.0);
  }

  @Test
  void calibrateFindsTheNoiseMultiplierAndTheAffordableSteps() {
    CliRun noise = run("privacy", "calibrate", "--epsilon", "0.7242234026109595", "--delta", "1e-5",
        "--sampling-rate", "0.0025", "--steps", "6000", "--orders", "tf-privacy", "--json");
    assertThat(noise.code()).isZero();
    Map<String, Object> j = json(noise);
    assertThat(j).containsOnlyKeys("command", "mode", "accountant", "method", "target_epsilon", "target_delta",
        "noise_multiplier", "sampling_rate", "steps", "epsilon", "delta", "optimal_order",
        "optimal_order_at_grid_edge", "warnings");
    assertThat(j).containsEntry("mode", "noise-multiplier").containsEntry("steps", 6000.0);
    assertThat((double) j.get("noise_multiplier")).isCloseTo(1.3, within(1.3e-6));
    assertThat((double) j.get("epsilon")).isLessThanOrEqualTo(0.7242234026109595);
    CliRun steps = run("privacy", "calibrate", "--epsilon", "0.7242234026109595", "--delta", "1e-5",
        "--sampling-rate", "0.0025", "--noise-multiplier", "1.3", "--orders", "tf-privacy");
    assertThat(steps.code()).isZero();
    assertThat(steps.out()).isEqualTo(lines(
        "noise multiplier   1.3",
        "sampling rate      0.0025",
        "steps              6000",
        "epsilon            0.7242234026  (target 0.7242234026109595)",
        "delta              1e-05",
        "optimal order      19",
        "accountant         rdp (improved conversion, tf-privacy orders, exact fractional orders, "
            + "add-or-remove-one)"));
    Map<String, Object> js = json(run("privacy", "calibrate", "--epsilon", "0.7242234026109595", "--delta",
        "1e-5", "--sampling-rate", "0.0025", "--noise-multiplier", "1.3", "--orders", "tf-privacy", "--json"));
    assertThat(js).containsEntry("mode", "steps").containsEntry("steps", 6000.0);
  }

  @Test
  void calibrateWithThePldAccountantApproachesTheAnalyticGaussian() {
    // One Gaussian (q = 1, one step) at (ln 3, 1e-5): the analytic Gaussian mechanism needs σ = 3.42466239
    // (TFF analytics/differential_privacy_test.py); PLD is pessimistic, so at least that.
    CliRun r = run("privacy", "calibrate", "--accountant", "pld", "--epsilon", Double.toString(Math.log(3)),
        "--delta", "1e-5", "--sampling-rate", "1", "--steps", "1", "--json");
    assertThat(r.code()).isZero();
    Map<String, Object> j = json(r);
    assertThat(j).containsEntry("accountant", "pld").containsEntry("method", PLD_DEFAULT)
        .doesNotContainKey("optimal_order");
    assertThat((double) j.get("noise_multiplier")).isGreaterThanOrEqualTo(3.42466239 - 1e-8)
        .isCloseTo(3.42466239, within(1e-4));
  }

  @Test
  void calibrateRejectsAmbiguousIncompleteOrImpossibleRequests() {
    CliRun none = run("privacy", "calibrate", "--epsilon", "1", "--delta", "1e-5");
    assertThat(none.code()).isEqualTo(2);
    assertThat(none.out()).isEmpty();
    assertThat(none.err()).isEqualTo("cohort privacy calibrate: error: calibrate needs --sampling-rate and --steps "
        + "(for the noise multiplier), --sampling-rate and --noise-multiplier (for the steps), or --population and "
        + "--steps (for the clients per round)" + NL);
    CliRun both = run("privacy", "calibrate", "--epsilon", "1", "--delta", "1e-5", "--population", "100",
        "--steps", "10", "--sampling-rate", "0.1");
    assertThat(both.code()).isEqualTo(2);
    assertThat(both.err()).isEqualTo("cohort privacy calibrate: error: --sampling-rate (0.1) must not be given "
        + "with --population: it is what calibrate computes or fixes there" + NL);
    CliRun unreachable = run("privacy", "calibrate", "--epsilon", "0.1", "--delta", "1e-9", "--population", "100",
        "--steps", "10000", "--noise-to-clients-ratio", "0.001");
    assertThat(unreachable.code()).isEqualTo(2);
    assertThat(unreachable.err()).startsWith("cohort privacy calibrate: error: --epsilon (0.1) cannot be reached: "
        + "even all 100 clients per round (noise multiplier 0.1) give epsilon ")
        .endsWith(" at --delta (1.0E-9)" + NL);
    CliRun floor = run("privacy", "calibrate", "--accountant", "pld", "--epsilon", "1", "--delta", "1e-16",
        "--sampling-rate", "0.01", "--steps", "10");
    assertThat(floor.code()).isEqualTo(2);
    assertThat(floor.err()).startsWith("cohort privacy calibrate: error: --epsilon (1.0) cannot be reached at "
        + "--delta (1.0E-16) with --sampling-rate (0.01) and --steps (10) by any noise multiplier up to 2^40: "
        + "--delta (1.0E-16) is below the truncation floor of PLD accounting");
  }

  // ---- errors ----

  private static CliRun epsilonWith(String... overrides) {
    Map<String, String> args = new LinkedHashMap<>();
    args.put("--sampling-rate", "0.01");
    args.put("--noise-multiplier", "1.0");
    args.put("--steps", "100");
    args.put("--delta", "1e-5");
    for (int i = 0; i < overrides.length; i += 2) {
      args.put(overrides[i], overrides[i + 1]);
    }
    List<String> argv = new ArrayList<>(List.of("privacy", "epsilon"));
    args.forEach((k, v) -> {
      argv.add(k);
      argv.add(v);
    });
    return run(argv.toArray(new String[0]));
  }

  @Test
  @Timeout(20)
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
        {"--orders", "2,0.5", "--orders (0.5) must be a finite number > 1"},
        {"--orders", "2,", "--orders (2,) must be one of dp-accounting, tf-privacy, opacus, or a "
            + "comma-separated list of orders > 1"},
        // used to run ~3e10 steps of a quadrature and never return
        {"--orders", "1e10", "--orders (1.0E10) must be <= 100000 for a sampled Gaussian: its RDP takes time "
            + "proportional to the order"},
        {"--accountant", "moments", "--accountant (moments) must be one of rdp, pld"},
        {"--conversion", "basic", "--conversion (basic) must be one of improved, classic"},
        {"--fractional-orders", "dp-accounting", "--fractional-orders (dp-accounting) must be one of exact, "
            + "absolute-upper-bound"},
    };
    for (String[] c : cases) {
      CliRun r = epsilonWith(c[0], c[1]);
      assertThat(r.code()).as("exit code for %s %s", c[0], c[1]).isEqualTo(2);
      assertThat(r.out()).isEmpty();
      assertThat(r.err()).isEqualTo("cohort privacy epsilon: error: " + c[2] + NL);
    }
  }

  @Test
  void errorsFromTheLibraryNameTheFlagsThatSetTheValues() {
    // The library names its parameters (samplingRate, targetEpsilon, interval, count) as data; the CLI names flags.
    CliRun zeroRate = run("privacy", "calibrate", "--epsilon", "1", "--delta", "1e-5", "--sampling-rate", "0",
        "--steps", "10");
    assertThat(zeroRate.code()).isEqualTo(2);
    assertThat(zeroRate.err()).isEqualTo("cohort privacy calibrate: error: --sampling-rate (0.0) and --steps (10) "
        + "must both be > 0: otherwise no privacy is spent and any noise multiplier meets the target" + NL);
    CliRun noLimit = run("privacy", "calibrate", "--epsilon", "1", "--delta", "1e-5", "--sampling-rate", "0",
        "--noise-multiplier", "1");
    assertThat(noLimit.code()).isEqualTo(2);
    assertThat(noLimit.err()).isEqualTo("cohort privacy calibrate: error: --sampling-rate (0.0) must be > 0: with "
        + "no sampling no step spends privacy, so the budget does not limit the number of steps" + NL);
    CliRun hugeNoise = run("privacy", "calibrate", "--epsilon", "1", "--delta", "1e-5", "--sampling-rate", "1e-6",
        "--noise-multiplier", "1e6");
    assertThat(hugeNoise.err()).isEqualTo("cohort privacy calibrate: error: --epsilon (1.0) is not exceeded within "
        + "2^40 steps at --sampling-rate (1.0E-6) and --noise-multiplier (1000000.0): the budget does not limit the "
        + "number of steps" + NL);
    CliRun fine = epsilonWith("--accountant", "pld", "--noise-multiplier", "0.001");
    assertThat(fine.code()).isEqualTo(2);
    assertThat(fine.err()).startsWith("cohort privacy epsilon: error: --interval (1.0E-4) must be coarser for "
        + "--noise-multiplier (0.001): the privacy loss of this mechanism spans [");
    CliRun fft = epsilonWith("--accountant", "pld", "--sampling-rate", "0.5", "--noise-multiplier", "0.5",
        "--steps", "1000000000");
    assertThat(fft.code()).isEqualTo(2);
    assertThat(fft.err()).startsWith("cohort privacy epsilon: error: --interval (1.0E-4) must be coarser, or "
        + "--steps (1000000000) smaller: the privacy loss of 1000000000 compositions spans ")
        .endsWith(" grid points, more than the 2^26 an FFT may have (1 GiB of work arrays)" + NL);
    CliRun interval = epsilonWith("--accountant", "pld", "--interval", "0");
    assertThat(interval.err()).isEqualTo("cohort privacy epsilon: error: --interval (0.0) must be a finite number "
        + "> 0" + NL);
    CliRun zeroEpsilon = run("privacy", "calibrate", "--epsilon", "0", "--delta", "1e-5", "--sampling-rate",
        "0.1", "--steps", "10");
    assertThat(zeroEpsilon.err()).isEqualTo("cohort privacy calibrate: error: --epsilon (0.0) must be a finite "
        + "number > 0" + NL);
    CliRun population = run("privacy", "calibrate", "--epsilon", "1", "--delta", "1e-5", "--population", "0",
        "--steps", "10");
    assertThat(population.err()).isEqualTo("cohort privacy calibrate: error: --population (0) must be >= 1" + NL);
    CliRun ratio = run("privacy", "calibrate", "--epsilon", "1", "--delta", "1e-5", "--population", "10",
        "--steps", "10", "--noise-to-clients-ratio", "-1");
    assertThat(ratio.err()).isEqualTo("cohort privacy calibrate: error: --noise-to-clients-ratio (-1.0) must be a "
        + "finite number > 0" + NL);
  }

  @Test
  @Timeout(60)
  void aVanishingNoiseMultiplierGivesAHugeOrInfiniteEpsilonInsteadOfHanging() {
    // Both used to run forever: a quadrature point count overflowed a long.
    CliRun tiny = epsilonWith("--noise-multiplier", "1e-10");
    assertThat(tiny.code()).isZero();
    assertThat(tiny.out()).startsWith("epsilon            5.5e+21" + NL);
    CliRun vanishing = epsilonWith("--noise-multiplier", "1e-160");
    assertThat(vanishing.code()).isZero();
    assertThat(vanishing.out()).startsWith("epsilon            inf" + NL);
    assertThat(json(run("privacy", "epsilon", "--sampling-rate", "0.01", "--noise-multiplier", "1e-160", "--steps",
        "100", "--delta", "1e-5", "--json"))).containsEntry("epsilon", null)
        .doesNotContainKey("optimal_order");
    CliRun calibrate = run("privacy", "calibrate", "--epsilon", "1e300", "--delta", "1e-5", "--sampling-rate",
        "0.01", "--steps", "100");
    assertThat(calibrate.code()).isEqualTo(2);
    assertThat(calibrate.err()).isEqualTo("cohort privacy calibrate: error: --epsilon (1.0E300) is met at --delta "
        + "(1.0E-5) with --sampling-rate (0.01) and --steps (100) even by a noise multiplier of 2^-40: the target "
        + "does not limit the noise" + NL);
    CliRun pld = epsilonWith("--accountant", "pld", "--noise-multiplier", "1e-200");
    assertThat(pld.code()).isEqualTo(2);
    assertThat(pld.err()).startsWith("cohort privacy epsilon: error: --noise-multiplier (1.0E-200) must be larger "
        + "for PLD accounting: the privacy loss of this mechanism spans [");
  }

  @Test
  void aCoarsePldIntervalGivesItsPessimisticEpsilonNotNaN() {
    // It used to print "error: Infinite or NaN", and --json "epsilon": null (which means infinite).
    CliRun text = epsilonWith("--accountant", "pld", "--interval", "1000");
    assertThat(text.code()).isZero();
    assertThat(text.err()).isEmpty();
    assertThat(text.out()).isEqualTo(lines("epsilon            5000", "delta              1e-05",
        "accountant         pld (pessimistic connect-the-dots, interval 1000, add-or-remove-one)"));
    assertThat(json(run("privacy", "epsilon", "--accountant", "pld", "--interval", "1000", "--sampling-rate", "0.01",
        "--noise-multiplier", "1", "--steps", "100", "--delta", "1e-5", "--json"))).containsEntry("epsilon", 5000.0);
  }

  @Test
  void pldCalibrationErrorsNameTheStepsFlag() {
    // It used to say "count (1000000000)", the library's name.
    CliRun r = run("privacy", "calibrate", "--accountant", "pld", "--epsilon", "1", "--delta", "1e-5",
        "--sampling-rate", "0.5", "--steps", "1000000000");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).startsWith("cohort privacy calibrate: error: --interval (1.0E-4) must be coarser, or "
        + "--steps (1000000000) smaller: the privacy loss of 1000000000 compositions spans ");
    CliRun order = run("privacy", "calibrate", "--epsilon", "1", "--delta", "1e-5", "--sampling-rate", "0.01",
        "--steps", "10", "--orders", "2,0.5");
    assertThat(order.err()).isEqualTo("cohort privacy calibrate: error: --orders (0.5) must be a finite number > 1"
        + NL);
  }

  @Test
  void aLibraryErrorAboutNoFlagsValueIsAnInternalError() {
    // The command computed the value itself, so a rejection is a bug in the command, not a usage error.
    Flags.ParameterNames names = new Flags.ParameterNames().flag("delta", "--delta");
    assertThatThrownBy(() -> names.translating(() -> dev.cohort.privacy.DpEvent.gaussian(-1)))
        .isInstanceOf(dev.cohort.privacy.InvalidParameterException.class)
        .hasMessage("noiseMultiplier (-1.0) must be a finite number > 0");
    assertThatThrownBy(() -> names.translating(() -> dev.cohort.privacy.PldAccountant.create().epsilon(2)))
        .isInstanceOf(Flags.FlagException.class)
        .hasMessage("--delta (2.0) must be in (0, 1)");
  }

  @Test
  void optionsThatDoNotApplyAreRejectedInsteadOfIgnored() {
    // These used to exit 0, ignoring the flags (even invalid values).
    CliRun pld = epsilonWith("--accountant", "pld", "--conversion", "foo", "--orders", "bogus");
    assertThat(pld.code()).isEqualTo(2);
    assertThat(pld.out()).isEmpty();
    assertThat(pld.err()).isEqualTo("cohort privacy epsilon: error: --conversion (foo) must not be given with "
        + "--accountant pld: it applies to RDP accounting only" + NL);
    for (String[] flag : new String[][] {{"--orders", "tf-privacy"}, {"--fractional-orders", "exact"}}) {
      CliRun r = epsilonWith("--accountant", "pld", flag[0], flag[1]);
      assertThat(r.code()).isEqualTo(2);
      assertThat(r.err()).isEqualTo("cohort privacy epsilon: error: " + flag[0] + " (" + flag[1] + ") must not be "
          + "given with --accountant pld: it applies to RDP accounting only" + NL);
    }
    CliRun rdp = epsilonWith("--interval", "1e-3");
    assertThat(rdp.code()).isEqualTo(2);
    assertThat(rdp.err()).isEqualTo("cohort privacy epsilon: error: --interval (1e-3) must not be given with "
        + "--accountant rdp: it sets the PLD discretisation" + NL);
    CliRun ratio = run("privacy", "calibrate", "--epsilon", "1", "--delta", "1e-5", "--sampling-rate", "0.01",
        "--steps", "100", "--noise-to-clients-ratio", "0.02");
    assertThat(ratio.code()).isEqualTo(2);
    assertThat(ratio.out()).isEmpty();
    assertThat(ratio.err()).isEqualTo("cohort privacy calibrate: error: --noise-to-clients-ratio (0.02) must not be "
        + "given without --population: it sets the noise of the clients-per-round calibration" + NL);
  }

  @Test
  void unparsableAndMissingFlagsAreReportedByPicocliWithExitCodeTwo() {
    CliRun notANumber = run("privacy", "epsilon", "--sampling-rate", "0.01", "--noise-multiplier", "1",
        "--steps", "abc", "--delta", "1e-5");
    assertThat(notANumber.code()).isEqualTo(2);
    assertThat(notANumber.err()).contains("--steps", "abc");
    CliRun missing = run("privacy", "epsilon", "--sampling-rate", "0.01", "--noise-multiplier", "1",
        "--steps", "10");
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("Missing required option: '--delta=D'");
  }

  // ---- help and version ----

  @Test
  void privacyWithoutASubcommandPrintsItsUsage() {
    CliRun r = run("privacy");
    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith("Usage: cohort privacy [-hV] [--verbose] [COMMAND]").contains("epsilon", "calibrate");
  }

  @Test
  void calibrateHelpFitsEightyColumnsAndAlignsItsModeTable() {
    CliRun r = run("privacy", "calibrate", "--help");
    assertThat(r.code()).isZero();
    assertThat(r.err()).isEmpty();
    String[] lines = r.out().split(NL);
    for (String line : lines) {
      assertThat(line.length()).as("width of '%s'", line).isLessThanOrEqualTo(80);
    }
    assertThat(r.out()).contains(lines(
        "Find what a target (epsilon, delta) allows for Poisson-sampled Gaussian",
        "steps. The flags given choose what is computed:",
        "  --sampling-rate Q --steps T             the smallest noise multiplier",
        "  --sampling-rate Q --noise-multiplier Z  the largest number of steps",
        "  --population N --steps T                the clients per round n, with",
        "                                          q = n/N and noise multiplier",
        "                                          R*n (--noise-to-clients-ratio),",
        "                                          as TFF's DP tutorial does",
        "      --accountant=rdp|pld   rdp (Renyi DP, reports the optimal order) or pld"));
  }

  @Test
  void everyPrivacyCommandPrintsTheVersion() {
    for (String[] args : new String[][] {{"privacy", "-V"}, {"privacy", "epsilon", "-V"},
        {"privacy", "calibrate", "--version"}}) {
      CliRun r = run(args);
      assertThat(r.code()).isZero();
      assertThat(r.out()).isEqualTo("cohort " + InfoCommand.version() + NL);
    }
  }

  @Test
  void epsilonIsPrintedToTenSignificantDigits() {
    assertThat(GuaranteeOutput.epsilon(0.7242234026106552)).isEqualTo("0.7242234026");
    assertThat(GuaranteeOutput.epsilon(Double.POSITIVE_INFINITY)).isEqualTo("inf");
  }

  @Test
  void theTestsJsonParserIsStrict() {
    assertThat(new JsonParser("{\"a\":[1,-2.5e-3,true,null,\"x\\u0041\\n\"],\"b\":{}}").parse())
        .isEqualTo(Map.of("a", java.util.Arrays.asList(1.0, -2.5e-3, true, null, "xA\n"), "b", Map.of()));
    for (String bad : new String[] {"{\"a\":1,}", "{\"a\":01}", "{\"a\":NaN}", "{'a':1}", "{\"a\":1} x",
        "{\"a\":1.}", "{\"a\":\"\u0001\"}", "{\"a\":1,\"a\":2}"}) {
      assertThatThrownBy(() -> new JsonParser(bad).parse()).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }

  /**
   * A strict JSON parser (RFC 8259) for the tests: objects (as insertion-ordered maps, duplicate keys rejected),
   * arrays, strings with escapes, numbers (as doubles), true, false and null; anything else throws.
   */
  static final class JsonParser {
    private final String s;
    private int i;

    JsonParser(String s) {
      this.s = s;
    }

    Object parse() {
      Object v = value();
      space();
      if (i != s.length()) {
        throw error("end of input");
      }
      return v;
    }

    private IllegalArgumentException error(String expected) {
      return new IllegalArgumentException("expected " + expected + " at " + i + " in " + s);
    }

    private void space() {
      while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) {
        i++;
      }
    }

    private boolean eat(char c) {
      space();
      if (i < s.length() && s.charAt(i) == c) {
        i++;
        return true;
      }
      return false;
    }

    private Object value() {
      space();
      if (i >= s.length()) {
        throw error("a value");
      }
      char c = s.charAt(i);
      if (c == '{') {
        return object();
      } else if (c == '[') {
        return array();
      } else if (c == '"') {
        return string();
      } else if (c == '-' || (c >= '0' && c <= '9')) {
        return number();
      }
      for (String word : new String[] {"true", "false", "null"}) {
        if (s.startsWith(word, i)) {
          i += word.length();
          return word.equals("null") ? null : Boolean.valueOf(word);
        }
      }
      throw error("a value");
    }

    private Map<String, Object> object() {
      i++;
      Map<String, Object> m = new LinkedHashMap<>();
      if (eat('}')) {
        return m;
      }
      do {
        space();
        if (i >= s.length() || s.charAt(i) != '"') {
          throw error("a key");
        }
        String k = string();
        if (m.containsKey(k)) {
          throw error("a new key, not a second '" + k + "'");
        }
        if (!eat(':')) {
          throw error("':'");
        }
        m.put(k, value());
      } while (eat(','));
      if (!eat('}')) {
        throw error("'}'");
      }
      return m;
    }

    private List<Object> array() {
      i++;
      List<Object> list = new ArrayList<>();
      if (eat(']')) {
        return list;
      }
      do {
        list.add(value());
      } while (eat(','));
      if (!eat(']')) {
        throw error("']'");
      }
      return list;
    }

    private String string() {
      i++;
      StringBuilder b = new StringBuilder();
      while (true) {
        if (i >= s.length()) {
          throw error("'\"'");
        }
        char c = s.charAt(i++);
        if (c == '"') {
          return b.toString();
        } else if (c < 0x20) {
          throw error("an escaped control character");
        } else if (c != '\\') {
          b.append(c);
          continue;
        }
        char e = i < s.length() ? s.charAt(i++) : '?';
        switch (e) {
          case '"': case '\\': case '/':
            b.append(e);
            break;
          case 'b':
            b.append('\b');
            break;
          case 'f':
            b.append('\f');
            break;
          case 'n':
            b.append('\n');
            break;
          case 'r':
            b.append('\r');
            break;
          case 't':
            b.append('\t');
            break;
          case 'u':
            if (i + 4 > s.length()) {
              throw error("four hex digits");
            }
            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
            i += 4;
            break;
          default:
            throw error("an escape");
        }
      }
    }

    private Double number() {
      int start = i;
      if (s.charAt(i) == '-') {
        i++;
      }
      if (i < s.length() && s.charAt(i) == '0') {
        i++;
      } else if (!digits()) {
        throw error("digits");
      }
      if (i < s.length() && s.charAt(i) == '.') {
        i++;
        if (!digits()) {
          throw error("digits after '.'");
        }
      }
      if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
        i++;
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
          i++;
        }
        if (!digits()) {
          throw error("exponent digits");
        }
      }
      return Double.parseDouble(s.substring(start, i));
    }

    private boolean digits() {
      int start = i;
      while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        i++;
      }
      return i > start;
    }
  }
}
