package dev.cohort.privacy;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * Cohort's one number printer, with a mode for each kind of reader. Every mode picks its decimal digits, then lays
 * them out the way Python does: positional from 1e-4 up to 1e16, otherwise as a mantissa and an exponent with at
 * least two digits ({@code 1e-05}, {@code 2.5e-07}, {@code 1.5e+16}); {@code nan}, {@code inf} and {@code -inf}
 * for the values that are not finite.
 *
 * <ul>
 *   <li>{@link #format}: for people (the privacy library's descriptions and warnings, the command line's values):
 *       the shortest decimal that reads back as the same double, integral values without ".0" ({@code 2}).
 *   <li>{@link #significant}: a rounded value, such as the command line's ε to ten significant digits.
 *   <li>{@link #float64} and {@link #float32}: Python's and NumPy's {@code repr}, as TFF's notebooks print
 *       (integral values keep ".0": {@code 70.0}), so the tutorials' outputs can be compared digit for digit.
 * </ul>
 *
 * <p>Why it lives here: the privacy library prints numbers in its own messages, and it depends on no other module,
 * so the printer must be in it or below it, and nothing lies below it. The examples (the tutorials) and the command
 * line sit above privacy in the module order (tensor ← nn, core, privacy ← examples ← cli), so both reach it with
 * downward dependencies only; a printer in the examples or the command line would need an upward one.
 */
public final class Numbers {
  private Numbers() {}

  private static final BigDecimal POSITIONAL_FROM = new BigDecimal("1e-4");
  private static final BigDecimal POSITIONAL_BELOW = new BigDecimal("1e16");

  /**
   * The shortest decimal that reads back as the same double, integral values without ".0" ({@code 2}, {@code 1.25},
   * {@code 0.0001}, {@code 1e-05}).
   */
  public static String format(double v) {
    return Double.isFinite(v) ? layout(shortest(v), false) : nonFinite(v);
  }

  /**
   * {@code v} rounded (half-even) to {@code digits} significant digits, trailing zeros dropped, integral values
   * without ".0": {@code significant(0.7242234026106552, 10)} is {@code 0.7242234026}.
   *
   * @throws IllegalArgumentException if {@code digits} is not between 1 and 17
   */
  public static String significant(double v, int digits) {
    if (digits < 1 || digits > 17) {
      throw new IllegalArgumentException("digits (" + digits + ") must be in [1, 17]");
    }
    if (!Double.isFinite(v)) {
      return nonFinite(v);
    }
    return layout(new BigDecimal(v).round(new MathContext(digits, RoundingMode.HALF_EVEN)), false);
  }

  /** Python's {@code repr} of a float (a float64), e.g. {@code 21.60552406311035}, {@code 70.0}, {@code -0.0}. */
  public static String float64(double v) {
    if (!Double.isFinite(v)) {
      return nonFinite(v);
    }
    return v == 0 && 1 / v < 0 ? "-0.0" : layout(shortest(v), true);
  }

  /** NumPy's {@code repr} of a float32, e.g. {@code 69.53334}: the shortest decimal that reads back as the float. */
  public static String float32(float v) {
    if (!Float.isFinite(v)) {
      return nonFinite(v);
    }
    if (v == 0) {
      return 1 / v < 0 ? "-0.0" : "0.0";
    }
    BigDecimal exact = new BigDecimal(v);
    for (int p = 1; p < 9; p++) {
      BigDecimal d = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
      if (d.floatValue() == v) {
        return layout(d, true);
      }
    }
    return layout(exact.round(new MathContext(9, RoundingMode.HALF_EVEN)), true); // 9 digits always read back
  }

  /** The shortest decimal that reads back as {@code v} (finite); the nearest one where several are as short. */
  private static BigDecimal shortest(double v) {
    if (v == 0) {
      return BigDecimal.ZERO;
    }
    BigDecimal exact = new BigDecimal(v);
    for (int p = 1; p < 17; p++) {
      BigDecimal d = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
      if (d.doubleValue() == v) {
        return d;
      }
    }
    return exact.round(new MathContext(17, RoundingMode.HALF_EVEN)); // 17 digits always read back
  }

  private static String nonFinite(double v) {
    return Double.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
  }

  /** Python's layout of the digits of {@code d}; {@code pointZero}: integral values keep ".0" (repr). */
  private static String layout(BigDecimal d, boolean pointZero) {
    if (d.signum() == 0) {
      return pointZero ? "0.0" : "0";
    }
    BigDecimal stripped = d.stripTrailingZeros();
    BigDecimal abs = stripped.abs();
    if (abs.compareTo(POSITIONAL_FROM) >= 0 && abs.compareTo(POSITIONAL_BELOW) < 0) {
      String s = stripped.toPlainString();
      return pointZero && s.indexOf('.') < 0 ? s + ".0" : s;
    }
    String digits = stripped.unscaledValue().abs().toString();
    int exponent = digits.length() - 1 - stripped.scale();
    String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
    return (stripped.signum() < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+")
        + String.format(Locale.ROOT, "%02d", Math.abs(exponent));
  }
}
