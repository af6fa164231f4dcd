package dev.cohort.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class CalibrationTest {

  @Test
  void tffTutorialTargetGives120ClientsWithNoiseMultiplier1point2() {
    // tensorflow/federated docs/tutorials/federated_learning_with_differential_privacy.ipynb: population 3383,
    // 100 rounds, noise_to_clients_ratio 0.01, target (2, 1e-5), RdpAccountant with dp_accounting's default
    // orders → "To get (2, 1e-05)-DP, use 120 clients with noise multiplier 1.2."
    for (FractionalOrders mode : FractionalOrders.values()) {
      RdpAccountant empty = RdpAccountant.builder().fractionalOrders(mode).build();
      Calibrated c = Calibration.clientsPerRound(empty, 3383, 100, 0.01, 2.0, 1e-5);
      assertThat(c.clientsPerRound()).hasValue(120);
      assertThat(c.noiseMultiplier()).isEqualTo(1.2);
      assertThat(c.samplingRate()).isEqualTo(120.0 / 3383);
      assertThat(c.steps()).isEqualTo(100);
      assertThat(c.guarantee().epsilon()).isLessThanOrEqualTo(2.0);
      assertThat(c.guarantee().optimalOrder()).hasValue(7.8);
      // privacy.md §1.2 row 17 (computed with dp_accounting, i.e. the absolute-value mode): ε = 1.9861146 at
      // 120 clients and 2.00431 at 119, so 120 is the smallest feasible count.
      double at119 = empty.compose(DpEvent.selfComposed(DpEvent.poissonSampled(119.0 / 3383,
          DpEvent.gaussian(1.19)), 100)).epsilon(1e-5).epsilon();
      assertThat(at119).isGreaterThan(2.0);
      if (mode == FractionalOrders.ABSOLUTE_UPPER_BOUND) {
        assertThat(c.guarantee().epsilon()).isCloseTo(1.9861146, within(1e-6));
        assertThat(at119).isCloseTo(2.00431, within(1e-5));
      }
    }
  }

  @Test
  void noiseCalibrationRecoversTheNoiseOfAPublishedVector() {
    // TFP Test0 (q = 0.0025, 6000 steps, σ = 1.3) gives ε = 0.7242234026109595 at δ = 1e-5 on the TF-Privacy grid;
    // asking for that ε must give σ = 1.3 back.
    RdpAccountant empty = RdpAccountant.builder().orders(OrderGrid.tfPrivacy()).build();
    Calibrated c = Calibration.noiseMultiplier(empty, 0.0025, 6000, 0.7242234026109595, 1e-5);
    assertThat(c.noiseMultiplier()).isCloseTo(1.3, within(1.3e-6));
    assertThat(c.guarantee().epsilon()).isLessThanOrEqualTo(0.7242234026109595);
    // And the number of steps affordable at σ = 1.3 is 6000.
    Calibrated steps = Calibration.maxSteps(empty, 0.0025, 1.3, 0.7242234026109595, 1e-5);
    assertThat(steps.steps()).isEqualTo(6000);
    assertThat(Calibration.maxSteps(empty, 0.0025, 1.3, 0.7242234026109595 - 1e-4, 1e-5).steps())
        .isLessThan(6000);
    assertThat(Calibration.maxSteps(empty, 1.0, 0.5, 0.1, 1e-5).steps()).isZero();
  }

  @Test
  void pldCalibrationOfOneGaussianApproachesTheAnalyticGaussianMechanism() {
    // TFF analytics/differential_privacy_test.py: analytic_gauss_stddev(ε = ln 3, δ = 1e-5, Δ = 1) = 3.42466239
    // (Balle and Wang 2018). The PLD accountant is pessimistic, so its σ is at least that and within 1e-4.
    Calibrated c = Calibration.noiseMultiplier(PldAccountant.create(), 1.0, 1, Math.log(3), 1e-5);
    assertThat(c.noiseMultiplier()).isGreaterThanOrEqualTo(3.42466239 - 1e-8).isCloseTo(3.42466239, within(1e-4));
  }

  @Test
  void calibrationOnANonEmptyLedgerSpendsOnlyWhatRemains() {
    RdpAccountant spent = RdpAccountant.create()
        .compose(DpEvent.selfComposed(DpEvent.poissonSampled(0.01, DpEvent.gaussian(1.0)), 500));
    long fresh = Calibration.maxSteps(RdpAccountant.create(), 0.01, 1.0, 3.0, 1e-5).steps();
    long remaining = Calibration.maxSteps(spent, 0.01, 1.0, 3.0, 1e-5).steps();
    assertThat(remaining).isEqualTo(fresh - 500);
  }

  @Test
  void aLedgerThatAlreadySpendsMoreThanTheTargetIsReportedInsteadOfAResultThatMissesIt() {
    // 2000 steps of q = 0.01, σ = 1 already spend ε ≈ 2.9 at δ = 1e-5, more than the target 1: no further step,
    // noise multiplier or number of clients can meet it. maxSteps used to return 0 steps with that ε.
    RdpAccountant spent = RdpAccountant.create()
        .compose(DpEvent.selfComposed(DpEvent.poissonSampled(0.01, DpEvent.gaussian(1.0)), 2000));
    double already = spent.epsilon(1e-5).epsilon();
    assertThat(already).isGreaterThan(1.0);
    String expected = "targetEpsilon (1.0) cannot be reached: the ledger already spends epsilon=" + already
        + " at targetDelta (1.0E-5)";
    assertThatThrownBy(() -> Calibration.maxSteps(spent, 0.01, 1.0, 1.0, 1e-5)).hasMessage(expected);
    assertThatThrownBy(() -> Calibration.noiseMultiplier(spent, 0.01, 100, 1.0, 1e-5)).hasMessage(expected);
    assertThatThrownBy(() -> Calibration.clientsPerRound(spent, 3383, 100, 0.01, 1.0, 1e-5)).hasMessage(expected);
    // With budget left but not enough for one step, 0 steps is the answer, and its ε (the ledger's) meets the target.
    Calibrated none = Calibration.maxSteps(spent, 0.5, 0.5, already + 1e-3, 1e-5);
    assertThat(none.steps()).isZero();
    assertThat(none.guarantee().epsilon()).isEqualTo(already);
  }

  @Test
  void aDeltaBelowThePldTruncationFloorIsNamedAsTheReason() {
    // Each Poisson-sampled composition moves up to 1e-15 of mass to an infinite loss, so at δ = 1e-16 ε is +∞
    // whatever the noise; the search used to blame the noise ("by any noise multiplier up to 2^40").
    PldAccountant pld = PldAccountant.create();
    String floor = "delta (1.0E-16) is below the truncation floor of PLD accounting";
    assertThatThrownBy(() -> Calibration.noiseMultiplier(pld, 0.01, 10, 1.0, 1e-16))
        .hasMessageStartingWith("targetEpsilon (1.0) cannot be reached at targetDelta (1.0E-16) with samplingRate "
            + "(0.01) and steps (10) by any noise multiplier up to 2^40: " + floor);
    // One step is not self-composed, so nothing is truncated; two are. maxSteps used to answer 1.
    assertThatThrownBy(() -> Calibration.maxSteps(pld, 0.01, 10.0, 1.0, 1e-16))
        .hasMessageStartingWith("targetEpsilon (1.0) cannot be reached with more than 1 steps: " + floor);
    // Sampling everyone (q = 1) is the plain Gaussian, which truncates nothing; fewer clients hit the floor.
    assertThatThrownBy(() -> Calibration.clientsPerRound(pld, 100, 10, 0.1, 10.0, 1e-16))
        .hasMessageStartingWith("targetEpsilon (10.0) cannot be reached with fewer than 100 clients per round: "
            + floor);
  }

  @Test
  void impossibleTargetsAndBadArgumentsFailLoudly() {
    RdpAccountant empty = RdpAccountant.create();
    assertThatThrownBy(() -> Calibration.clientsPerRound(empty, 100, 10_000, 0.001, 0.1, 1e-9))
        .hasMessageStartingWith("targetEpsilon (0.1) cannot be reached: even all 100 clients per round");
    assertThatThrownBy(() -> Calibration.noiseMultiplier(empty, 0.0, 100, 1.0, 1e-5))
        .hasMessageStartingWith("samplingRate (0.0) and steps (100) must both be > 0");
    assertThatThrownBy(() -> Calibration.noiseMultiplier(empty, 1.5, 100, 1.0, 1e-5))
        .hasMessage("samplingRate (1.5) must be in [0, 1]");
    assertThatThrownBy(() -> Calibration.noiseMultiplier(empty, 0.1, -1, 1.0, 1e-5))
        .hasMessage("steps (-1) must be >= 0");
    assertThatThrownBy(() -> Calibration.noiseMultiplier(empty, 0.1, 10, 0.0, 1e-5))
        .hasMessage("targetEpsilon (0.0) must be a finite number > 0");
    assertThatThrownBy(() -> Calibration.maxSteps(empty, 0.1, 1.0, 1.0, 0.0))
        .hasMessage("targetDelta (0.0) must be in (0, 1)");
    assertThatThrownBy(() -> Calibration.maxSteps(empty, 0.0, 1.0, 1.0, 1e-5))
        .hasMessage("samplingRate (0.0) must be > 0: with no sampling no step spends privacy, so the budget does "
            + "not limit the number of steps");
    assertThatThrownBy(() -> Calibration.maxSteps(empty, 1e-6, 1e6, 1.0, 1e-5))
        .hasMessage("targetEpsilon (1.0) is not exceeded within 2^40 steps at samplingRate (1.0E-6) and "
            + "noiseMultiplier (1000000.0): the budget does not limit the number of steps");
    assertThatThrownBy(() -> Calibration.clientsPerRound(empty, 0, 10, 0.01, 1.0, 1e-5))
        .hasMessage("population (0) must be >= 1");
  }
}
