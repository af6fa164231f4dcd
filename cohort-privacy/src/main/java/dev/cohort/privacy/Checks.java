package dev.cohort.privacy;

import java.util.Objects;

/**
 * Argument checks whose messages read "{@code <name> (<value>) must <rule>}"; a failed check throws an
 * {@link InvalidParameterException} carrying the name, the value and the rule.
 */
final class Checks {
  private Checks() {}

  /** The {@link InvalidParameterException} "{@code name (value) rule}", for the caller to throw. */
  static InvalidParameterException invalid(String name, Object value, String rule) {
    return new InvalidParameterException(ParameterText.of(ParameterText.named(name, value), " " + rule));
  }

  static double positive(String name, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw invalid(name, value, "must be a finite number > 0");
    }
    return value;
  }

  static double probability(String name, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw invalid(name, value, "must be in [0, 1]");
    }
    return value;
  }

  static double delta(String name, double value) {
    if (!(value > 0 && value < 1)) {
      throw invalid(name, value, "must be in (0, 1)");
    }
    return value;
  }

  static double epsilon(String name, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw invalid(name, value, "must be a finite number >= 0");
    }
    return value;
  }

  static long nonNegative(String name, long value) {
    if (value < 0) {
      throw invalid(name, value, "must be >= 0");
    }
    return value;
  }

  /**
   * {@code count · times}, the repetitions of an event inside nested self-compositions, or an error naming
   * {@code count} where the product exceeds a {@code long}.
   */
  static long repetitions(long count, long times) {
    try {
      return Math.multiplyExact(count, times);
    } catch (ArithmeticException e) {
      throw new InvalidParameterException(ParameterText.of(ParameterText.named("count", times), " must be "
          + "smaller: repeated " + count + " times, the event would be composed more than 2^63 - 1 times"), e);
    }
  }

  static <T> T notNull(String name, T value) {
    return Objects.requireNonNull(value, () -> name + " must not be null");
  }
}
