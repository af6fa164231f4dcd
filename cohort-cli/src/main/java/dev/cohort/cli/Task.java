package dev.cohort.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The tasks {@code cohort train}, {@code evaluate} and {@code data inspect} know: what {@code --data} holds for
 * each, the models that fit it, the default model and client learning rate, and where the data is looked for when
 * {@code --data} is not given ({@link #defaultData}). {@link TaskData} reads the data.
 */
enum Task {
  /** FEMNIST: LEAF JSON ({@code train/}, {@code test/}) or TFF's SQLite file; 62 classes of 28x28 images. */
  FEMNIST("femnist", "a directory with train/ and test/ LEAF JSON files, or TFF's SQLite file "
      + "(emnist_all.sqlite[.lzma]) with splits train and test", List.of("cnn", "mlp", "logreg"), 0.1,
      "femnist_leaf"),
  /** Fashion-MNIST: IDX files, partitioned over {@code --num-clients}; 10 classes. */
  FASHION_MNIST("fashion-mnist", TaskData.IDX_FILES, List.of("cnn", "mlp", "logreg"), 0.2, "fashion_mnist"),
  /** Any MNIST-like IDX data (MNIST, KMNIST, ...), partitioned over {@code --num-clients}. */
  MNIST_IDX("mnist-idx", TaskData.IDX_FILES, List.of("cnn", "mlp", "logreg"), 0.2, "mnist"),
  /** Next character of each speaker's lines: plain text, {@code NAME:} lines and speech. */
  SHAKESPEARE("shakespeare", "a text file of turns: a NAME: line, then the speech, turns separated by blank "
      + "lines (tiny shakespeare's layout)", List.of("mlp", "logreg"), 1.0, "shakespeare"),
  /** Multi-label tag prediction from a post's bag of words: a Stack Exchange data dump's {@code Posts.xml}. */
  STACKOVERFLOW_TAGS("stackoverflow-tags", "a Stack Exchange data dump's Posts.xml (or .xml.gz)",
      List.of("logreg", "mlp"), 100, "stackexchange_tags"),
  /** A user's rating of an item, as classes of the distinct rating values: a ratings CSV. */
  RATINGS("ratings", "a CSV file with a header and the columns of --columns (user, item, rating)",
      List.of("logreg", "mlp"), 1.0, "restaurant_ratings");

  /** The environment variable naming a directory of data sets laid out as {@code data/} ({@link #defaultData}). */
  static final String DATA_ENV = "COHORT_DATA";
  /** Where Debian's {@code dataset-fashion-mnist} installs the data set. */
  static final Path DEBIAN_FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

  private final String flag;
  private final String data;
  private final List<String> models;
  private final double defaultLr;
  private final String folder;

  Task(String flag, String data, List<String> models, double defaultLr, String folder) {
    this.flag = flag;
    this.data = data;
    this.models = models;
    this.defaultLr = defaultLr;
    this.folder = folder;
  }

  /** The name {@code --task} takes. */
  String flag() {
    return flag;
  }

  /** What {@code --data} must hold, in words. */
  String dataDescription() {
    return data;
  }

  /** The models that fit the task, the default first. */
  List<String> models() {
    return models;
  }

  /** The model used without {@code --model}. */
  String defaultModel() {
    return models.get(0);
  }

  /**
   * The client learning rate used without {@code --client-lr}: the best final test loss of a short sweep of the
   * default model (BENCHMARKS.md, "Default learning rates of the tasks").
   */
  double defaultLr() {
    return defaultLr;
  }

  /** Whether the data is centralized and partitioned over {@code --num-clients} by {@code --partition}. */
  boolean partitioned() {
    return this == FASHION_MNIST || this == MNIST_IDX;
  }

  /** The task {@code --task name} names, or a usage error listing them. */
  static Task of(String name) {
    for (Task t : values()) {
      if (t.flag.equals(name)) {
        return t;
      }
    }
    throw new Flags.FlagException("--task (" + name + ") must be one of " + String.join(", ", names()));
  }

  /** Every task's name. */
  static List<String> names() {
    return Arrays.stream(values()).map(Task::flag).toList();
  }

  /** {@code model} if it fits the task, else a usage error naming the models that do. */
  String model(String model) {
    if (model == null) {
      return defaultModel();
    }
    if (!models.contains(model)) {
      List<String> all = List.of("cnn", "mlp", "logreg");
      throw new Flags.FlagException("--model (" + model + ") " + (all.contains(model) ? "does not fit" : "is not a "
          + "model of") + " --task " + flag + ": use one of " + String.join(", ", models));
    }
    return model;
  }

  /**
   * The data used without {@code --data}: {@code $COHORT_DATA/<folder>} (the layout of the project's shared data:
   * {@code femnist_leaf/}, {@code fashion_mnist/}, {@code mnist/}, {@code shakespeare/},
   * {@code stackexchange_tags/}, {@code restaurant_ratings/}) where it holds the task's data, else the FEMNIST
   * sample shipped in {@code data/femnist_leaf} and Debian's Fashion-MNIST; null when none is there. A folder of a
   * file-based task resolves to its one data file ({@link #dataFile}).
   */
  Path defaultData(Map<String, String> env) {
    for (Path p : candidates(env)) {
      Path resolved = Files.isDirectory(p) && !directoryTask() ? dataFile(p) : p;
      if (resolved != null && usable(resolved)) {
        return resolved;
      }
    }
    return null;
  }

  /**
   * Whether {@code p} looks like the task's data (a default is skipped otherwise): FEMNIST's {@code train/} and
   * {@code test/} or a file, the four IDX files, or an existing data file.
   */
  private boolean usable(Path p) {
    return switch (this) {
      case FEMNIST -> Files.isRegularFile(p)
          || (Files.isDirectory(p.resolve("train")) && Files.isDirectory(p.resolve("test")));
      case FASHION_MNIST, MNIST_IDX -> TaskData.IDX_NAMES.stream().allMatch(n -> Files.isRegularFile(p.resolve(n))
          || Files.isRegularFile(p.resolve(n + ".gz")));
      default -> Files.isRegularFile(p);
    };
  }

  /** The places {@link #defaultData} looks at, in order. */
  List<Path> candidates(Map<String, String> env) {
    List<Path> out = new ArrayList<>();
    String root = env.get(DATA_ENV);
    if (root != null && !root.isEmpty()) {
      out.add(Path.of(root, folder));
    }
    if (this == FEMNIST) {
      out.add(TrainData.defaultFemnist());
    } else if (this == FASHION_MNIST) {
      out.add(DEBIAN_FASHION_MNIST);
    }
    return out;
  }

  /** Whether {@code --data} is a directory (FEMNIST's LEAF JSON and the IDX tasks) rather than one file. */
  boolean directoryTask() {
    return this == FEMNIST || partitioned();
  }

  /**
   * The data file of a file-based task in {@code dir}: the only file there with the task's extension
   * ({@code .txt}; {@code Posts.xml[.gz]}; {@code .csv}, preferring {@code rating_final.csv}, the UCI file), or
   * null.
   */
  Path dataFile(Path dir) {
    try (var files = Files.list(dir)) {
      List<Path> matching = files.filter(Files::isRegularFile).filter(p -> {
        String n = p.getFileName().toString();
        return switch (this) {
          case SHAKESPEARE -> n.endsWith(".txt");
          case STACKOVERFLOW_TAGS -> n.endsWith("Posts.xml") || n.endsWith("Posts.xml.gz");
          default -> n.endsWith(".csv");
        };
      }).sorted().toList();
      if (this == RATINGS) {
        for (Path p : matching) {
          if (p.getFileName().toString().equals("rating_final.csv")) {
            return p;
          }
        }
      }
      return matching.size() == 1 ? matching.get(0) : null;
    } catch (java.io.IOException e) {
      return null;
    }
  }
}
