package dev.cohort.simulation.datasets;

import java.nio.file.Path;

/**
 * A data file that does not hold what its format promises: malformed syntax, a truncated or corrupt compressed
 * stream, counts that disagree, a value of the wrong kind. The message names the file, the position, the client
 * (where one is concerned) and the problem:
 *
 * <pre>
 * train/all_data_0.json: line 1, column 2841: client 'f3152_47': num_samples says 163 examples, but x has 162
 * </pre>
 *
 * <p>Unchecked, because datasets read lazily: a client's examples are read when its dataset is iterated, which no
 * checked exception can cross.
 */
public final class DatasetFormatException extends RuntimeException {
  private final transient Path file;
  private final String position;
  private final String client;
  private final String problem;

  /**
   * A format error.
   *
   * @param file the file
   * @param position where in it, e.g. {@code line 3, column 17} or {@code byte 1234}
   * @param client the client concerned, or null
   * @param problem what is wrong: what was expected and what was found
   * @param cause the parser's or decompressor's exception, or null
   */
  public DatasetFormatException(Path file, String position, String client, String problem, Throwable cause) {
    super(file + ": " + position + ": " + (client != null ? "client '" + client + "': " : "") + problem, cause);
    this.file = file;
    this.position = position;
    this.client = client;
    this.problem = problem;
  }

  /** The file. */
  public Path file() {
    return file;
  }

  /** Where in the file, e.g. {@code line 3, column 17}. */
  public String position() {
    return position;
  }

  /** The client concerned, or null. */
  public String client() {
    return client;
  }

  /** What is wrong. */
  public String problem() {
    return problem;
  }
}
