package dev.cohort.examples;

import dev.cohort.simulation.datasets.DatasetFormatException;
import dev.cohort.simulation.datasets.Idx;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the Fashion-MNIST test split (10,000 examples, 1,000 of each class): the directory given with
 * {@code --data}; else Debian's {@code dataset-fashion-mnist} install location; else {@code ../shared/data/fashion_mnist}
 * relative to the working directory.
 */
final class FashionMnist {
  static final String IMAGES = "t10k-images-idx3-ubyte.gz";
  static final String LABELS = "t10k-labels-idx1-ubyte.gz";
  static final Path DEBIAN = Path.of("/usr/share/datasets/fashion-mnist");
  static final Path SHARED = Path.of("..", "shared", "data", "fashion_mnist");

  private FashionMnist() {}

  /**
   * The directory to read, or a precise error.
   *
   * @throws IllegalArgumentException if {@code dataDir} lacks the files, or no default location has them
   */
  static Path locate(Path dataDir) {
    if (dataDir != null) {
      if (!has(dataDir)) {
        throw new IllegalArgumentException("--data " + dataDir + ": expected " + IMAGES + " and " + LABELS
            + " (gzip IDX files) in that directory");
      }
      return dataDir;
    }
    List<Path> tried = new ArrayList<>();
    for (Path p : List.of(DEBIAN, SHARED)) {
      if (has(p)) {
        return p;
      }
      tried.add(p.toAbsolutePath().normalize());
    }
    throw new IllegalArgumentException("Fashion-MNIST not found (looked in " + tried + "); install it with"
        + " 'apt-get install dataset-fashion-mnist' or pass --data DIR with " + IMAGES + " and " + LABELS);
  }

  private static boolean has(Path dir) {
    return Files.isRegularFile(dir.resolve(IMAGES)) && Files.isRegularFile(dir.resolve(LABELS));
  }

  /**
   * Reads the split in {@code dir}, strictly ({@link Idx}).
   *
   * @throws DataFileException naming the file when it is unreadable, corrupt or inconsistent (the tutorial's
   *     contract: a data file that is there but cannot be used)
   */
  static Idx.Examples read(Path dir) {
    try {
      return Idx.read(dir.resolve(IMAGES), dir.resolve(LABELS));
    } catch (DatasetFormatException e) {
      throw new DataFileException(e.getMessage(), e);
    } catch (UncheckedIOException e) {
      throw new DataFileException(e.getMessage() + ": " + e.getCause().getMessage(), e);
    }
  }
}
