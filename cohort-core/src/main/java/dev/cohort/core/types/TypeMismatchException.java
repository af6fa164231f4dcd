package dev.cohort.core.types;

/**
 * A type error found while building, checking or loading a computation. The message names the operation (an
 * intrinsic, a call, a selection) and prints the expected and the actual types in TFF notation;
 * {@link #expected()} and {@link #actual()} give them as values where there are such types.
 */
public class TypeMismatchException extends IllegalArgumentException {
  private final transient Type expected;
  private final transient Type actual;

  /** An error with both types (either may be null when the rule is not a single type). */
  public TypeMismatchException(String message, Type expected, Type actual) {
    super(message);
    this.expected = expected;
    this.actual = actual;
  }

  /** An error whose rule is not one expected type. */
  public TypeMismatchException(String message) {
    this(message, null, null);
  }

  /** The type that was expected, or null. */
  public Type expected() {
    return expected;
  }

  /** The type that was found, or null. */
  public Type actual() {
    return actual;
  }
}
