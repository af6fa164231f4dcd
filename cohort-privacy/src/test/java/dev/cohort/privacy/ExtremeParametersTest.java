package dev.cohort.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.testing.Cases;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every accounting entry point at the edges of its numeric range: each answers (a value, +∞, or an
 * {@link InvalidParameterException} that says what to change) within seconds, and never NaN. Several used to
 * loop for ~2^63 steps (a quadrature point count that overflowed a long) or to return NaN (a coarse PLD grid).
 */
@Timeout(20)
class ExtremeParametersTest {
  private static final DpEvent TINY_NOISE = DpEvent.poissonSampled(0.01, DpEvent.gaussian(1e-10));

  private static double epsilon(PrivacyAccountant empty, DpEvent step, long steps) {
    return empty.compose(step, steps).epsilon(1e-5).epsilon();
  }

  @Test
  void quadratureCountSaturatesInsteadOfWrappingAround() {
    // σ = 1e-10 used to give ceil(2.7e20) + 1 = Long.MIN_VALUE points: "few enough", so ~2^63 were summed.
    assertThat(SubsampledGaussianRdp.quadraturePoints(1e-10, 1.5)).isEqualTo(Long.MAX_VALUE);
    assertThat(SubsampledGaussianRdp.quadraturePoints(1e-200, 1.5)).isEqualTo(Long.MAX_VALUE); // step 0
    assertThat(SubsampledGaussianRdp.quadraturePoints(1e300, 1.5)).isEqualTo(Long.MAX_VALUE); // step NaN
    assertThat(SubsampledGaussianRdp.quadraturePoints(1.0, 1.5)).isBetween(1L, SubsampledGaussianRdp.MAX_QUADRATURE_POINTS);
  }

  @Test
  void rdpOfAVanishingNoiseMultiplierIsHugeThenInfiniteInEveryMode() {
    for (FractionalOrders mode : FractionalOrders.values()) {
      RdpAccountant empty = RdpAccountant.builder().fractionalOrders(mode).build();
      double at1e10 = epsilon(empty, TINY_NOISE, 100);
      assertThat(at1e10).as(mode.name()).isGreaterThan(1e20).isLessThan(Double.POSITIVE_INFINITY);
      assertThat(epsilon(empty, DpEvent.poissonSampled(0.01, DpEvent.gaussian(1e-160)), 100)).as(mode.name())
          .isEqualTo(Double.POSITIVE_INFINITY);
      assertThat(epsilon(empty, DpEvent.poissonSampled(0.01, DpEvent.gaussian(Double.MIN_VALUE)), 1)).as(mode.name())
          .isEqualTo(Double.POSITIVE_INFINITY);
    }
    RdpAccountant replaceOne = RdpAccountant.builder().neighboringRelation(NeighboringRelation.REPLACE_ONE).build();
    DpEvent sample = DpEvent.sampledWithoutReplacement(1000, 10, DpEvent.gaussian(1e-10));
    assertThat(epsilon(replaceOne, sample, 100)).isGreaterThan(1e20).isLessThan(Double.POSITIVE_INFINITY);
    assertThat(epsilon(replaceOne, DpEvent.sampledWithoutReplacement(1000, 10, DpEvent.gaussian(1e-160)), 100))
        .isEqualTo(Double.POSITIVE_INFINITY);
  }

  @Test
  void rdpOfAHugeNoiseMultiplierIsZero() {
    for (double sigma : new double[] {1e10, 1e300, Double.MAX_VALUE}) {
      assertThat(epsilon(RdpAccountant.create(), DpEvent.poissonSampled(0.01, DpEvent.gaussian(sigma)), 100))
          .isZero();
    }
  }

  @Test
  void incrementalAccountingOfAVanishingNoiseMultiplierFinishes() {
    for (Sampling sampling : Sampling.values()) {
      IncrementalAccountant acc = IncrementalAccountant.builder().assumedSampling(sampling).build();
      acc.recordRounds(1e-10, 0.01, sampling, 100);
      assertThat(acc.spent().epsilon()).as(sampling.name()).isGreaterThan(1e20);
      acc.recordRound(1e-160, 0.01, sampling);
      assertThat(acc.spent().epsilon()).as(sampling.name()).isEqualTo(Double.POSITIVE_INFINITY);
    }
  }

  @Test
  void incrementalRoundCountsCannotOverflow() {
    IncrementalAccountant acc = IncrementalAccountant.builder().build();
    acc.recordRounds(1.0, 0.01, Sampling.POISSON, Long.MAX_VALUE - 1);
    assertThatThrownBy(() -> acc.recordRounds(1.0, 0.01, Sampling.POISSON, 2))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessage("count (2) must be at most 1: 9223372036854775806 rounds are recorded, and the total must fit "
            + "a long");
    assertThat(acc.rounds()).isEqualTo(Long.MAX_VALUE - 1);
  }

  @Test
  void nestedSelfCompositionsBeyondALongAreAnErrorNamingTheCount() {
    DpEvent nested = DpEvent.selfComposed(DpEvent.selfComposed(DpEvent.gaussian(1.0), 1L << 40), 1L << 40);
    for (PrivacyAccountant empty : List.<PrivacyAccountant>of(RdpAccountant.create(), PldAccountant.create())) {
      assertThatThrownBy(() -> empty.compose(nested))
          .isInstanceOf(InvalidParameterException.class)
          .hasMessage("count (1099511627776) must be smaller: repeated 1099511627776 times, the event would be "
              + "composed more than 2^63 - 1 times");
    }
  }

  @Test
  void calibratingTheNoiseForAnUnlimitedTargetIsAnErrorNotAHang() {
    // Used to halve σ to 2^-41, integrate at each σ below 1e-9 (~2^63 points), and return 2^-40 as "smallest".
    assertThatThrownBy(() -> Calibration.noiseMultiplier(RdpAccountant.create(), 0.01, 100, 1e300, 1e-5))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessage("targetEpsilon (1.0E300) is met at targetDelta (1.0E-5) with samplingRate (0.01) and steps "
            + "(100) even by a noise multiplier of 2^-40: the target does not limit the noise");
    // PLD stops where the grid for the next smaller σ would exceed its size limit (q = 1 keeps each try cheap).
    assertThatThrownBy(() -> Calibration.noiseMultiplier(PldAccountant.create(), 1.0, 1, 1e300, 1e-5))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageStartingWith("interval (1.0E-4) must be coarser for noiseMultiplier (");
  }

  @Test
  void calibratingStepsAndClientsWithAVanishingNoiseMultiplierFinishes() {
    assertThat(Calibration.maxSteps(RdpAccountant.create(), 0.01, 1e-10, 1.0, 1e-5).steps()).isZero();
    assertThatThrownBy(() -> Calibration.clientsPerRound(RdpAccountant.create(), 1000, 100, 1e-13, 1.0, 1e-5))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageStartingWith("targetEpsilon (1.0) cannot be reached: even all 1000 clients per round");
  }

  @Test
  void pldWithAVanishingNoiseMultiplierSaysWhatToChange() {
    assertThatThrownBy(() -> PldAccountant.create().compose(TINY_NOISE))
        .isInstanceOf(InvalidParameterException.class)
        .hasMessageStartingWith("interval (1.0E-4) must be coarser for noiseMultiplier (1.0E-10): the privacy loss "
            + "of this mechanism spans [")
        .hasMessageEndingWith("which would need 5.0000000097454747E23 grid points (at most 10000000)");
    InvalidParameterException beyond = org.junit.jupiter.api.Assertions.assertThrows(
        InvalidParameterException.class,
        () -> PldAccountant.create().compose(DpEvent.poissonSampled(0.01, DpEvent.gaussian(1e-200))));
    assertThat(beyond.parameter()).isEqualTo("noiseMultiplier");
    assertThat(beyond.value()).isEqualTo(1e-200);
    assertThat(beyond.rule()).startsWith("must be larger for PLD accounting: the privacy loss of this mechanism "
        + "spans [-0.010050335853501442, Infinity], beyond the range of a double");
  }

  static Stream<Cases.Case> coarseGrids() {
    return Cases.of(20260502L, 40);
  }

  /** Connect-the-dots is pessimistic at any interval: a coarse grid gives an ε at least the fine grid's. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("coarseGrids")
  void coarsePldGridsArePessimisticNeverNaN(Cases.Case c) {
    double interval = c.logUniform(1e-2, 1e300);
    double q = c.random().nextBoolean() ? 1.0 : c.logUniform(1e-3, 0.9);
    double scale = c.logUniform(0.3, 10);
    DpEvent one = c.random().nextBoolean() ? DpEvent.gaussian(scale) : DpEvent.laplace(scale);
    DpEvent step = DpEvent.poissonSampled(q, one);
    long steps = c.between(1L, 50L);
    PldAccountant coarse = PldAccountant.withInterval(interval).compose(step, steps);
    PldAccountant fine = PldAccountant.withInterval(1e-3).compose(step, steps);
    double eps = coarse.epsilon(1e-5).epsilon();
    assertThat(eps).isNotNaN().isGreaterThanOrEqualTo(fine.epsilon(1e-5).epsilon() - 1e-9);
    assertThat(coarse.delta(1.0).delta()).isNotNaN().isGreaterThanOrEqualTo(fine.delta(1.0).delta() - 1e-9);
  }

  @Test
  void aCoarsePldGridGivesItsPessimisticValueInsteadOfNaN() {
    // Used to be NaN: e^1000 overflowed in the discretisation and e^-loss in the ε search.
    PldAccountant coarse = PldAccountant.withInterval(1000)
        .compose(DpEvent.poissonSampled(0.01, DpEvent.gaussian(1.0)), 100);
    assertThat(coarse.epsilon(1e-5).epsilon()).isEqualTo(5000.0); // the grid's points are multiples of 1000
    assertThat(coarse.delta(1.0).delta()).isNotNaN().isBetween(0.0, 1.0);
    assertThat(PldAccountant.withInterval(1000).compose(DpEvent.gaussian(1.0), 100).epsilon(1e-5).epsilon())
        .isEqualTo(1000.0);
  }
}
