package dev.cohort.privacy;

/**
 * RDP of the mechanisms other than the Poisson-subsampled Gaussian: the Gaussian subsampled without replacement,
 * the Laplace mechanism and DP-FTRL tree aggregation.
 */
final class OtherRdp {
  private OtherRdp() {}

  /** Above this order the without-replacement bound drops the forward differences (as dp_accounting does). */
  static final int MAX_EXACT_WOR_ORDER = 256;

  /**
   * The Gaussian mechanism on a fixed-size sample without replacement, q = m/n, under the replace-one relation:
   * Wang, Balle and Kasiviswanathan 2019, "Subsampled Rényi Differential Privacy and Analytical Moments
   * Accountant" (AISTATS, arXiv 1808.00087), Theorem 27 for integer orders; fractional orders interpolate the
   * cumulant (α - 1)·ε(α) linearly between the neighbouring integers (their Corollary 10), an upper bound. The
   * cost grows with α, so callers keep α ≤ {@link SubsampledGaussianRdp#MAX_ORDER}.
   */
  static double withoutReplacementGaussian(double q, double sigma, double alpha) {
    if (q == 0) {
      return 0.0;
    }
    if (q == 1) {
      return alpha / (2 * sigma * sigma);
    }
    if (SubsampledGaussianRdp.isInteger(alpha)) {
      return logAWithoutReplacement(q, sigma, (int) alpha) / (alpha - 1);
    }
    double lo = Math.floor(alpha);
    double hi = Math.ceil(alpha);
    double x = logAWithoutReplacement(q, sigma, (int) lo);
    double y = logAWithoutReplacement(q, sigma, (int) hi);
    double t = alpha - lo;
    return ((1 - t) * x + t * y) / (alpha - 1);
  }

  /** The cumulant K(x) = x(x+1)/(2σ²) = x·ε(x+1) of the Gaussian mechanism. */
  private static double cgf(double x, double sigma) {
    return x * (x + 1) / (2 * sigma * sigma);
  }

  /**
   * ln of the bound on A_α for integer α (WBK19 Theorem 27): 1 + q² C(α,2) min(4(e^{ε(2)} - 1), 2e^{ε(2)})
   * + Σ_{j=3..α} q^j C(α,j) min(4 √(B(2⌊j/2⌋) B(2⌈j/2⌉)), 2 e^{K(j-1)}), where B(l) is the magnitude of the
   * l-th forward difference at 0 of m ↦ e^{K(m-1)}. Above order 256 only the second argument of the min is used.
   */
  static double logAWithoutReplacement(double q, double sigma, int alpha) {
    if (alpha == 1) {
      return 0.0;
    }
    if (cgf(alpha + 1, sigma) == Double.POSITIVE_INFINITY) {
      return Double.POSITIVE_INFINITY; // σ so small that the largest cumulant used overflows
    }
    double logQ = Math.log(q);
    double eps2 = 2 / (2 * sigma * sigma);
    double logEps2Minus1 = eps2 + Math.log1p(-Math.exp(-eps2)); // ln(e^{ε(2)} - 1)
    double log2 = Math.log(2);
    double log4 = Math.log(4);
    double[] logB = alpha <= MAX_EXACT_WOR_ORDER ? logForwardDifferences(sigma, alpha) : null;
    double logA = 0.0;
    double logC = 0.0;
    for (int i = 1; i <= alpha; i++) {
      logC += Math.log((double) (alpha - i + 1) / i);
      if (i < 2) {
        continue;
      }
      double s;
      if (i == 2) {
        s = 2 * logQ + logC + Math.min(log4 + logEps2Minus1, eps2 + log2);
      } else {
        s = log2 + cgf(i - 1, sigma);
        if (logB != null) {
          double lower = logB[2 * (i / 2)];
          double upper = logB[2 * ((i + 1) / 2)];
          s = Math.min(log4 + 0.5 * (lower + upper), s);
        }
        s += i * logQ + logC;
      }
      logA = SpecialFunctions.logAdd(logA, s);
    }
    return logA;
  }

  /**
   * ln |Δ^l G(0)| for l = 0..α+2, G(m) = e^{K(m-1)}, by repeated differencing of (sign, log-magnitude) pairs.
   */
  static double[] logForwardDifferences(double sigma, int alpha) {
    int n = alpha + 3;
    double[] logMag = new double[n];
    boolean[] positive = new boolean[n];
    for (int m = 0; m < n; m++) {
      logMag[m] = cgf(m - 1, sigma);
      positive[m] = true;
    }
    double[] out = new double[n];
    out[0] = logMag[0];
    for (int order = 1; order < n; order++) {
      for (int m = 0; m < n - order; m++) {
        // value[m] := value[m + 1] - value[m]
        double a = logMag[m + 1];
        boolean pa = positive[m + 1];
        double b = logMag[m];
        boolean pb = positive[m];
        if (pa == pb) {
          if (a > b) {
            logMag[m] = a + Math.log1p(-Math.exp(b - a));
            positive[m] = pa;
          } else if (a < b) {
            logMag[m] = b + Math.log1p(-Math.exp(a - b));
            positive[m] = !pa;
          } else {
            logMag[m] = Double.NEGATIVE_INFINITY;
            positive[m] = true;
          }
        } else {
          logMag[m] = SpecialFunctions.logAdd(a, b);
          positive[m] = pa;
        }
      }
      out[order] = logMag[0];
    }
    return out;
  }

  /**
   * The Laplace mechanism with noise multiplier b, ε = 1/b (Mironov 2017, arXiv 1702.07476, Prop. 6):
   * ε + ln(1 + (α-1)(e^{(1-2α)ε} - 1)/(2α-1))/(α-1); log1p keeps it accurate as α → 1.
   */
  static double laplace(double noiseMultiplier, double alpha) {
    double eps = 1.0 / noiseMultiplier;
    double c = Math.expm1(eps * (1 - 2 * alpha)) / (2 * alpha - 1);
    return eps + Math.log1p((alpha - 1) * c) / (alpha - 1);
  }

  /**
   * Single-epoch tree aggregation (Kairouz et al. 2021, arXiv 2103.00039, App. D): α·⌈log₂(T_max + 1)⌉/(2σ²)
   * with T_max the largest per-tree step count; ⌈log₂(T + 1)⌉ is the bit length of T, computed exactly.
   */
  static double treeAggregation(double sigma, long maxSteps, double alpha) {
    int depth = 64 - Long.numberOfLeadingZeros(maxSteps);
    return alpha * depth / (2 * sigma * sigma);
  }
}
