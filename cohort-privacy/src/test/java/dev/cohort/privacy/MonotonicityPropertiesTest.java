package dev.cohort.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.testing.Cases;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ε grows with the number of steps and the sampling rate and falls as the noise grows (RDP accountant). Each law
 * runs on seeded cases ({@link Cases}), so every run checks the same ones and a failure names the seed that
 * reproduces it.
 */
class MonotonicityPropertiesTest {
  private static final long SEED = 20260425L;
  private static final RdpAccountant EMPTY = RdpAccountant.create();

  static Stream<Cases.Case> sixty() {
    return Cases.of(SEED, 60);
  }

  static Stream<Cases.Case> forty() {
    return Cases.of(SEED, 40);
  }

  private static double epsilon(double q, double sigma, long steps) {
    return EMPTY.compose(DpEvent.poissonSampled(q, DpEvent.gaussian(sigma)), steps).epsilon(1e-5).epsilon();
  }

  /** Rounding slack: the series and the integration fallback agree to ~1e-13 relative. */
  private static double slack(double eps) {
    return 1e-12 * Math.max(1.0, eps);
  }

  /** A sampling rate in [1e-4, 0.5], log-uniform so that small rates, the common case, are well covered. */
  private static double rate(Cases.Case c) {
    return c.logUniform(1e-4, 0.5);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sixty")
  void epsilonGrowsWithSteps(Cases.Case c) {
    double q = rate(c);
    double sigma = c.uniform(0.5, 5);
    long steps = c.between(1L, 100_000L);
    long more = c.between(1L, 100_000L);
    double a = epsilon(q, sigma, steps);
    double b = epsilon(q, sigma, steps + more);
    assertThat(b).isGreaterThanOrEqualTo(a - slack(a));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sixty")
  void epsilonGrowsWithTheSamplingRate(Cases.Case c) {
    double q = rate(c);
    double factor = c.uniform(1.0, 4.0);
    double sigma = c.uniform(0.5, 5);
    long steps = c.between(1L, 10_000L);
    double a = epsilon(q, sigma, steps);
    double b = epsilon(Math.min(1.0, q * factor), sigma, steps);
    assertThat(b).isGreaterThanOrEqualTo(a - slack(a));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sixty")
  void epsilonFallsAsTheNoiseGrows(Cases.Case c) {
    double q = rate(c);
    double sigma = c.uniform(0.5, 5);
    double factor = c.uniform(1.0, 3.0);
    long steps = c.between(1L, 10_000L);
    double a = epsilon(q, sigma, steps);
    double b = epsilon(q, sigma * factor, steps);
    assertThat(b).isLessThanOrEqualTo(a + slack(a));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("forty")
  void improvedConversionIsNeverLooserThanClassic(Cases.Case c) {
    double q = rate(c);
    double sigma = c.uniform(0.5, 5);
    long steps = c.between(1L, 10_000L);
    RdpAccountant run = EMPTY.compose(DpEvent.poissonSampled(q, DpEvent.gaussian(sigma)), steps);
    assertThat(run.epsilon(1e-5).epsilon())
        .isLessThanOrEqualTo(run.withConversion(Conversion.CLASSIC).epsilon(1e-5).epsilon());
  }
}
