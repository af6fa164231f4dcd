package dev.cohort.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The flags that say which data a command reads, shared by {@code train}, {@code evaluate} and {@code data inspect}:
 * {@code --task}, {@code --data}, and for the IDX tasks {@code --num-clients} and {@code --partition}, for ratings
 * {@code --columns}.
 */
final class DataOptions {
  @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--task", paramLabel = "TASK", description = "femnist (62 classes of handwritten characters, a "
      + "client per writer), fashion-mnist or mnist-idx (10 classes of 28x28 images, partitioned over clients), "
      + "shakespeare (next character, a client per speaker), stackoverflow-tags (tags of a post from its words, a "
      + "client per user), ratings (a user's rating of an item, a client per user). Default: femnist.")
  String task = "femnist";

  @Option(names = "--data", paramLabel = "PATH", description = "The task's data: femnist a directory with train/ "
      + "and test/ LEAF JSON files or TFF's SQLite file; fashion-mnist, mnist-idx a directory of IDX files "
      + "(train-* and t10k-*); shakespeare a text file of NAME: turns; stackoverflow-tags a Stack Exchange "
      + "Posts.xml[.gz]; ratings a CSV file. Default: $COHORT_DATA/<folder> if it exists (femnist_leaf, "
      + "fashion_mnist, mnist, shakespeare, stackexchange_tags, restaurant_ratings), else for femnist the sample in "
      + "data/femnist_leaf and for fashion-mnist Debian's /usr/share/datasets/fashion-mnist.")
  Path data;

  @Option(names = "--num-clients", paramLabel = "N", description = "fashion-mnist, mnist-idx: clients to partition "
      + "the examples over, >= 1. Default: ${DEFAULT-VALUE}.")
  int numClients = 100;

  @Option(names = "--partition", paramLabel = "HOW", description = "fashion-mnist, mnist-idx: iid (equal random "
      + "parts) or dirichlet:ALPHA (each label's examples spread by Dirichlet(ALPHA) proportions; small ALPHA, few "
      + "labels per client). Default: ${DEFAULT-VALUE}.")
  String partition = "iid";

  @Option(names = "--columns", paramLabel = "USER,ITEM,RATING", description = "ratings: the CSV header's user, "
      + "item and rating columns. Default: ${DEFAULT-VALUE} (the UCI restaurant ratings).")
  String columns = "userID,placeID,rating";

  /** The task, checked. */
  Task task() {
    return Task.of(task);
  }

  /**
   * The data path: {@code --data}, else the task's default ({@link Task#defaultData}).
   *
   * @throws Flags.FlagException if it does not exist, or there is no default
   */
  Path path() {
    Task t = task();
    if (data != null) {
      if (!Files.exists(data)) {
        throw new Flags.FlagException("--data (" + data + ") does not exist; --task " + t.flag() + " reads "
            + t.dataDescription());
      }
      return data;
    }
    Path found = t.defaultData(System.getenv());
    if (found == null) {
      List<Path> tried = t.candidates(System.getenv());
      throw new Flags.FlagException("--task " + t.flag() + " needs --data PATH: " + t.dataDescription()
          + (tried.isEmpty() ? "" : " (not found in " + tried.stream().map(Path::toString).toList() + ")")
          + (t == Task.FASHION_MNIST ? "; or install Debian's dataset-fashion-mnist" : ""));
    }
    return found;
  }

  /** {@code --num-clients} and {@code --partition} as {@code train}'s config records them, or null. */
  TrainConfig.Partitioning partitionFlags() {
    checkApplicable();
    return task().partitioned() ? new TrainConfig.Partitioning(numClients, partition) : null;
  }

  /** {@code --columns} where the task reads it, else null. */
  String columnsFlag() {
    checkApplicable();
    return task() == Task.RATINGS ? columns : null;
  }

  /** Rejects flags the task does not read, and checks the values of those it does. */
  void checkApplicable() {
    Task t = task();
    if (t.partitioned()) {
      if (numClients < 1) {
        throw new Flags.FlagException("--num-clients (" + numClients + ") must be >= 1");
      }
      TaskData.partitioner(partition, numClients, 0);
    } else {
      String why = "with --task " + t.flag() + ": its data has its own clients (only fashion-mnist and mnist-idx "
          + "are partitioned)";
      Flags.notApplicable(spec, "--num-clients", why);
      Flags.notApplicable(spec, "--partition", why);
    }
    if (t == Task.RATINGS) {
      TaskData.columns(columns);
    } else {
      Flags.notApplicable(spec, "--columns", "with --task " + t.flag() + ": only ratings reads a CSV");
    }
  }

  /** The data of {@link #task} at {@link #path}, partitioned and split with {@code seed}. */
  TrainData load(long seed) {
    checkApplicable();
    return TaskData.load(task(), path(), new TaskData.Options(numClients, partition,
        task() == Task.RATINGS ? TaskData.columns(columns) : null, seed));
  }

  /** The task's default data, as {@code cohort info} lists it: each task and where its data is, if found. */
  static Map<Task, Path> found(Map<String, String> env) {
    Map<Task, Path> out = new java.util.LinkedHashMap<>();
    for (Task t : Task.values()) {
      Path p = t.defaultData(env);
      if (p != null) {
        out.put(t, p);
      }
    }
    return out;
  }
}
