package dev.cohort.cli;

/**
 * A file of the user's (given by a flag, or standard output) that could not be read or written. Not a usage error
 * and not a bug: {@link Cohort} prints "cohort &lt;command&gt;: error: …" and exits with status 1.
 */
final class UserFileException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UserFileException(String message, Throwable cause) {
    super(message, cause);
  }
}
