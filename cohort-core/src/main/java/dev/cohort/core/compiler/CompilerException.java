package dev.cohort.core.compiler;

/** A computation cannot be compiled into the requested form; the message says which construct and why. */
public final class CompilerException extends IllegalArgumentException {
  /** A failure described by {@code message}. */
  public CompilerException(String message) {
    super(message);
  }
}
