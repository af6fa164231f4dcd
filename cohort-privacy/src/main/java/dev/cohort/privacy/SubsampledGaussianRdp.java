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
 *
 * <p>The exact mode keeps relative precision as q → 0, where ln A_α is of order q²: integer orders sum A_α - 1
 * (positive terms), and fractional orders sum A_α - 1 too, as Σ_i w_i (E_i - 1) + A₁ with w_i the binomial weights
 * of A₀ (which sum to 1 for q &lt; ½) and E_i their Gaussian factors. Where that series converges slowly the
 * definition is integrated, again as A_α - 1. Costs grow with the order, so orders above {@link #MAX_ORDER} are
 * refused.
 */
final class SubsampledGaussianRdp {
  private SubsampledGaussianRdp() {}

  /** dp_accounting's {@code _MAX_STEPS_LOG_A_FRAC}. */
  static final int MAX_ABSOLUTE_TERMS = 1000;
  /**
   * The most terms past α the exact mode sums before it integrates instead: where the terms decay only
   * polynomially the series would need far more. Where integrating is cheap the series gets fewer (see
   * {@link #logAFractionalExact}).
   */
  static final int MAX_EXACT_TERMS = 250;
  /**
   * The largest order accepted: an integer order α sums α terms (about 1 ms at 10^5), and the other paths are
   * bounded by it.
   */
  static final double MAX_ORDER = 1e5;
  /**
   * The most points the exact mode integrates; finer integrals (σ below about 0.015, or above about 8000) use the
   * convexity bound of {@link #logAInterpolated} instead.
   */
  static final long MAX_QUADRATURE_POINTS = 1L << 16;

  /** ln 1000: the largest ratio of a term to the sum that {@link #seriesMinusOne} accepts. */
  private static final double CANCELLATION = Math.log(1000);

  /** Throws unless every order is at most {@link #MAX_ORDER}. */
  static void checkOrders(double[] orders) {
    for (double a : orders) {
      if (a > MAX_ORDER) {
        throw Checks.invalid("order", a, "must be <= " + (long) MAX_ORDER + " for a sampled Gaussian: its RDP "
            + "takes time proportional to the order");
      }
    }
  }

  /**
   * RDP at {@code alpha} (1 &lt; α ≤ {@link #MAX_ORDER}) of one step with sampling rate q and noise multiplier σ.
   *
   * @param warn receives a message when an order has to be given up (absolute mode only); it is then +∞
   */
  static double rdp(double q, double sigma, double alpha, FractionalOrders mode, Consumer<ParameterText> warn) {
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
        warn.accept(ParameterText.of("the RDP series at order " + alpha + " (samplingRate " + q
            + ", noiseMultiplier " + sigma + ") did not converge within " + MAX_ABSOLUTE_TERMS
            + " terms in ABSOLUTE_UPPER_BOUND mode; the order is excluded (as in dp_accounting)"));
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
      if (t == Double.POSITIVE_INFINITY) {
        return Double.POSITIVE_INFINITY; // σ so small that a term overflows: A_α exceeds every double
      }
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
    return log1pExp(max + Math.log(sum));
  }

  /** ln(1 + e^x) without overflow: ln A_α from ln(A_α - 1). */
  static double log1pExp(double x) {
    return x < 0 ? Math.log1p(Math.exp(x)) : x + Math.log1p(Math.exp(-x));
  }

  /** ln(e^x - 1) for x &gt; 0. */
  static double logExpm1(double x) {
    return x > 30 ? x + Math.log1p(-Math.exp(-x)) : Math.log(Math.expm1(x));
  }

  /**
   * ln A_α for fractional α, exactly: the signed series of A_α - 1 (see {@link #seriesMinusOne}) while it
   * converges within about as many terms past α as the integral has points (at most {@link #MAX_EXACT_TERMS});
   * otherwise (q near ½, or small σ, where its terms decay only polynomially) the definition is integrated; where
   * that would take more than {@link #MAX_QUADRATURE_POINTS} points (σ ≲ 0.015, or σ ≳ 8000), the convexity
   * bound between the neighbouring integer orders is used.
   */
  static double logAFractionalExact(double q, double sigma, double alpha) {
    long points = quadraturePoints(sigma, alpha);
    boolean integrable = points <= MAX_QUADRATURE_POINTS;
    int extra = integrable ? (int) Math.max(20, Math.min(MAX_EXACT_TERMS, points / 2)) : MAX_EXACT_TERMS;
    double r = seriesMinusOne(q, sigma, alpha, (int) alpha + extra);
    if (!Double.isNaN(r)) {
      return r;
    }
    return integrable ? logAQuadrature(q, sigma, alpha) : logAInterpolated(q, sigma, alpha);
  }

  /**
   * An upper bound on ln A_α for fractional α: ln A_α is convex in α (Hölder's inequality: A_α is a moment
   * E[L^α] of the likelihood ratio L), so it lies below the chord between the neighbouring integer orders, whose
   * sums are exact (ln A_1 = 0). Used only where integrating would be too slow.
   */
  static double logAInterpolated(double q, double sigma, double alpha) {
    int lo = (int) Math.floor(alpha);
    double t = alpha - lo;
    double atLo = lo == 1 ? 0.0 : logAInteger(q, sigma, lo);
    return (1 - t) * atLo + t * logAInteger(q, sigma, lo + 1);
  }

  /**
   * ln of dp_accounting's upper bound Σ|terms|, or +∞ when it does not converge within 1000 terms. The sum exceeds
   * the exact A_α by twice the terms with a negative sign, less the signed tail it drops (below e^-30 of the
   * total). Where those negative terms are too small to outweigh that tail and the rounding of the sum (about
   * 1e-16 absolute: tiny q), the sum could fall below the exact value, so the larger of the two is returned: the
   * bound is never optimistic.
   */
  static double logAFractionalAbsolute(double q, double sigma, double alpha) {
    double[] r = absoluteSeries(q, sigma, alpha);
    if (Double.isNaN(r[0])) {
      return Double.POSITIVE_INFINITY;
    }
    return r[1] > r[0] + Math.log(1e-12) ? r[0] : Math.max(r[0], logAFractionalExact(q, sigma, alpha));
  }

  /**
   * dp_accounting's sum of the series' absolute values: {ln Σ|terms|, ln Σ of the terms whose sign is negative},
   * or {NaN, NaN} when it has not converged after {@link #MAX_ABSOLUTE_TERMS} terms. The stopping rule is
   * dp_accounting's: both terms decreasing and below e^-30 of the running total.
   */
  private static double[] absoluteSeries(double q, double sigma, double alpha) {
    double logQ = Math.log(q);
    double log1mQ = Math.log1p(-q);
    double z0 = sigma * sigma * (log1mQ - logQ) + 0.5;
    double inv2s2 = 1.0 / (2 * sigma * sigma);
    double sqrt2Sigma = SpecialFunctions.SQRT2 * sigma;
    double ref = Double.NEGATIVE_INFINITY; // the sums below are scaled by e^ref
    double total = 0.0;
    double negative = 0.0;
    double logAbsC = 0.0;
    double sign = 1.0;
    double last0 = Double.NEGATIVE_INFINITY;
    double last1 = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < MAX_ABSOLUTE_TERMS; i++) {
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
        total *= scale;
        negative *= scale;
        ref = top;
      }
      double both = Math.exp(logS0 - ref) + Math.exp(logS1 - ref);
      total += both;
      if (sign < 0) {
        negative += both;
      }
      double logTotal = ref + Math.log(total);
      if (logS0 < last0 && logS1 < last1 && top < logTotal - 30.0) {
        return new double[] {logTotal, ref + Math.log(negative)};
      }
      last0 = logS0;
      last1 = logS1;
    }
    return new double[] {Double.NaN, Double.NaN};
  }

  /**
   * ln A_α from the signed series of A_α - 1, for q ≠ ½; NaN when it has not converged after
   * {@link #MAX_EXACT_TERMS} terms past i = α. For q &lt; ½ the weights w_i = C(α,i)(1-q)^(α-i) q^i of A₀ sum to
   * (1 - q + q)^α = 1, so with E_i = exp((i²-i)/(2σ²)) Φ((z₀ - i)/σ), A₀ = Σ w_i E_i and
   * A_α - 1 = Σ_i w_i (E_i - 1) + A₁; for q &gt; ½ the weights of A₁ sum to 1 and the roles swap. Each E_i - 1 is
   * evaluated as expm1 of its logarithm, never by cancelling against 1, so A_α - 1 keeps its relative precision
   * however small it is. The series stops past i = α + 1 once its terms and weights decrease and lie e^-40 below
   * the running total of A_α - 1; it gives up (NaN) if its largest term exceeds the total 1000-fold.
   */
  static double seriesMinusOne(double q, double sigma, double alpha, int maxTerms) {
    boolean upper = q > 0.5; // which half's weights sum to 1
    double logQ = Math.log(q);
    double log1mQ = Math.log1p(-q);
    double z0 = sigma * sigma * (log1mQ - logQ) + 0.5;
    double inv2s2 = 1.0 / (2 * sigma * sigma);
    double sqrt2Sigma = SpecialFunctions.SQRT2 * sigma;
    double ref = Double.NEGATIVE_INFINITY; // the sum is scaled by e^ref
    double sum = 0.0;
    double logAbsC = 0.0;
    double sign = 1.0;
    double last0 = Double.NEGATIVE_INFINITY;
    double last1 = Double.NEGATIVE_INFINITY;
    double lastW = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < maxTerms; i++) {
      if (i > 0) {
        double factor = (alpha - (i - 1)) / i;
        logAbsC += Math.log(Math.abs(factor));
        if (factor < 0) {
          sign = -sign;
        }
      }
      double j = alpha - i;
      // A₀'s term: weight e^logW0, Gaussian factor exp(c0)·½erfc(y0); A₁'s likewise.
      double logW0 = logAbsC + i * logQ + j * log1mQ;
      double c0 = ((double) i * i - i) * inv2s2;
      double y0 = (i - z0) / sqrt2Sigma;
      double logW1 = logAbsC + j * logQ + i * log1mQ;
      double c1 = (j * j - j) * inv2s2;
      double y1 = (z0 - j) / sqrt2Sigma;
      double logG0 = c0 + logHalfErfc(y0); // ln E_i of A₀ (and A₁'s likewise)
      double logG1 = c1 + logHalfErfc(y1);
      double logS0 = logW0 + logG0;
      double logS1 = logW1 + logG1;
      double logW = upper ? logW1 : logW0;
      double t = upper ? logG1 : logG0;
      double logDev = t > 0 ? logExpm1(t) : Math.log(-Math.expm1(t)); // ln |E_i - 1|
      double logD = logW + logDev;
      double logOther = upper ? logS0 : logS1;
      double top = Math.max(logD, logOther);
      if (top > ref) {
        sum *= Math.exp(ref - top);
        ref = top;
      }
      sum += sign * ((t > 0 ? 1 : -1) * Math.exp(logD - ref) + Math.exp(logOther - ref));
      if (i > alpha + 1 && logS0 < last0 && logS1 < last1 && logW < lastW && sum > 0) {
        double logTotal = ref + Math.log(sum);
        if (Math.max(Math.max(logS0, logS1), logW) < logTotal - 40.0) {
          // Terms much larger than their sum cancel (q near ½ with large σ, where E_i - 1 is not small): more
          // than 1000-fold would cost the last 3 digits, so the caller integrates instead.
          return ref - logTotal > CANCELLATION ? Double.NaN : log1pExp(logTotal);
        }
      }
      last0 = logS0;
      last1 = logS1;
      lastW = logW;
    }
    return Double.NaN;
  }

  /** ln(½ erfc(y)) = ln Φ(-√2 y), accurate also where it is close to 0 (y ≪ 0). */
  private static double logHalfErfc(double y) {
    return y < 0 ? Math.log1p(-0.5 * SpecialFunctions.erfc(-y))
        : SpecialFunctions.LOG_HALF + SpecialFunctions.logErfc(y);
  }

  /**
   * The number of points {@link #logAQuadrature} evaluates, or {@link Long#MAX_VALUE} where that many do not fit
   * a {@code long} or cannot be computed (σ so small that the step underflows, or so large that it is NaN): the
   * count is only compared with {@link #MAX_QUADRATURE_POINTS}, so saturating keeps such σ off the quadrature
   * instead of wrapping to a negative count that passes the comparison.
   */
  static long quadraturePoints(double sigma, double alpha) {
    double points = Math.ceil((quadratureHigh(sigma, alpha) - quadratureLow(sigma)) / quadratureStep(sigma)) + 1;
    return points < 0x1p62 ? (long) points : Long.MAX_VALUE; // false for NaN too
  }

  /**
   * How many σ beyond the bumps (near 0 and α) the rule integrates. Outside [0, α] the log-integrand falls at
   * least as fast as the Gaussian factor, so the tails left out weigh below e^{-15²/2} ≈ 1e-49 of the largest
   * value of f there (f(-q) ≈ C(α,2)q² on the left). A_α - 1 is at least about C(α,2)q²/σ², so the tails stay
   * below e^-40 of it for any σ up to 1e15.
   */
  private static final double QUADRATURE_REACH = 15.0;

  private static double quadratureStep(double sigma) {
    double s2 = sigma * sigma;
    return Math.min(sigma / 3.0, 15.0 * s2 / (40.0 + 4.0 * s2));
  }

  private static double quadratureLow(double sigma) {
    return -QUADRATURE_REACH * sigma;
  }

  private static double quadratureHigh(double sigma, double alpha) {
    return Math.max(alpha, 0.0) + QUADRATURE_REACH * sigma;
  }

  /**
   * ln A_α by the trapezoidal rule on the whole line, applied to A_α - 1 = E[f(X)] with X = q(e^u - 1),
   * u = (2z - 1)/(2σ²) and f(x) = (1 + x)^α - 1 - αx (E[X] = 0), which is non-negative for α &gt; 1, so the sum
   * keeps its relative precision when A_α - 1 is tiny. The rule converges geometrically for this analytic,
   * Gaussian-tailed integrand: the step keeps away from the branch points of (1 - q + q e^u)^α at Im z = πσ²
   * and resolves the Gaussian factor (error below e^-40 relative); the range covers both bumps (near 0 and near
   * α) and {@link #QUADRATURE_REACH} σ beyond them.
   */
  static double logAQuadrature(double q, double sigma, double alpha) {
    double h = quadratureStep(sigma);
    double lo = quadratureLow(sigma);
    long n = quadraturePoints(sigma, alpha) - 1;
    double s2 = sigma * sigma;
    double logNorm = -Math.log(sigma) - 0.5 * Math.log(2 * Math.PI);
    double max = Double.NEGATIVE_INFINITY;
    double sum = 0.0;
    for (long k = 0; k <= n; k++) {
      double z = lo + k * h;
      double g = -z * z / (2 * s2) + logNorm + logF(q, alpha, (2 * z - 1) / (2 * s2));
      if (g == Double.NEGATIVE_INFINITY) {
        continue;
      }
      if (g > max) {
        sum = sum * Math.exp(max - g) + 1.0;
        max = g;
      } else {
        sum += Math.exp(g - max);
      }
    }
    if (max == Double.NEGATIVE_INFINITY) {
      return 0.0;
    }
    return log1pExp(max + Math.log(sum * h));
  }

  /**
   * ln f(x) for f(x) = (1 + x)^α - 1 - αx ≥ 0 with x = q·expm1(u): the series Σ_{k≥2} C(α,k) x^k while its ratio
   * is at most ½ (no cancellation), otherwise (1 + x)^α - (1 + αx) in log space.
   */
  static double logF(double q, double alpha, double u) {
    if (u == 0) {
      return Double.NEGATIVE_INFINITY;
    }
    double x = u < 700 ? q * Math.expm1(u) : Double.POSITIVE_INFINITY;
    if (Math.max(1.0, alpha - 1) * Math.abs(x) <= 0.5) {
      double term = 0.5 * alpha * (alpha - 1) * x * x;
      double sum = term;
      for (int k = 2; k < 200; k++) {
        term *= (alpha - k) / (k + 1) * x;
        sum += term;
        if (Math.abs(term) <= 1e-17 * sum) {
          break;
        }
      }
      return Math.log(sum);
    }
    double logPow = alpha * logOneMinusQPlusQExp(q, u); // ln (1 + x)^α
    double onePlusAx = 1 + alpha * x;
    if (onePlusAx <= 0) {
      return SpecialFunctions.logAdd(logPow, Math.log(-onePlusAx)); // (1 + x)^α + |1 + αx|
    }
    double logOnePlusAx = x < 1e300 ? Math.log1p(alpha * x)
        : Math.log(alpha) + Math.log(q) + u + Math.log1p(-Math.exp(-u)); // ln(αx); 1 is negligible
    double d = logOnePlusAx - logPow; // ≤ 0, as f ≥ 0
    return d < 0 ? logPow + Math.log(-Math.expm1(d)) : Double.NEGATIVE_INFINITY;
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
