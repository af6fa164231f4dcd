package dev.cohort.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class IncrementalAccountantTest {

  @Test
  void readingAfterEveryRoundEqualsTheBatchLedger() {
    IncrementalAccountant inc = IncrementalAccountant.builder().delta(1e-5).build();
    RdpAccountant batch = RdpAccountant.create();
    double previous = 0;
    for (int round = 1; round <= 1000; round++) {
      // Two alternating configurations, as with a schedule that changes the cohort size.
      double sigma = round % 2 == 0 ? 1.2 : 1.0;
      double q = round % 2 == 0 ? 120.0 / 3383 : 100.0 / 3383;
      inc.recordRound(sigma, q, Sampling.POISSON);
      double eps = inc.spent().epsilon();
      assertThat(eps).isGreaterThanOrEqualTo(previous);
      previous = eps;
      if (round % 250 == 0) {
        batch = RdpAccountant.create().compose(DpEvent.composed(
            DpEvent.selfComposed(DpEvent.poissonSampled(120.0 / 3383, DpEvent.gaussian(1.2)), round / 2),
            DpEvent.selfComposed(DpEvent.poissonSampled(100.0 / 3383, DpEvent.gaussian(1.0)), round / 2)));
        assertThat(eps).isCloseTo(batch.epsilon(1e-5).epsilon(), within(1e-12 * eps));
        assertThat(inc.spent().optimalOrder()).isEqualTo(batch.epsilon(1e-5).optimalOrder());
      }
    }
    assertThat(inc.rounds()).isEqualTo(1000);
    assertThat(inc.spent().warnings()).isEmpty();
  }

  @Test
  void tffTutorialRunReportsTheCalibratedEpsilonAfter100Rounds() {
    // 100 rounds of q = 120/3383, σ = 1.2 are the (2, 1e-5) TFF tutorial setting; exact fractional orders.
    IncrementalAccountant inc = IncrementalAccountant.builder().build();
    inc.recordRounds(1.2, 120.0 / 3383, Sampling.POISSON, 100);
    assertThat(inc.spent().epsilon()).isLessThan(2.0).isCloseTo(RdpAccountant.create()
        .compose(DpEvent.poissonSampled(120.0 / 3383, DpEvent.gaussian(1.2)), 100).epsilon(1e-5).epsilon(),
        within(1e-13));
    assertThat(inc.spent(1e-3).epsilon()).isLessThan(inc.spent().epsilon());
    assertThat(inc.deltaAt(2.0).delta()).isLessThanOrEqualTo(1e-5);
  }

  @Test
  void fixedSizeAssumptionUsesSamplingWithoutReplacement() {
    IncrementalAccountant inc = IncrementalAccountant.builder().assumedSampling(Sampling.FIXED_SIZE).build();
    inc.recordRounds(2.5, 0.01, Sampling.FIXED_SIZE, 50);
    double[] expected = RdpAccountant.builder().neighboringRelation(NeighboringRelation.REPLACE_ONE).build()
        .compose(DpEvent.sampledWithoutReplacement(10_000, 100, DpEvent.gaussian(2.5)), 50).rdp();
    assertThat(inc.rdp()).containsExactly(expected, within(1e-15));
    assertThat(inc.spent().warnings()).isEmpty();
  }

  @Test
  void roundsThatBreakTheSamplingAssumptionAreFlagged() {
    IncrementalAccountant inc = IncrementalAccountant.builder().build();
    inc.recordRound(1.0, 0.01, Sampling.FIXED_SIZE);
    inc.recordRound(1.0, 0.01, Sampling.FIXED_SIZE);
    assertThat(inc.spent().warnings()).containsExactly("rounds that used FIXED_SIZE sampling were accounted as "
        + "POISSON sampling (the assumption of this accountant); epsilon does not strictly cover them");
    assertThat(inc.warnings()).hasSize(1);
    // The other direction: Poisson rounds under a fixed-size assumption are flagged too.
    IncrementalAccountant fixed = IncrementalAccountant.builder().assumedSampling(Sampling.FIXED_SIZE).build();
    fixed.recordRound(1.0, 0.01, Sampling.FIXED_SIZE);
    assertThat(fixed.spent().warnings()).isEmpty();
    fixed.recordRound(1.0, 0.01, Sampling.POISSON);
    assertThat(fixed.spent().warnings()).containsExactly("rounds that used POISSON sampling were accounted as "
        + "FIXED_SIZE sampling (the assumption of this accountant); epsilon does not strictly cover them");
    // Sampling everyone (q = 1) is the same under both kinds and raises nothing.
    IncrementalAccountant all = IncrementalAccountant.builder().build();
    all.recordRound(1.0, 1.0, Sampling.FIXED_SIZE);
    assertThat(all.spent().warnings()).isEmpty();
  }

  @Test
  void badRoundsAreRejectedByName() {
    IncrementalAccountant inc = IncrementalAccountant.builder().build();
    assertThatThrownBy(() -> inc.recordRound(0, 0.1, Sampling.POISSON))
        .hasMessage("noiseMultiplier (0.0) must be a finite number > 0");
    assertThatThrownBy(() -> inc.recordRound(1, -0.1, Sampling.POISSON))
        .hasMessage("samplingRate (-0.1) must be in [0, 1]");
    assertThatThrownBy(() -> inc.recordRounds(1, 0.1, Sampling.POISSON, -2)).hasMessage("count (-2) must be >= 0");
    assertThatThrownBy(() -> IncrementalAccountant.builder().delta(1)).hasMessage("delta (1.0) must be in (0, 1)");
    assertThat(inc.rounds()).isZero();
    assertThat(inc.spent().epsilon()).isZero();
  }
}
