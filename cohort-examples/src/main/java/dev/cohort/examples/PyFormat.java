package dev.cohort.examples;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Prints numbers as Python and NumPy do, so that outputs can be compared with TFF's notebooks digit for digit: the
 * shortest decimal that reads back as the same float32 ({@code 69.53334}) or float64 ({@code 21.60552406311035}),
 * positional between 1e-4 and 1e16, with {@code .0} on integral values.
 */
final class PyFormat {
  private PyFormat() {}

  /** NumPy's {@code repr} of a float32, e.g. {@code 69.53334}. */
  static String float32(float f) {
    if (Float.isNaN(f) || Float.isInfinite(f)) {
      return Float.isNaN(f) ? "nan" : f > 0 ? "inf" : "-inf";
    }
    for (int p = 1; p <= 9; p++) {
      BigDecimal d = new BigDecimal(f).round(new MathContext(p, RoundingMode.HALF_EVEN));
      if (d.floatValue() == f) {
        return layout(d, f == 0 && 1 / f < 0);
      }
    }
    return layout(new BigDecimal(f), false);
  }

  /** Python's {@code repr} of a float (a float64), e.g. {@code 21.60552406311035}. */
  static String float64(double x) {
    if (Double.isNaN(x) || Double.isInfinite(x)) {
      return Double.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
    }
    for (int p = 1; p <= 17; p++) {
      BigDecimal d = new BigDecimal(x).round(new MathContext(p, RoundingMode.HALF_EVEN));
      if (d.doubleValue() == x) {
        return layout(d, x == 0 && 1 / x < 0);
      }
    }
    return layout(new BigDecimal(x), false);
  }

  private static String layout(BigDecimal d, boolean negativeZero) {
    if (d.signum() == 0) {
      return negativeZero ? "-0.0" : "0.0";
    }
    BigDecimal abs = d.abs();
    if (abs.compareTo(new BigDecimal("1e-4")) >= 0 && abs.compareTo(new BigDecimal("1e16")) < 0) {
      String s = d.stripTrailingZeros().toPlainString();
      return s.contains(".") ? s : s + ".0";
    }
    BigDecimal stripped = d.stripTrailingZeros();
    String digits = stripped.unscaledValue().abs().toString();
    int exponent = digits.length() - 1 - stripped.scale();
    String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
    String sign = d.signum() < 0 ? "-" : "";
    String e = exponent < 0 ? "-" + pad(-exponent) : "+" + pad(exponent);
    return sign + mantissa + "e" + e;
  }

  private static String pad(int e) {
    return e < 10 ? "0" + e : Integer.toString(e);
  }
}
