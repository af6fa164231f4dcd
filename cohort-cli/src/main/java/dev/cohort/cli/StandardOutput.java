package dev.cohort.cli;

import java.io.IOException;
import java.io.Writer;

/**
 * The writer behind a command's standard output. It remembers the first write error, which the PrintWriter that
 * picocli hands to commands would swallow, so that {@link Cohort#execute} can fail a run whose output was lost
 * (a full disk). A reader that stops early (a pipe into {@code head}) is not a failure.
 */
final class StandardOutput extends Writer {
  private final Writer out;
  private IOException failure;

  StandardOutput(Writer out) {
    this.out = out;
  }

  /** The first write error, or null. */
  IOException failure() {
    return failure;
  }

  /** Whether the first write error, if any, only says that the reader closed the pipe. */
  boolean readerStopped() {
    return failure != null && "Broken pipe".equals(failure.getMessage());
  }

  @Override
  public void write(char[] buffer, int offset, int length) throws IOException {
    try {
      out.write(buffer, offset, length);
    } catch (IOException e) {
      throw remember(e);
    }
  }

  @Override
  public void flush() throws IOException {
    try {
      out.flush();
    } catch (IOException e) {
      throw remember(e);
    }
  }

  @Override
  public void close() throws IOException {
    flush(); // standard output stays open for the JVM
  }

  private IOException remember(IOException e) {
    if (failure == null) {
      failure = e;
    }
    return e;
  }
}
