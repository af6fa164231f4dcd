package dev.cohort.core.serialization;

/**
 * A serialized computation could not be loaded: not a computation file, corrupt or truncated, larger than a
 * computation file can be, written by a newer format version, ill-typed, nested deeper than the format's limits, or
 * naming local computations this JVM does not register (all of them, by name and type). Nothing of it is returned.
 */
public final class ComputationFormatException extends IllegalArgumentException {
  /** A failure described by {@code message}. */
  public ComputationFormatException(String message) {
    super(message);
  }

  /** A failure described by {@code message}, caused by {@code cause}. */
  public ComputationFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
