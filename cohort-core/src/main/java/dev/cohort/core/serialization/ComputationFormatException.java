package dev.cohort.core.serialization;

/**
 * A serialized computation could not be loaded: not a computation file, corrupt or truncated, written by a newer
 * format version, ill-typed, or naming a local function this JVM has not registered. Nothing of it is returned.
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
