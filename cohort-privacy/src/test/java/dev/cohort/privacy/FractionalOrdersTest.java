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

  /**
   * A_α - 1 for small q from the binomial expansion of (1 + X)^α, X = q(e^U - 1), U = (2Z - 1)/(2σ²):
   * Σ_{k≥2} C(α,k) q^k M_k with M_k = E[(e^U - 1)^k] = Σ_j C(k,j)(-1)^(k-j) e^{j(j-1)/(2σ²)} (E[e^{jU}] is
   * e^{j(j-1)/(2σ²)}, and M_1 = 0). For σ ≥ 1 and q ≤ 1e-5 the region X ≥ 1 where the expansion fails carries less
   * than e^-70 of the mass, so the sum is exact to rounding.
   */
  private static double smallQExpansion(double q, double sigma, double alpha) {
    double sum = 0;
    double c = alpha;
    for (int k = 2; k <= 12; k++) {
      c *= (alpha - k + 1) / k;
      double m = 0;
      double binom = 1;
      for (int j = 0; j <= k; j++) {
        if (j > 0) {
          binom *= (double) (k - j + 1) / j;
        }
        m += ((k - j) % 2 == 0 ? binom : -binom) * Math.exp(j * (j - 1) / (2 * sigma * sigma));
      }
      double term = c * Math.pow(q, k) * m;
      sum += term;
      if (Math.abs(term) < 1e-18 * Math.abs(sum)) {
        break;
      }
    }
    return sum;
  }

  @Test
  void fractionalOrdersKeepRelativePrecisionForTinySamplingRates() {
    // ln A_α ≈ C(α,2) q² (e^{1/σ²} - 1) is 1e-19 at q = 1e-9; summing A_α itself (error ~1e-16) used to give 0 or
    // errors of 1e-3 to 100% there, often below the true value. Integer orders (3) check the reference itself.
    for (double q : new double[] {1e-9, 1e-7, 1e-5}) {
      for (double sigma : new double[] {1, 2, 5}) {
        for (double alpha : new double[] {1.5, 2.5, 3, 7.8, 10.9}) {
          double expected = Math.log1p(smallQExpansion(q, sigma, alpha)) / (alpha - 1);
          for (FractionalOrders mode : FractionalOrders.values()) {
            double actual = SubsampledGaussianRdp.rdp(q, sigma, alpha, mode, w -> { });
            if (mode == FractionalOrders.EXACT) {
              assertThat(actual).as("RDP at q=%s σ=%s α=%s", q, sigma, alpha)
                  .isCloseTo(expected, within(1e-13 * expected));
            } else {
              // dp_accounting's absolute-value sum is a bound: never below the exact value, however it rounds.
              assertThat(actual).as("bound at q=%s σ=%s α=%s", q, sigma, alpha)
                  .isGreaterThanOrEqualTo(expected * (1 - 1e-13));
            }
          }
        }
      }
    }
  }

  @Test
  void seriesOfAMinusOneAgreesWithTheIntegralAcrossSamplingRates() {
    // Two independent evaluations of A_α - 1 (the series where it converges, the trapezoidal rule) on both sides
    // of q = ½, where the series switches which half's weights sum to 1.
    for (double q : new double[] {1e-8, 1e-3, 0.0355, 0.3, 0.7, 0.99}) {
      for (double sigma : new double[] {0.5, 1, 2, 30}) {
        for (double alpha : new double[] {1.1, 2.5, 7.8, 10.9}) {
          double series = SubsampledGaussianRdp.seriesMinusOne(q, sigma, alpha,
              (int) alpha + SubsampledGaussianRdp.MAX_EXACT_TERMS);
          if (Double.isNaN(series)) {
            continue; // slowly converging: the exact mode integrates, tested above
          }
          double integral = SubsampledGaussianRdp.logAQuadrature(q, sigma, alpha);
          assertThat(series).as("ln A at q=%s σ=%s α=%s", q, sigma, alpha)
              .isCloseTo(integral, within(1e-12 * Math.abs(integral)));
        }
      }
    }
  }

  @Test
  void theIntegralOfAMinusOneMatchesTheExactIntegerSums() {
    for (double q : new double[] {1e-9, 1e-3, 0.5, 0.999}) {
      for (double sigma : new double[] {0.3, 1, 5, 1000}) {
        for (int alpha : new int[] {2, 3, 11, 64}) {
          double exact = SubsampledGaussianRdp.logAInteger(q, sigma, alpha);
          assertThat(SubsampledGaussianRdp.logAQuadrature(q, sigma, alpha))
              .as("ln A at q=%s σ=%s α=%s", q, sigma, alpha).isCloseTo(exact, within(1e-12 * exact));
        }
      }
    }
  }

  @Test
  void whereIntegratingIsTooSlowTheConvexityBoundIsUsedAndStaysAbove() {
    // σ = 0.005: the trapezoidal rule would need ~10^6 points per order. ln A_α is convex in α, so the chord
    // between the neighbouring integer orders bounds it from above.
    double q = 0.6;
    double sigma = 0.005;
    assertThat(SubsampledGaussianRdp.quadraturePoints(sigma, 2.5))
        .isGreaterThan(SubsampledGaussianRdp.MAX_QUADRATURE_POINTS);
    double bound = SubsampledGaussianRdp.logAInterpolated(q, sigma, 2.5);
    assertThat(bound).isEqualTo(0.5 * SubsampledGaussianRdp.logAInteger(q, sigma, 2)
        + 0.5 * SubsampledGaussianRdp.logAInteger(q, sigma, 3));
    double viaSeries = SubsampledGaussianRdp.seriesMinusOne(q, sigma, 2.5, 2 + SubsampledGaussianRdp.MAX_EXACT_TERMS);
    if (!Double.isNaN(viaSeries)) {
      assertThat(bound).isGreaterThanOrEqualTo(viaSeries);
    }
    // Integer neighbours are exact, so the bound is within (1/8)·(1/σ²) of the exact ln A at the midpoint.
    double exact = SubsampledGaussianRdp.logAFractionalExact(q, sigma, 2.5);
    assertThat(exact).isLessThanOrEqualTo(bound).isGreaterThan(bound - 1 / (8 * sigma * sigma));
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
