package dev.cohort.privacy;

/**
 * The complementary error function, the standard normal distribution and log-space helpers, written for this
 * module so that it needs no numerics library.
 *
 * <p>{@link #erfc} follows W. J. Cody, "Rational Chebyshev approximations for the error function",
 * Mathematics of Computation 23 (1969) 631–637: three rational approximations on [0, 0.46875], (0.46875, 4]
 * and (4, ∞), with exp(-x²) evaluated as exp(-s²)·exp(-(x-s)(x+s)) for s = x rounded down to 1/16 so that the
 * rounding error of x² does not reach the result. The relative error is below 1e-15 wherever erfc(x) is a
 * normal double (checked against 80-digit arithmetic in the tests). {@link #logErfc} uses the scaled form
 * exp(x²)·erfc(x) and therefore stays finite and accurate for arguments where erfc itself underflows.
 */
final class SpecialFunctions {
  private SpecialFunctions() {}

  static final double LOG_HALF = Math.log(0.5);
  static final double SQRT2 = Math.sqrt(2.0);
  private static final double ONE_OVER_SQRT_PI = 5.6418958354775628695e-1;
  private static final double LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

  // Cody (1969), erf on [0, 0.46875].
  private static final double[] A = {
      3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
      3.20937758913846947e03, 1.85777706184603153e-1};
  private static final double[] B = {
      2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
      2.84423683343917062e03};
  // Cody (1969), exp(x²)·erfc(x) on (0.46875, 4].
  private static final double[] C = {
      5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
      2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
      2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8};
  private static final double[] D = {
      1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
      1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
      3.43936767414372164e03, 1.23033935480374942e03};
  // Cody (1969), exp(x²)·erfc(x) on (4, ∞), as a function of 1/x².
  private static final double[] P = {
      3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
      1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2};
  private static final double[] Q = {
      2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1,
      6.05183413124413191e-2, 2.33520497626869185e-3};

  private static final double SMALL = 0.46875;

  /** erf(x) for |x| ≤ 0.46875. */
  private static double erfSmall(double x) {
    double y = Math.abs(x);
    double ysq = y > 1.11e-16 ? y * y : 0.0;
    double num = A[4] * ysq;
    double den = ysq;
    for (int i = 0; i < 3; i++) {
      num = (num + A[i]) * ysq;
      den = (den + B[i]) * ysq;
    }
    return x * (num + A[3]) / (den + B[3]);
  }

  /** exp(y²)·erfc(y) for y > 0.46875. */
  static double erfcxLarge(double y) {
    if (y <= 4.0) {
      double num = C[8] * y;
      double den = y;
      for (int i = 0; i < 7; i++) {
        num = (num + C[i]) * y;
        den = (den + D[i]) * y;
      }
      return (num + C[7]) / (den + D[7]);
    }
    double ysq = 1.0 / (y * y);
    double num = P[5] * ysq;
    double den = ysq;
    for (int i = 0; i < 4; i++) {
      num = (num + P[i]) * ysq;
      den = (den + Q[i]) * ysq;
    }
    double r = ysq * (num + P[4]) / (den + Q[4]);
    return (ONE_OVER_SQRT_PI - r) / y;
  }

  /** -y² split as -(s² + (y - s)(y + s)) with s = floor(16y)/16, so that s² is exact. */
  private static double minusSquareHead(double y) {
    double s = Math.floor(16.0 * y) / 16.0;
    return -s * s;
  }

  private static double minusSquareTail(double y) {
    double s = Math.floor(16.0 * y) / 16.0;
    return -(y - s) * (y + s);
  }

  /** The complementary error function erfc(x) = 1 - erf(x). */
  static double erfc(double x) {
    if (Double.isNaN(x)) {
      return Double.NaN;
    }
    double y = Math.abs(x);
    if (y <= SMALL) {
      return 1.0 - erfSmall(x);
    }
    double r;
    if (y >= 27.3) {
      r = 0.0;
    } else {
      r = Math.exp(minusSquareHead(y)) * Math.exp(minusSquareTail(y)) * erfcxLarge(y);
    }
    return x < 0 ? 2.0 - r : r;
  }

  /** ln erfc(x), finite for every finite x (erfc itself underflows beyond x ≈ 26.5). */
  static double logErfc(double x) {
    if (x <= SMALL) {
      return Math.log(erfc(x));
    }
    if (x == Double.POSITIVE_INFINITY) {
      return Double.NEGATIVE_INFINITY;
    }
    return minusSquareHead(x) + minusSquareTail(x) + Math.log(erfcxLarge(x));
  }

  /** The standard normal distribution function Φ(x). */
  static double normalCdf(double x) {
    return 0.5 * erfc(-x / SQRT2);
  }

  /** ln Φ(x), accurate in the far left tail. */
  static double normalLogCdf(double x) {
    if (x == Double.NEGATIVE_INFINITY) {
      return Double.NEGATIVE_INFINITY;
    }
    if (x > 5.0) {
      // Φ(x) = 1 - Φ(-x) with Φ(-x) < 3e-7: log1p keeps the small complement exact.
      return Math.log1p(-0.5 * erfc(x / SQRT2));
    }
    return LOG_HALF + logErfc(-x / SQRT2);
  }

  /** ln φ(x) of the standard normal density. */
  static double normalLogPdf(double x) {
    return -0.5 * x * x - LOG_SQRT_2PI;
  }

  /**
   * The standard normal quantile Φ⁻¹(p) for 0 < p < 1: the Abramowitz–Stegun 26.2.23 starting value refined by
   * Newton steps on ln Φ(x) = ln p, which converge to full double precision.
   */
  static double normalQuantile(double p) {
    if (!(p > 0 && p < 1)) {
      throw new IllegalArgumentException("p (" + p + ") must be in (0, 1)");
    }
    if (p > 0.5) {
      return -normalQuantile(1.0 - p);
    }
    double t = Math.sqrt(-2.0 * Math.log(p));
    double x = -(t - (2.515517 + 0.802853 * t + 0.010328 * t * t)
        / (1.0 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t));
    double logP = Math.log(p);
    for (int i = 0; i < 50; i++) {
      double logCdf = normalLogCdf(x);
      double step = (logCdf - logP) / Math.exp(normalLogPdf(x) - logCdf);
      x -= step;
      if (Math.abs(step) <= 1e-16 * Math.max(1.0, Math.abs(x))) {
        break;
      }
    }
    return x;
  }

  /** ln(e^a + e^b) without overflow. */
  static double logAdd(double a, double b) {
    double lo = Math.min(a, b);
    double hi = Math.max(a, b);
    if (lo == Double.NEGATIVE_INFINITY || hi == Double.POSITIVE_INFINITY) {
      return hi;
    }
    return hi + Math.log1p(Math.exp(lo - hi));
  }
}
