package dev.cohort.examples;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * A runnable counterpart of one of TFF's tutorials. Running it prints, in order, what the tutorial's notebook
 * prints, each output preceded by a {@code #} line naming the notebook cell it corresponds to.
 */
public interface Tutorial {
  /** The name used on the command line, e.g. {@code custom-federated-algorithms-1}. */
  String name();

  /** One line saying what the tutorial shows. */
  String summary();

  /**
   * Whether the tutorial reads data files, so that a data directory may be given ({@code --data}); tutorials that
   * build their data in code return false.
   */
  boolean readsData();

  /**
   * Runs the tutorial, printing to {@code out}.
   *
   * @param dataDir a directory with the tutorial's data files, or null to use the default locations
   * @throws IllegalArgumentException if the data cannot be found (the message says how to get it); a
   *     {@link DataFileException} if a data file is there but cannot be used
   */
  void run(PrintStream out, Path dataDir);
}
