package dev.cohort.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * RDP of the sampled Gaussian at fractional orders against numerical integration of its definition,
 * A_α = ∫ N(z; 0, σ²)·((1-q) + q·exp((2z-1)/(2σ²)))^α dz (Mironov, Talwar, Zhang 2019, §3.1), as dp_accounting's
 * test_compute_log_a_equals_mp does with mpmath.
 */
class FractionalOrdersTest {

  /**
   * ln A_α by composite Simpson's rule (a different rule from the library's trapezoidal fallback) on
   * [-40σ, α + 40σ] with 2·10⁵ panels, summed relative to the largest sample.
   */
  private static double logASimpson(double q, double sigma, double alpha) {
    double lo = -40 * sigma;
    double hi = alpha + 40 * sigma;
    int n = 200_000;
    double h = (hi - lo) / n;
    double[] g = new double[n + 1];
    double max = Double.NEGATIVE_INFINITY;
    for (int k = 0; k <= n; k++) {
      double z = lo + k * h;
      double u = (2 * z - 1) / (2 * sigma * sigma);
      double log1 = u > Math.log((1 - q) / q) ? u + Math.log(q) + Math.log1p((1 - q) / q * Math.exp(-u))
          : Math.log1p(q * Math.expm1(u));
      g[k] = -z * z / (2 * sigma * sigma) - Math.log(sigma * Math.sqrt(2 * Math.PI)) + alpha * log1;
      max = Math.max(max, g[k]);
    }
    double sum = 0;
    for (int k = 0; k <= n; k++) {
      double w = (k == 0 || k == n) ? 1 : (k % 2 == 1 ? 4 : 2);
      sum += w * Math.exp(g[k] - max);
    }
    return max + Math.log(sum * h / 3);
  }

  @Test
  void signedSeriesEqualsTheIntegralOfTheDefinition() {
    // The fractional cases of dp_accounting's test_compute_log_a_equals_mp, plus the regime of DP-FedAvg.
    double[][] cases = {
        {1e-7, 0.1, 1.01}, {1e-5, 0.1, 256.1}, {1e-4, 1.0, 1.5}, {0.1, 100, 20.5}, {0.999, 100, 256.1},
        {0.0355, 1.2, 7.8}, {0.01, 0.7, 4.4}, {0.0025, 1.3, 10.9}, {0.01, 2.5, 1.5}, {0.2, 2.0, 3.3}};
    for (double[] c : cases) {
      double q = c[0];
      double sigma = c[1];
      double alpha = c[2];
      double expected = logASimpson(q, sigma, alpha);
      double actual = SubsampledGaussianRdp.logAFractionalExact(q, sigma, alpha);
      assertThat(actual).as("ln A at q=%s σ=%s α=%s", q, sigma, alpha)
          .isCloseTo(expected, within(1e-10 * Math.max(1.0, Math.abs(expected)) + 1e-15));
    }
  }

  @Test
  void slowSeriesFallBackToIntegrationThatStillMatches() {
    // Large q and small σ: terms decay only polynomially, so the exact mode integrates the definition.
    double[][] cases = {{0.1, 1.0, 1.1}, {0.5, 1.0, 1.5}, {0.9, 0.5, 1.1}, {0.3, 2.0, 1.5}};
    for (double[] c : cases) {
      double expected = logASimpson(c[0], c[1], c[2]);
      assertThat(SubsampledGaussianRdp.logAQuadrature(c[0], c[1], c[2]))
          .isCloseTo(expected, within(1e-11 * Math.max(1.0, Math.abs(expected))));
      assertThat(SubsampledGaussianRdp.logAFractionalExact(c[0], c[1], c[2]))
          .isEqualTo(SubsampledGaussianRdp.logAQuadrature(c[0], c[1], c[2]));
    }
  }

  @Test
  void integerOrdersAgreeWithTheIntegralToo() {
    for (double[] c : new double[][] {{1e-6, 1.0, 27}, {1e-3, 1.0, 2}, {0.01, 10, 20}, {0.99, 0.1, 256}}) {
      double expected = logASimpson(c[0], c[1], c[2]);
      assertThat(SubsampledGaussianRdp.logAInteger(c[0], c[1], (int) c[2]))
          .isCloseTo(expected, within(1e-10 * Math.max(1.0, Math.abs(expected)) + 1e-15));
    }
  }

  @Test
  void absoluteValueSeriesIsAnUpperBoundOnTheExactValue() {
    for (double q : new double[] {1e-4, 0.01, 0.05}) {
      for (double sigma : new double[] {0.8, 1.0, 2.0, 5.0}) {
        for (double alpha : new double[] {1.1, 1.5, 2.5, 4.7, 10.9}) {
          double exact = SubsampledGaussianRdp.logAFractionalExact(q, sigma, alpha);
          double bound = SubsampledGaussianRdp.logAFractionalAbsolute(q, sigma, alpha);
          // Up to its stopping rule (terms below e^-30 ≈ 1e-13 of the total are dropped) the bound is larger.
          assertThat(bound).isGreaterThanOrEqualTo(exact - 1e-12);
        }
      }
    }
  }
}
