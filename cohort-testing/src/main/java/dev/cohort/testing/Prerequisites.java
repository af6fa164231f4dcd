package dev.cohort.testing;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Prerequisites of tests that need data or tools the build does not bring (a Debian data set, numpy).
 *
 * <p>Locally a missing prerequisite skips the test with a message that says what to install. Under continuous
 * integration ({@code CI=true} in the environment) it fails the test with the same message: CI installs every
 * prerequisite, so a missing one means the install step broke, and a skipped test would hide it.
 */
public final class Prerequisites {
  private Prerequisites() {}

  /** Whether this run is a CI run ({@code CI=true}), where missing prerequisites fail instead of skipping. */
  public static boolean underCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /**
   * Requires a prerequisite.
   *
   * @param present whether it is there
   * @param what what is missing, e.g. {@code "Fashion-MNIST in /usr/share/..."}
   * @param install how to get it, e.g. {@code "apt-get install dataset-fashion-mnist"}
   */
  public static void require(boolean present, String what, String install) {
    if (present) {
      return;
    }
    String message = "missing prerequisite: " + what + "; install it with: " + install;
    if (underCi()) {
      Assertions.fail(message + " (CI=true: a missing prerequisite fails the run)");
    }
    Assumptions.abort(message);
  }
}
