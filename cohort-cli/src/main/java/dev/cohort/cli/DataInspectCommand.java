package dev.cohort.cli;

import dev.cohort.core.values.Struct;
import dev.cohort.simulation.ClientData;
import dev.cohort.simulation.LabelSkew;
import dev.cohort.tensor.Tensor;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cohort data inspect}: a task's data as {@code cohort train} would read it: its clients, the examples per
 * client of each split (min / median / max) and the label skew of the train split (cohort-simulation's
 * {@link LabelSkew}: labels per client and the mean total-variation distance of a client's label mix from the whole
 * data set's). For multi-label data (stackoverflow-tags) a label count is an occurrence of a tag.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true, versionProvider = InfoCommand.Version.class,
    sortOptions = false,
    description = "Print a task's clients, examples per client (min / median / max) and label skew.",
    footer = {"", "Examples:",
        "  cohort data inspect                                        # the FEMNIST sample cohort train uses",
        "  cohort data inspect --task fashion-mnist --partition dirichlet:0.1 --num-clients 50",
        "  cohort data inspect --task shakespeare --data tinyshakespeare.txt --json"})
final class DataInspectCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin
  DataOptions dataOptions;

  @Option(names = "--seed", paramLabel = "S", description = "Seed of the partition (fashion-mnist, mnist-idx) and "
      + "of the ratings split, as cohort train's --seed. Default: ${DEFAULT-VALUE}.")
  long seed = 0;

  @Option(names = "--json", description = "Print one JSON object instead of the table.")
  boolean json;

  /**
   * A split's examples per client and label counts.
   *
   * @param examples each client's examples, clients in id order
   * @param counts each client's label counts
   */
  record Split(int[] examples, int[][] counts) {
    long total() {
      return Arrays.stream(examples).asLongStream().sum();
    }

    /** Min, median (the lower middle one for an even count) and max of the examples per client. */
    int[] spread() {
      int[] sorted = examples.clone();
      Arrays.sort(sorted);
      return sorted.length == 0 ? new int[3]
          : new int[] {sorted[0], sorted[(sorted.length - 1) / 2], sorted[sorted.length - 1]};
    }
  }

  /** The examples and label counts of every client of {@code split}. */
  static Split inspect(TrainData d, ClientData split) {
    List<String> ids = split.clientIds();
    int[] examples = new int[ids.size()];
    int[][] counts = new int[ids.size()][d.classes()];
    for (int k = 0; k < ids.size(); k++) {
      for (Object element : split.dataset(ids.get(k)).batch(Evaluator.BATCH)) {
        Tensor y = (Tensor) ((Struct) element).get("y");
        if (d.multiLabel()) {
          float[] hot = y.floatData();
          examples[k] += y.shape().dim(0);
          for (int i = 0; i < hot.length; i++) {
            counts[k][i % d.classes()] += hot[i] > 0 ? 1 : 0;
          }
        } else {
          for (int label : y.intData()) {
            examples[k]++;
            counts[k][label]++;
          }
        }
      }
    }
    return new Split(examples, counts);
  }

  @Override
  public Integer call() {
    Task task = dataOptions.task();
    TrainData d = dataOptions.load(seed);
    Split train = inspect(d, d.train());
    Split test = inspect(d, d.test());
    LabelSkew skew = LabelSkew.of(train.counts(), d.classes());
    PrintWriter out = spec.commandLine().getOut();
    String labels = d.multiLabel() ? "tags" : "classes";
    if (json) {
      Json j = new Json().put("command", "data inspect").put("task", task.flag()).put("source", d.source())
          .put("clients", d.train().clientIds().size()).put(labels, d.classes());
      for (String name : List.of("train", "test")) {
        Split s = name.equals("train") ? train : test;
        int[] spread = s.spread();
        j.put(name + "_examples", s.total()).put(name + "_examples_min", spread[0])
            .put(name + "_examples_median", spread[1]).put(name + "_examples_max", spread[2])
            .put(name + "_empty_clients", Arrays.stream(s.examples()).filter(n -> n == 0).count());
      }
      j.put("labels_per_client", skew.meanLabelsPerClient()).put("mean_tv_distance", skew.meanTotalVariation());
      out.println(j.end());
    } else {
      out.println(Output.row("task", task.flag() + ": " + d.source()));
      out.println(Output.row("clients", Integer.toString(d.train().clientIds().size())));
      out.println(Output.row(labels, d.classes() + (d.multiLabel() ? " (an example may have several)" : "")
          + ", examples of shape " + d.inputShape()));
      for (String name : List.of("train", "test")) {
        Split s = name.equals("train") ? train : test;
        int[] spread = s.spread();
        long empty = Arrays.stream(s.examples()).filter(n -> n == 0).count();
        out.println(Output.row(name, String.format(Locale.ROOT, "%,d examples; per client min %,d / median %,d "
            + "/ max %,d%s", s.total(), spread[0], spread[1], spread[2], empty == 0 ? ""
            : String.format(Locale.ROOT, " (%d without any)", empty))));
      }
      out.println(Output.row("label skew", String.format(Locale.ROOT, "train: %.2f %s per client (of %d); mean "
          + "total-variation distance from the overall %s mix %.3f (0: the same mix, 1: disjoint)",
          skew.meanLabelsPerClient(), labels, d.classes(), d.multiLabel() ? "tag" : "label",
          skew.meanTotalVariation())));
    }
    out.flush();
    return 0;
  }
}
