package dev.cohort.examples;

import dev.cohort.core.values.Struct;
import dev.cohort.simulation.Dataset;
import dev.cohort.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The FEMNIST LEAF sample the learning tutorials train on: 73 writers of 62 classes in LEAF JSON, shipped in the
 * repository's {@code data/femnist_leaf} (see {@code data/README.md}). TFF's tutorials train on federated EMNIST's
 * digits, so {@link #digits} keeps labels 0..9. {@link #shipped} is public: the command line's tasks find the
 * sample the same way.
 */
public final class FemnistSample {
  private FemnistSample() {}

  /**
   * The FEMNIST LEAF directory {@code tutorial} reads: {@code dataDir}, or else the shipped sample, found from the
   * launcher's {@code cohort.home} or, without the launcher (tests, an IDE), in {@code data/femnist_leaf} of the
   * working directory or one of its parents.
   *
   * @throws IllegalArgumentException saying where the data was looked for and what it must hold
   */
  static Path locate(String tutorial, Path dataDir) {
    Path root = dataDir != null ? dataDir : shipped();
    if (!Files.isDirectory(root.resolve("train")) || !Files.isDirectory(root.resolve("test"))) {
      throw new IllegalArgumentException(tutorial + " needs the FEMNIST LEAF data: directories train/ and"
          + " test/ of LEAF JSON files (*.json or *.json.gz) under " + root.toAbsolutePath().normalize()
          + (dataDir != null ? "" : " (the sample shipped in the repository's data/femnist_leaf; pass --data DIR"
          + " for another place)"));
    }
    return root;
  }

  /**
   * The directory of the FEMNIST sample shipped with the project: {@code data/femnist_leaf} under the launcher's
   * {@code cohort.home}, or, without the launcher (tests, an IDE), under the working directory or the nearest of its
   * parents that has one; {@code data/femnist_leaf} relative to the working directory when none has.
   */
  public static Path shipped() {
    String home = System.getProperty("cohort.home");
    if (home != null) {
      return Path.of(home, "data", "femnist_leaf");
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("data").resolve("femnist_leaf");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    return Path.of("data", "femnist_leaf");
  }

  /** The examples of {@code examples} labelled with a digit (0..9), as federated EMNIST's {@code only_digits}. */
  static Dataset digits(Dataset examples) {
    return examples.filter(e -> ((Tensor) ((Struct) e).get("label")).intValue() < 10);
  }
}
