package dev.cohort.privacy;

import java.math.BigDecimal;
import java.util.Locale;

/** How Cohort prints numbers for people: in the privacy library's descriptions and warnings, and on the command line. */
public final class Numbers {
  private Numbers() {}

  /**
   * The shortest decimal that reads back as the same double, without a trailing ".0" (integral values print as
   * integers: 2), in exponent form with at least two exponent digits below 1e-4 and from 1e16 on (as Python writes
   * floats there: 1e-05, 2.5e-07), otherwise plain (1.25, 0.0001); nan, inf and -inf for the non-finite values.
   */
  public static String format(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return Double.isNaN(v) ? "nan" : (v > 0 ? "inf" : "-inf");
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e16) {
      return Long.toString((long) v);
    }
    BigDecimal d = new BigDecimal(Double.toString(v)).stripTrailingZeros();
    int exponent = d.precision() - d.scale() - 1;
    if (exponent < -4 || exponent >= 16) {
      String digits = d.unscaledValue().abs().toString();
      String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
      return (d.signum() < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+")
          + String.format(Locale.ROOT, "%02d", Math.abs(exponent));
    }
    return d.toPlainString();
  }
}
