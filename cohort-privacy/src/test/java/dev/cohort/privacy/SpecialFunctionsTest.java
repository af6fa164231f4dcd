package dev.cohort.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import org.junit.jupiter.api.Test;

class SpecialFunctionsTest {
  private static final MathContext MC = new MathContext(80, RoundingMode.HALF_EVEN);
  // π to 80 significant digits (rounded), matching the 80-digit arithmetic of MC.
  private static final BigDecimal PI =
      new BigDecimal("3.1415926535897932384626433832795028841971693993751058209749445923078164062862090");
  private static final BigDecimal SQRT_PI = PI.sqrt(MC);

  /** e^y for y ≥ 0 by Taylor series at y/2^k followed by k squarings. */
  private static BigDecimal exp(BigDecimal y) {
    int k = 12;
    BigDecimal z = y.divide(BigDecimal.valueOf(1L << k), MC);
    BigDecimal term = BigDecimal.ONE;
    BigDecimal sum = BigDecimal.ONE;
    for (int n = 1; n < 200; n++) {
      term = term.multiply(z, MC).divide(BigDecimal.valueOf(n), MC);
      sum = sum.add(term, MC);
      if (term.abs().compareTo(new BigDecimal("1e-90")) < 0) {
        break;
      }
    }
    for (int i = 0; i < k; i++) {
      sum = sum.multiply(sum, MC);
    }
    return sum;
  }

  /**
   * erfc(x) in 80-digit arithmetic: 1 - erf(x) from the Maclaurin series of erf for |x| ≤ 3, and the continued
   * fraction erfc(x) = e^{-x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))) for x &gt; 3, and
   * erfc(x) = 2 - erfc(-x) below -3.
   */
  private static BigDecimal erfcReference(double xd) {
    if (xd < -3) {
      return BigDecimal.valueOf(2).subtract(erfcReference(-xd), MC);
    }
    BigDecimal x = new BigDecimal(xd);
    if (Math.abs(xd) <= 3) {
      BigDecimal x2 = x.multiply(x, MC);
      BigDecimal power = x; // (-1)^n x^{2n+1} / n!
      BigDecimal sum = BigDecimal.ZERO;
      for (int n = 0; n < 400; n++) {
        BigDecimal term = power.divide(BigDecimal.valueOf(2L * n + 1), MC);
        sum = sum.add(term, MC);
        power = power.multiply(x2, MC).divide(BigDecimal.valueOf(n + 1), MC).negate();
        if (term.abs().compareTo(new BigDecimal("1e-95")) < 0 && n > 5) {
          break;
        }
      }
      BigDecimal erf = sum.multiply(BigDecimal.valueOf(2), MC).divide(SQRT_PI, MC);
      return BigDecimal.ONE.subtract(erf, MC);
    }
    BigDecimal f = x;
    for (int n = 3000; n >= 1; n--) {
      f = x.add(BigDecimal.valueOf(n).divide(BigDecimal.valueOf(2), MC).divide(f, MC), MC);
    }
    BigDecimal e = BigDecimal.ONE.divide(exp(x.multiply(x, MC)), MC);
    return e.divide(SQRT_PI, MC).divide(f, MC);
  }

  @Test
  void thePiOfTheReferenceHasAllEightyDigits() {
    // Machin's formula π = 16 atan(1/5) - 4 atan(1/239) in 90-digit arithmetic.
    MathContext wide = new MathContext(90, RoundingMode.HALF_EVEN);
    BigDecimal machin = atanInverse(5, wide).multiply(BigDecimal.valueOf(16), wide)
        .subtract(atanInverse(239, wide).multiply(BigDecimal.valueOf(4), wide), wide);
    assertThat(machin.round(MC)).isEqualTo(PI);
  }

  /** atan(1/n) = Σ (-1)^k / ((2k + 1) n^{2k+1}). */
  private static BigDecimal atanInverse(int n, MathContext mc) {
    BigDecimal x = BigDecimal.ONE.divide(BigDecimal.valueOf(n), mc);
    BigDecimal x2 = x.multiply(x, mc);
    BigDecimal power = x;
    BigDecimal sum = BigDecimal.ZERO;
    for (int k = 0; power.compareTo(new BigDecimal("1e-100")) > 0; k++) {
      BigDecimal term = power.divide(BigDecimal.valueOf(2L * k + 1), mc);
      sum = k % 2 == 0 ? sum.add(term, mc) : sum.subtract(term, mc);
      power = power.multiply(x2, mc);
    }
    return sum;
  }

  @Test
  void erfcMatchesEightyDigitArithmeticToOnePartIn1e15() {
    double[] xs = {-5, -2, -0.75, -0.3, 0, 1e-12, 0.1, 0.3, 0.46875, 0.47, 0.5, 0.75, 1, 1.5, 2, 2.5, 3,
        3.5, 3.99, 4, 4.01, 5, 6, 8, 10, 15, 20, 25, 26};
    for (double x : xs) {
      BigDecimal ref = erfcReference(x);
      double actual = SpecialFunctions.erfc(x);
      double rel = Math.abs(new BigDecimal(actual).subtract(ref, MC).divide(ref, MC).doubleValue());
      assertThat(rel).as("relative error of erfc(%s)", x).isLessThan(1e-15);
    }
  }

  @Test
  void logErfcStaysAccurateWhereErfcUnderflows() {
    for (double x : new double[] {3, 10, 26}) {
      double ref = Math.log(erfcReference(x).doubleValue());
      assertThat(SpecialFunctions.logErfc(x)).isCloseTo(ref, within(1e-14 * Math.abs(ref)));
    }
    // Beyond erfc's range: ln erfc(x) = -x² - ln(x√π) + ln(1 - 1/(2x²) + 3/(4x⁴) - …) (asymptotic series),
    // whose truncation error at x = 40 is below 1e-12.
    double x = 40;
    double series = -x * x - Math.log(x * Math.sqrt(Math.PI))
        + Math.log1p(-1 / (2 * x * x) + 3 / (4 * Math.pow(x, 4)) - 15 / (8 * Math.pow(x, 6)));
    assertThat(SpecialFunctions.erfc(x)).isZero();
    assertThat(SpecialFunctions.logErfc(x)).isCloseTo(series, within(1e-12));
  }

  @Test
  void normalQuantileInvertsTheDistributionFunctionDeepInTheTail() {
    for (double p : new double[] {0.5 * Math.exp(-50), 1e-15, 1e-6, 0.01, 0.3, 0.5, 0.9, 1 - 1e-9}) {
      double x = SpecialFunctions.normalQuantile(p);
      assertThat(SpecialFunctions.normalCdf(x)).isCloseTo(p, within(2e-15 * Math.max(p, 1e-300) + 1e-17));
    }
    // Φ(-1.959963984540054) = 0.025 (the familiar two-sided 95% point).
    assertThat(SpecialFunctions.normalQuantile(0.025)).isCloseTo(-1.959963984540054, within(1e-14));
    assertThatThrownBy(() -> SpecialFunctions.normalQuantile(0))
        .hasMessage("p (0.0) must be in (0, 1)");
  }

  @Test
  void normalLogCdfAgreesWithTheDirectLogarithmAndBeyondUnderflow() {
    for (double x : new double[] {-30, -5, -1, 0, 1, 6, 9}) {
      double direct = Math.log(SpecialFunctions.normalCdf(x));
      assertThat(SpecialFunctions.normalLogCdf(x)).isCloseTo(direct, within(1e-13 * Math.max(1, Math.abs(direct))));
    }
    assertThat(SpecialFunctions.normalLogCdf(-60)).isFinite().isLessThan(-1800);
  }
}
