package dev.cohort.privacy;

import java.util.function.Consumer;

/**
 * Rényi DP of the Poisson-subsampled Gaussian mechanism (the sampled Gaussian mechanism, SGM), after Mironov,
 * Talwar and Zhang 2019, "Rényi Differential Privacy of the Sampled Gaussian Mechanism", arXiv 1908.10530.
 *
 * <p>With A_α = E_{z∼N(0,σ²)}[((1-q) + q·exp((2z-1)/(2σ²)))^α] the RDP at order α is ln(A_α)/(α-1):
 * <ul>
 *   <li>q = 0 gives 0 and q = 1 the plain Gaussian α/(2σ²);
 *   <li>integer α: A_α = Σ_{k=0..α} C(α,k)(1-q)^(α-k) q^k exp((k²-k)/(2σ²)), summed in log space;
 *   <li>fractional α (§3.3): A_α = A₀ + A₁ with z₀ = σ² ln(1/q - 1) + ½,
 *       A₀ = Σ_i C(α,i)(1-q)^(α-i) q^i exp((i²-i)/(2σ²)) ½ erfc((i - z₀)/(√2σ)) and
 *       A₁ = Σ_i C(α,i) q^(α-i)(1-q)^i exp((j²-j)/(2σ²)) ½ erfc((z₀ - j)/(√2σ)), j = α - i.
 * </ul>
 */
final class SubsampledGaussianRdp {
  private SubsampledGaussianRdp() {}

  /** dp_accounting's {@code _MAX_STEPS_LOG_A_FRAC}. */
  static final int MAX_ABSOLUTE_TERMS = 1000;
  /** Beyond this many terms the exact mode integrates the definition instead of summing further. */
  static final int MAX_EXACT_TERMS = 250;

  /**
   * RDP at {@code alpha} of one step with sampling rate q and noise multiplier σ.
   *
   * @param warn receives a message when an order has to be given up (absolute mode only); it is then +∞
   */
  static double rdp(double q, double sigma, double alpha, FractionalOrders mode, Consumer<String> warn) {
    if (q == 0) {
      return 0.0;
    }
    if (q == 1) {
      return alpha / (2 * sigma * sigma);
    }
    double logA;
    if (isInteger(alpha)) {
      logA = logAInteger(q, sigma, (int) alpha);
    } else if (mode == FractionalOrders.EXACT) {
      logA = logAFractionalExact(q, sigma, alpha);
    } else {
      logA = logAFractionalAbsolute(q, sigma, alpha);
      if (logA == Double.POSITIVE_INFINITY) {
        warn.accept("the RDP series at order " + alpha + " (samplingRate " + q + ", noiseMultiplier " + sigma
            + ") did not converge within " + MAX_ABSOLUTE_TERMS
            + " terms in ABSOLUTE_UPPER_BOUND mode; the order is excluded (as in dp_accounting)");
        return Double.POSITIVE_INFINITY;
      }
    }
    // A_α ≥ 1 (a Rényi divergence is non-negative); rounding can leave ln A_α a hair below 0 when q is tiny.
    return Math.max(0.0, logA / (alpha - 1));
  }

  static boolean isInteger(double alpha) {
    return alpha == Math.rint(alpha) && alpha <= Integer.MAX_VALUE;
  }

  /**
   * ln A_α for integer α ≥ 1 and 0 &lt; q &lt; 1: the finite binomial sum, in log space. Because the binomial weights
   * sum to 1, A_α - 1 = Σ_{k≥2} C(α,k)(1-q)^(α-k) q^k expm1((k²-k)/(2σ²)) is a sum of positive terms; summing
   * that and taking log1p keeps full relative precision even when the RDP is tiny (q → 0).
   */
  static double logAInteger(double q, double sigma, int alpha) {
    double logQ = Math.log(q);
    double log1mQ = Math.log1p(-q);
    double inv2s2 = 1.0 / (2 * sigma * sigma);
    double max = Double.NEGATIVE_INFINITY;
    double sum = 0.0;
    double logC = 0.0;
    for (int k = 1; k <= alpha; k++) {
      logC += Math.log((double) (alpha - k + 1) / k);
      if (k < 2) {
        continue;
      }
      double t = logC + k * logQ + (alpha - k) * log1mQ + logExpm1(((double) k * k - k) * inv2s2);
      if (t > max) {
        sum = sum * Math.exp(max - t) + 1.0;
        max = t;
      } else {
        sum += Math.exp(t - max);
      }
    }
    if (max == Double.NEGATIVE_INFINITY) {
      return 0.0;
    }
    double logAMinus1 = max + Math.log(sum);
    return logAMinus1 < 0 ? Math.log1p(Math.exp(logAMinus1)) : logAMinus1 + Math.log1p(Math.exp(-logAMinus1));
  }

  /** ln(e^x - 1) for x &gt; 0. */
  static double logExpm1(double x) {
    return x > 30 ? x + Math.log1p(-Math.exp(-x)) : Math.log(Math.expm1(x));
  }

  /**
   * ln A_α for fractional α from the signed series. Terms for i &gt; α + 1 alternate in sign and decrease, so once a
   * term is below e^-40 of the total the remainder is too. If that takes more than {@link #MAX_EXACT_TERMS}
   * terms (large q with small σ, where the terms decay only polynomially) the definition is integrated instead.
   */
  static double logAFractionalExact(double q, double sigma, double alpha) {
    double r = series(q, sigma, alpha, true, MAX_EXACT_TERMS, 40.0);
    return Double.isNaN(r) ? logAQuadrature(q, sigma, alpha) : r;
  }

  /** ln of dp_accounting's upper bound Σ|terms|, or +∞ when it does not converge within 1000 terms. */
  static double logAFractionalAbsolute(double q, double sigma, double alpha) {
    double r = series(q, sigma, alpha, false, MAX_ABSOLUTE_TERMS, 30.0);
    return Double.isNaN(r) ? Double.POSITIVE_INFINITY : r;
  }

  /**
   * Sums the two-sided series; returns NaN when it has not converged after {@code maxTerms} terms. The stopping
   * rule is dp_accounting's: both terms decreasing and below e^-{@code gap} of the running total (and, for the
   * signed series, past i = α + 1 where the alternating tail starts).
   */
  private static double series(double q, double sigma, double alpha, boolean signed, int maxTerms, double gap) {
    double logQ = Math.log(q);
    double log1mQ = Math.log1p(-q);
    double z0 = sigma * sigma * (log1mQ - logQ) + 0.5;
    double inv2s2 = 1.0 / (2 * sigma * sigma);
    double sqrt2Sigma = SpecialFunctions.SQRT2 * sigma;
    double ref = Double.NEGATIVE_INFINITY; // the sums below are scaled by e^ref
    double a0 = 0.0;
    double a1 = 0.0;
    double logAbsC = 0.0;
    double sign = 1.0;
    double last0 = Double.NEGATIVE_INFINITY;
    double last1 = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < maxTerms; i++) {
      if (i > 0) {
        double factor = (alpha - (i - 1)) / i;
        logAbsC += Math.log(Math.abs(factor));
        if (factor < 0) {
          sign = -sign;
        }
      }
      double j = alpha - i;
      double logS0 = logAbsC + i * logQ + j * log1mQ + ((double) i * i - i) * inv2s2
          + SpecialFunctions.LOG_HALF + SpecialFunctions.logErfc((i - z0) / sqrt2Sigma);
      double logS1 = logAbsC + j * logQ + i * log1mQ + (j * j - j) * inv2s2
          + SpecialFunctions.LOG_HALF + SpecialFunctions.logErfc((z0 - j) / sqrt2Sigma);
      double top = Math.max(logS0, logS1);
      if (top > ref) {
        double scale = Math.exp(ref - top);
        a0 *= scale;
        a1 *= scale;
        ref = top;
      }
      double s = signed ? sign : 1.0;
      a0 += s * Math.exp(logS0 - ref);
      a1 += s * Math.exp(logS1 - ref);
      double logTotal = ref + Math.log(a0 + a1);
      if ((!signed || i > alpha + 1) && logS0 < last0 && logS1 < last1 && top < logTotal - gap) {
        return logTotal;
      }
      last0 = logS0;
      last1 = logS1;
    }
    return Double.NaN;
  }

  /**
   * ln A_α by the trapezoidal rule on the whole line, which converges geometrically for this analytic,
   * Gaussian-tailed integrand: the step keeps away from the branch points of (1 - q + q e^u)^α at
   * Im z = πσ² and resolves the Gaussian factor (error below e^-40 relative); the range covers both bumps
   * (near 0 and near α) out to e^-700 of the peak.
   */
  static double logAQuadrature(double q, double sigma, double alpha) {
    double s2 = sigma * sigma;
    double h = Math.min(sigma / 3.0, 15.0 * s2 / (40.0 + 4.0 * s2));
    double lo = -40.0 * sigma;
    double hi = Math.max(alpha, 0.0) + 40.0 * sigma;
    long n = (long) Math.ceil((hi - lo) / h);
    double max = Double.NEGATIVE_INFINITY;
    double sum = 0.0;
    for (long k = 0; k <= n; k++) {
      double z = lo + k * h;
      double g = logIntegrand(q, sigma, alpha, z);
      if (g > max) {
        sum = sum * Math.exp(max - g) + 1.0;
        max = g;
      } else {
        sum += Math.exp(g - max);
      }
    }
    return max + Math.log(sum * h);
  }

  /** ln of N(z; 0, σ²)·((1 - q) + q exp((2z - 1)/(2σ²)))^α. */
  static double logIntegrand(double q, double sigma, double alpha, double z) {
    double s2 = sigma * sigma;
    double u = (2 * z - 1) / (2 * s2);
    return -z * z / (2 * s2) - Math.log(sigma) - 0.5 * Math.log(2 * Math.PI)
        + alpha * logOneMinusQPlusQExp(q, u);
  }

  /** ln(1 - q + q e^u) without cancellation. */
  static double logOneMinusQPlusQExp(double q, double u) {
    if (u > Math.log1p(-q) - Math.log(q)) {
      // q e^u > 1 - q: factor out the larger term.
      return u + Math.log(q) + Math.log1p((1 - q) / q * Math.exp(-u));
    }
    return Math.log1p(q * Math.expm1(u));
  }
}
