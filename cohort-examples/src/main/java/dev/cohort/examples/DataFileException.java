package dev.cohort.examples;

/**
 * A data file was found but its contents are not what its format or the tutorial needs: not IDX, truncated,
 * corrupt, or data the tutorial cannot use (a digit without examples). The message starts with the file's path.
 * A missing file is a plain {@link IllegalArgumentException} instead: the path given was wrong, not the file.
 */
public final class DataFileException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** A data file error with its message (starting with the file's path). */
  public DataFileException(String message) {
    super(message);
  }

  /** A data file error with its message (starting with the file's path) and its cause. */
  public DataFileException(String message, Throwable cause) {
    super(message, cause);
  }
}
