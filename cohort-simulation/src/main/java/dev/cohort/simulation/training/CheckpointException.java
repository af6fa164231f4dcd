package dev.cohort.simulation.training;

import java.nio.file.Path;

/**
 * A checkpoint cannot be used: corrupt, truncated, of another format version, or of another model or run. The
 * message names the file and the problem.
 */
public final class CheckpointException extends RuntimeException {
  private final transient Path file;

  /**
   * A checkpoint problem.
   *
   * @param file the checkpoint (or the directory, when none is usable)
   * @param problem what is wrong
   * @param cause the underlying exception, or null
   */
  public CheckpointException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
    this.file = file;
  }

  /** The checkpoint, or the directory. */
  public Path file() {
    return file;
  }
}
