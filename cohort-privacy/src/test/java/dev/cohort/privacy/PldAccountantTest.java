package dev.cohort.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * PLD accounting against dp_accounting's published values (google/differential-privacy
 * python/dp_accounting/dp_accounting/pld/privacy_loss_distribution_test.py and pld_privacy_accountant_test.py),
 * TF-Privacy's (compute_dp_sgd_privacy_test.py) and the analytic Gaussian mechanism of Balle and Wang 2018.
 */
class PldAccountantTest {
  /** The truncation dp_accounting's discretisation tests use: ln 2 + ln Φ(-0.9), i.e. x cut at -0.9σ. */
  private static final double TEST_TRUNCATION = Math.log(2) + SpecialFunctions.normalLogCdf(-0.9);

  private static Map<Long, Double> sparse(PldPmf p) {
    Map<Long, Double> m = new TreeMap<>();
    for (int k = 0; k < p.size(); k++) {
      if (p.probs[k] > 0) {
        m.put(p.lowerIndex + k, p.probs[k]);
      }
    }
    return m;
  }

  private static void assertPmf(PldPmf actual, double[][] expected, double infinityMass) {
    Map<Long, Double> m = sparse(actual);
    assertThat(m).hasSize(expected.length);
    for (double[] e : expected) {
      assertThat(m.get((long) e[0])).as("mass at %s", (long) e[0]).isCloseTo(e[1], within(1e-8));
    }
    assertThat(actual.infinityMass).isCloseTo(infinityMass, within(1e-8));
  }

  private static PldPmf gaussian(double sigma, double q, AdditiveNoisePld.Adjacency adjacency, double interval) {
    return new AdditiveNoisePld(AdditiveNoisePld.Noise.GAUSSIAN, sigma, q, adjacency, TEST_TRUNCATION)
        .connectTheDots(interval);
  }

  private static PldPmf laplace(double b, double q, AdditiveNoisePld.Adjacency adjacency, double interval) {
    return new AdditiveNoisePld(AdditiveNoisePld.Noise.LAPLACE, b, q, adjacency, 0).connectTheDots(interval);
  }

  @Test
  void connectTheDotsGaussianMatchesDpAccounting() {
    var remove = AdditiveNoisePld.Adjacency.REMOVE;
    var add = AdditiveNoisePld.Adjacency.ADD;
    // test_gaussian_discretization_connect_dots: σ=1, interval 0.5, infinity mass 0.056696236.
    assertPmf(gaussian(1, 1, remove, 0.5), new double[][] {{3, 0.178515818}, {2, 0.175063076},
        {1, 0.195400642}, {0, 0.171573378}, {-1, 0.118516480}, {-2, 0.064402107}, {-3, 0.039832263}},
        0.056696236);
    // Same, interval 0.3.
    assertPmf(gaussian(1, 1, remove, 0.3), new double[][] {{5, 0.143933223}, {4, 0.093801719},
        {3, 0.110114456}, {2, 0.118295665}, {1, 0.116301523}, {0, 0.104639278}, {-1, 0.086158287},
        {-2, 0.064922037}, {-3, 0.044769197}, {-4, 0.028252535}, {-5, 0.032115843}}, 0.056696236);
    // test_gaussian_varying_standard_deviation_and_sensitivity_connect_dots, interval 1: (σ=1, s=1, q=1).
    assertPmf(gaussian(1, 1, remove, 1), new double[][] {{2, 0.167710257}, {1, 0.343270190},
        {0, 0.319116756}, {-1, 0.126282046}, {-2, 0.022697115}}, 0.020923636);
    // (σ=1, s=2, q=1): the loss depends on s/σ only, so this is σ=0.5 with s=1.
    assertPmf(gaussian(0.5, 1, remove, 1), new double[][] {{4, 0.156393834}, {3, 0.176732821},
        {2, 0.195352391}, {1, 0.169838899}, {0, 0.116146963}, {-1, 0.062480239}, {-2, 0.026438071},
        {-3, 0.008799009}, {-4, 0.002864453}}, 0.084953319);
    // (σ=1, s=1, q=0.8): the two directions differ.
    assertPmf(gaussian(1, 0.8, add, 1), new double[][] {{1, 0.448021700}, {0, 0.398104072},
        {-1, 0.115544309}, {-2, 0.015193708}}, 0.023136210);
    assertPmf(gaussian(1, 0.8, remove, 1), new double[][] {{2, 0.112267164}, {1, 0.314081995},
        {0, 0.398104072}, {-1, 0.164817973}}, 0.010728796);
    // (σ=1, s=2, q=0.4) as σ=0.5.
    assertPmf(gaussian(0.5, 0.4, add, 1), new double[][] {{1, 0.431999550}, {0, 0.499732772},
        {-1, 0.052519150}, {-2, 0.012224135}, {-3, 0.003524394}}, 0.0);
    assertPmf(gaussian(0.5, 0.4, remove, 1), new double[][] {{3, 0.070789342}, {2, 0.090324817},
        {1, 0.142761851}, {0, 0.499732772}, {-1, 0.158923753}}, 0.037467466);
  }

  @Test
  void connectTheDotsLaplaceMatchesDpAccounting() {
    var remove = AdditiveNoisePld.Adjacency.REMOVE;
    // test_laplace_discretization_connect_dots: parameter 1, interval 0.5 and 0.3.
    assertPmf(laplace(1, 1, remove, 0.5), new double[][] {{2, 0.56217650}, {1, 0.09684622}, {0, 0.07542391},
        {-1, 0.05874020}, {-2, 0.20681318}}, 0);
    assertPmf(laplace(1, 1, remove, 0.3), new double[][] {{4, 0.18817131}, {3, 0.37181835}, {2, 0.06128993},
        {1, 0.05275273}, {0, 0.04540470}, {-1, 0.03908019}, {-2, 0.03363663}, {-3, 0.15117006},
        {-4, 0.05667611}}, 0);
    // test_laplace_varying_parameter_and_sensitivity_connect_dots (parameter 1, s=2, q=0.7) as b=0.5, s=1.
    assertPmf(laplace(0.5, 0.7, AdditiveNoisePld.Adjacency.ADD, 1), new double[][] {{1, 0.70000000},
        {0, 0.17131139}, {-1, 0.08129580}, {-2, 0.04739281}}, 0);
    assertPmf(laplace(0.5, 0.7, remove, 1), new double[][] {{2, 0.35018810}, {1, 0.22098490},
        {0, 0.17131139}, {-1, 0.25751561}}, 0);
  }

  /**
   * δ(1) of three Poisson-sampled Gaussians (q = 0.2, σ = 0.5), remove direction (the add direction's loss is at
   * most 3·ln(1/0.8) &lt; 1, so its δ(1) is 0): δ₃(ε) = ∫∫ U(x₁)U(x₂) δ₁(ε - ℓ(x₁) - ℓ(x₂)) dx₁ dx₂, with
   * U = 0.8·N(0, σ²) + 0.2·N(-1, σ²), ℓ(x) = ln(0.8 + 0.2·e^{(-1/2 - x)/σ²}) and the closed form
   * δ₁(ε) = q Φ((x_ε + 1)/σ) - (e^ε - 1 + q) Φ(x_ε/σ), x_ε = -1/2 - σ² ln(1 + (e^ε - 1)/q). Computed for this test
   * with scipy's dblquad (relative tolerance 1e-13) on [-12, 12]², [-8, 7]² and [-6, 5]², which agree to 1e-13;
   * the same integral with q = 1 reproduces the analytic Gaussian below to 3e-17. dp_accounting's test quotes
   * 0.15594 (tolerance 1e-3), 7e-6 above it.
   */
  private static final double SUBSAMPLED_GAUSSIAN_DELTA_AT_1 = 0.1559327759178;

  @Test
  void accountantMatchesClosedFormsOfDpAccountingsCompositionTests() {
    // test_gaussian_basic: Gaussian(√3) composed 1 + 2 times is one Gaussian of μ = 1, whose δ(1) is
    // Φ(-1/2) - e Φ(-3/2) = 0.1269367375066 (Balle and Wang 2018; dp_accounting quotes 0.126936 ± 1e-3). The
    // discretisation is pessimistic: never below the exact value, and here within 1e-9 of it.
    PldAccountant g = PldAccountant.create().compose(DpEvent.gaussian(Math.sqrt(3)), 1)
        .compose(DpEvent.gaussian(Math.sqrt(3)), 2);
    double exact = analyticDelta(1, 1);
    assertThat(exact).isCloseTo(0.1269367375066, within(1e-13));
    assertThat(g.delta(1).delta()).isBetween(exact, exact + 1e-9);
    assertThat(g.epsilon(exact).epsilon()).isBetween(1.0, 1.0 + 1e-8);
    // test_poisson_subsampled_gaussian and test_self_composed_subsampled_gaussian: q = 0.2, σ = 0.5, three times.
    PldAccountant s = PldAccountant.create()
        .compose(DpEvent.selfComposed(DpEvent.poissonSampled(0.2, DpEvent.gaussian(0.5)), 3));
    assertThat(s.delta(1).delta()).isBetween(SUBSAMPLED_GAUSSIAN_DELTA_AT_1, SUBSAMPLED_GAUSSIAN_DELTA_AT_1 + 1e-9);
    assertThat(s.epsilon(SUBSAMPLED_GAUSSIAN_DELTA_AT_1).epsilon()).isBetween(1.0 - 1e-12, 1.0 + 1e-8);
    // test_laplace_basic: Laplace(1) three times and Laplace(2) twice is pure (3 + 1)-DP, so δ(4) is 0 up to the
    // tail mass the compositions move to +∞ (a few 1e-15). Where the losses all sit at their maxima (probability
    // (e^-1/2)³(e^-0.5/2)² = 5.7e-4) δ(4 - η) ≈ 5.7e-4·η, so ε(1e-14) lies within 2e-11 below 4.
    PldAccountant l = PldAccountant.create().compose(DpEvent.laplace(1), 3).compose(DpEvent.laplace(2), 2);
    assertThat(l.delta(4).delta()).isBetween(0.0, 1e-13);
    assertThat(l.epsilon(1e-14).epsilon()).isBetween(4 - 2e-11, 4 + 1e-12);
    // test_poisson_subsampled_laplace: q = 0.2, b = 0.5 three times is pure 3·ln(1 + 0.2(e² - 1))-DP = 2.4696450
    // (dp_accounting: 2.46964 ± 1e-3). The pessimistic discretisation rounds each step's largest loss up to the
    // grid, so ε(1e-14) is 3·⌈ln(1 + 0.2(e² - 1))/1e-4⌉·1e-4 = 2.4699, less the same 1e-9-scale slack as above.
    PldAccountant sl = PldAccountant.create().compose(DpEvent.poissonSampled(0.2, DpEvent.laplace(0.5)), 3);
    double pure = 3 * Math.log1p(0.2 * Math.expm1(2));
    assertThat(pure).isCloseTo(2.4696449716730733, within(1e-15));
    assertThat(sl.epsilon(1e-14).epsilon()).isBetween(2.4699 - 1e-8, 2.4699 + 1e-12);
    assertThat(sl.delta(2.4699).delta()).isBetween(0.0, 1e-13);
  }

  @Test
  void accountantMatchesTfPrivacysPldEpsilonsToOnePartInAMillion() {
    // TFP test_compute_dp_sgd_example_privacy with the PLD accountant (interval 1e-4), δ = 1e-5:
    // no subsampling, ⌈1.2⌉ = 2 steps of σ=0.7 → 10.1224946 (σ=0.35 → 24.7160779);
    // q=0.01, ⌈1.2/0.01⌉ = 120 steps of σ=0.7 → 2.4612381 (σ=0.35 → 18.6977407).
    assertThat(PldAccountant.create().compose(DpEvent.gaussian(0.7), 2).epsilon(1e-5).epsilon())
        .isCloseTo(10.1224946, within(1e-6 * 10.1224946));
    assertThat(PldAccountant.create().compose(DpEvent.gaussian(0.35), 2).epsilon(1e-5).epsilon())
        .isCloseTo(24.7160779, within(1e-6 * 24.7160779));
    assertThat(PldAccountant.create().compose(DpEvent.poissonSampled(0.01, DpEvent.gaussian(0.7)), 120)
        .epsilon(1e-5).epsilon()).isCloseTo(2.4612381, within(1e-6 * 2.4612381));
    assertThat(PldAccountant.create().compose(DpEvent.poissonSampled(0.01, DpEvent.gaussian(0.35)), 120)
        .epsilon(1e-5).epsilon()).isCloseTo(18.6977407, within(1e-6 * 18.6977407));
  }

  /** Balle and Wang 2018 (arXiv 1805.06530, Thm 8): δ(ε) = Φ(-ε/μ + μ/2) - e^ε Φ(-ε/μ - μ/2). */
  private static double analyticDelta(double mu, double eps) {
    return SpecialFunctions.normalCdf(-eps / mu + mu / 2)
        - Math.exp(eps) * SpecialFunctions.normalCdf(-eps / mu - mu / 2);
  }

  private static double analyticEpsilon(double mu, double delta) {
    double lo = 0;
    double hi = 100;
    for (int i = 0; i < 200; i++) {
      double mid = 0.5 * (lo + hi);
      if (analyticDelta(mu, mid) > delta) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return hi;
  }

  @Test
  void gaussiansMatchTheAnalyticGaussianMechanismFromAbove() {
    for (double[] c : new double[][] {{0.5, 1}, {1.0, 4}, {2.0, 10}, {5.0, 100}}) {
      double sigma = c[0];
      long k = (long) c[1];
      double mu = Math.sqrt(k) / sigma; // μ adds in quadrature under composition
      PldAccountant acc = PldAccountant.create().compose(DpEvent.gaussian(sigma), k);
      for (double delta : new double[] {1e-3, 1e-5, 1e-8}) {
        double exact = analyticEpsilon(mu, delta);
        double pld = acc.epsilon(delta).epsilon();
        assertThat(pld).as("σ=%s k=%s δ=%s", sigma, k, delta).isGreaterThanOrEqualTo(exact - 1e-9)
            .isCloseTo(exact, within(1e-6 * exact));
      }
      for (double eps : new double[] {0.5, 1, 2}) {
        double exact = analyticDelta(mu, eps);
        assertThat(acc.delta(eps).delta()).isGreaterThanOrEqualTo(exact - 1e-15)
            .isCloseTo(exact, within(1e-5 * exact + 1e-15));
      }
    }
    // Different Gaussians go through an FFT convolution: μ² = 1/1² + 1/2².
    PldAccountant two = PldAccountant.create().compose(DpEvent.composed(DpEvent.gaussian(1), DpEvent.gaussian(2)));
    double exact = analyticEpsilon(Math.sqrt(1.25), 1e-5);
    assertThat(two.epsilon(1e-5).epsilon()).isGreaterThanOrEqualTo(exact).isCloseTo(exact, within(2e-4));
  }

  @Test
  void pldIsTighterThanRdpForTheSubsampledGaussian() {
    DpEvent run = DpEvent.selfComposed(DpEvent.poissonSampled(0.01, DpEvent.gaussian(1.0)), 1000);
    double pld = PldAccountant.create().compose(run).epsilon(1e-5).epsilon();
    double rdp = RdpAccountant.create().compose(run).epsilon(1e-5).epsilon();
    assertThat(pld).isLessThan(rdp).isGreaterThan(0.5 * rdp);
  }

  @Test
  void aDeltaBelowTheTruncationFloorGivesInfinityWithAWarningThatNamesTheFloor() {
    // Three Poisson-sampled compositions: the self-composition moves up to 1e-15 of tail mass to +∞.
    PldAccountant acc = PldAccountant.create()
        .compose(DpEvent.selfComposed(DpEvent.poissonSampled(0.2, DpEvent.gaussian(0.5)), 3));
    PrivacyGuarantee above = acc.epsilon(1e-14);
    assertThat(above.epsilon()).isFinite();
    assertThat(above.warnings()).isEmpty();
    PrivacyGuarantee below = acc.epsilon(1e-16);
    assertThat(below.epsilon()).isInfinite();
    double floor = acc.delta(1e6).delta(); // at a huge ε only the mass at +∞ is left
    assertThat(floor).isGreaterThan(1e-16).isLessThanOrEqualTo(2e-15);
    assertThat(below.warnings()).containsExactly("delta (1.0E-16) is below the truncation floor of PLD accounting: "
        + "the discretisation puts " + floor + " of probability at an infinite privacy loss (up to 1.0E-15 per "
        + "composition), so epsilon is +infinity; use a delta above the floor, or the RDP accountant");
  }

  @Test
  void emptyAndZeroRateLedgersSpendNothing() {
    assertThat(PldAccountant.create().epsilon(1e-5).epsilon()).isZero();
    assertThat(PldAccountant.create().delta(0).delta()).isZero();
    PldAccountant zero = PldAccountant.create().compose(DpEvent.poissonSampled(0, DpEvent.gaussian(1)), 10);
    assertThat(zero.epsilon(1e-10).epsilon()).isZero();
  }

  @Test
  void unsupportedEventsAndBadArgumentsAreRejectedByName() {
    assertThatThrownBy(() -> PldAccountant.create().compose(DpEvent.treeAggregation(1, 10)))
        .hasMessageStartingWith("event (TreeAggregation[noiseMultiplier=1.0, stepCounts=[10]]) is not supported "
            + "by the PLD accountant");
    assertThatThrownBy(() -> PldAccountant.create()
        .compose(DpEvent.poissonSampled(0.1, DpEvent.composed(DpEvent.gaussian(1)))))
        .hasMessageStartingWith("the event inside PoissonSampled (Composed[events=[Gaussian[noiseMultiplier=1.0]]]) "
            + "must be Gaussian or Laplace");
    assertThatThrownBy(() -> PldAccountant.withInterval(0)).hasMessage("interval (0.0) must be a finite number > 0");
    assertThatThrownBy(() -> PldAccountant.withInterval(1e-12).compose(DpEvent.gaussian(0.01)))
        .hasMessageStartingWith("interval (1.0E-12) must be coarser for noiseMultiplier (0.01): the privacy loss "
            + "of this mechanism spans [");
    assertThatThrownBy(() -> PldAccountant.create()
        .compose(DpEvent.poissonSampled(0.5, DpEvent.gaussian(0.5)), 1_000_000_000L))
        .hasMessageStartingWith("interval (1.0E-4) must be coarser, or count (1000000000) smaller: the privacy "
            + "loss of 1000000000 compositions spans ")
        .hasMessageEndingWith(" grid points, more than the 2^26 an FFT may have (1 GiB of work arrays)");
    assertThatThrownBy(() -> PldAccountant.create().epsilon(1)).hasMessage("delta (1.0) must be in (0, 1)");
    assertThat(PldAccountant.create().describe())
        .isEqualTo("pld (pessimistic connect-the-dots, interval 0.0001, add-or-remove-one)");
    assertThat(PldAccountant.withInterval(1e-5).describe())
        .isEqualTo("pld (pessimistic connect-the-dots, interval 1e-05, add-or-remove-one)");
  }
}
