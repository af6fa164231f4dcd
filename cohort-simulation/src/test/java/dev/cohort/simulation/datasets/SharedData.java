package dev.cohort.simulation.datasets;

import dev.cohort.testing.Prerequisites;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The project's shared data sets ({@code shared/data/} beside the repository): found by walking up from the working
 * directory, which is the module's directory under Maven and the repository root under an IDE.
 */
final class SharedData {
  private SharedData() {}

  /** {@code shared/data/<name>}, or the test is skipped (locally) or failed (CI) saying where it was looked for. */
  static Path require(String name) {
    Path start = Path.of("").toAbsolutePath();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared").resolve("data").resolve(name);
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    Prerequisites.require(false, "the shared data set shared/data/" + name + " (looked in every parent of "
        + start + ")", "a checkout with ../shared/data beside the repository");
    throw new AssertionError("unreachable: Prerequisites.require aborts the test");
  }
}
