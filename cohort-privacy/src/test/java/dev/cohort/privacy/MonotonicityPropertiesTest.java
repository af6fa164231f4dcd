package dev.cohort.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Scale;

/**
 * ε grows with the number of steps and the sampling rate and falls as the noise grows (RDP accountant).
 * Seeds are fixed so that every run checks the same cases.
 */
class MonotonicityPropertiesTest {
  private static final RdpAccountant EMPTY = RdpAccountant.create();

  private static double epsilon(double q, double sigma, long steps) {
    return EMPTY.compose(DpEvent.poissonSampled(q, DpEvent.gaussian(sigma)), steps).epsilon(1e-5).epsilon();
  }

  /** Rounding slack: the series and the integration fallback agree to ~1e-13 relative. */
  private static double slack(double eps) {
    return 1e-12 * Math.max(1.0, eps);
  }

  @Property(tries = 60, seed = "20260425")
  void epsilonGrowsWithSteps(@ForAll @Scale(6) @DoubleRange(min = 1e-4, max = 0.5) double q,
      @ForAll @Scale(6) @DoubleRange(min = 0.5, max = 5) double sigma,
      @ForAll @LongRange(min = 1, max = 100_000) long steps,
      @ForAll @LongRange(min = 1, max = 100_000) long more) {
    double a = epsilon(q, sigma, steps);
    double b = epsilon(q, sigma, steps + more);
    assertThat(b).isGreaterThanOrEqualTo(a - slack(a));
  }

  @Property(tries = 60, seed = "20260425")
  void epsilonGrowsWithTheSamplingRate(@ForAll @Scale(6) @DoubleRange(min = 1e-4, max = 0.5) double q,
      @ForAll @Scale(6) @DoubleRange(min = 1.0, max = 4.0) double factor,
      @ForAll @Scale(6) @DoubleRange(min = 0.5, max = 5) double sigma,
      @ForAll @LongRange(min = 1, max = 10_000) long steps) {
    double a = epsilon(q, sigma, steps);
    double b = epsilon(Math.min(1.0, q * factor), sigma, steps);
    assertThat(b).isGreaterThanOrEqualTo(a - slack(a));
  }

  @Property(tries = 60, seed = "20260425")
  void epsilonFallsAsTheNoiseGrows(@ForAll @Scale(6) @DoubleRange(min = 1e-4, max = 0.5) double q,
      @ForAll @Scale(6) @DoubleRange(min = 0.5, max = 5) double sigma,
      @ForAll @Scale(6) @DoubleRange(min = 1.0, max = 3.0) double factor,
      @ForAll @LongRange(min = 1, max = 10_000) long steps) {
    double a = epsilon(q, sigma, steps);
    double b = epsilon(q, sigma * factor, steps);
    assertThat(b).isLessThanOrEqualTo(a + slack(a));
  }

  @Property(tries = 40, seed = "20260425")
  void improvedConversionIsNeverLooserThanClassic(@ForAll @Scale(6) @DoubleRange(min = 1e-4, max = 0.5) double q,
      @ForAll @Scale(6) @DoubleRange(min = 0.5, max = 5) double sigma,
      @ForAll @LongRange(min = 1, max = 10_000) long steps) {
    RdpAccountant run = EMPTY.compose(DpEvent.poissonSampled(q, DpEvent.gaussian(sigma)), steps);
    assertThat(run.epsilon(1e-5).epsilon())
        .isLessThanOrEqualTo(run.withConversion(Conversion.CLASSIC).epsilon(1e-5).epsilon());
  }
}
