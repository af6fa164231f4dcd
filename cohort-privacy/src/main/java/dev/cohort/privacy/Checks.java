package dev.cohort.privacy;

import java.util.Objects;

/** Argument checks whose messages read "{@code <name> (<value>) must <rule>}". */
final class Checks {
  private Checks() {}

  static double positive(String name, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(name + " (" + value + ") must be a finite number > 0");
    }
    return value;
  }

  static double probability(String name, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(name + " (" + value + ") must be in [0, 1]");
    }
    return value;
  }

  static double delta(String name, double value) {
    if (!(value > 0 && value < 1)) {
      throw new IllegalArgumentException(name + " (" + value + ") must be in (0, 1)");
    }
    return value;
  }

  static double epsilon(String name, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(name + " (" + value + ") must be a finite number >= 0");
    }
    return value;
  }

  static long nonNegative(String name, long value) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " (" + value + ") must be >= 0");
    }
    return value;
  }

  static <T> T notNull(String name, T value) {
    return Objects.requireNonNull(value, () -> name + " must not be null");
  }
}
