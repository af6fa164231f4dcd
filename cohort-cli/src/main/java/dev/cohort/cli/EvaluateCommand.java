package dev.cohort.cli;

import dev.cohort.learning.models.FunctionalModel;
import dev.cohort.learning.models.ModelWorker;
import dev.cohort.nn.Npz;
import dev.cohort.nn.Sequential;
import dev.cohort.simulation.ClientData;
import dev.cohort.tensor.Tensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cohort evaluate}: the weights of a model ({@code model.npz} of a run directory, or any
 * {@code --export-weights} file) on a task's data. Federated: each client's loss and accuracy on its own examples,
 * then their mean over clients (each client counts once) with the spread of client accuracies; centralized: loss
 * and accuracy over every example of every client pooled (what TFF's federated evaluation, which sums the
 * clients' metric states, reports).
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, versionProvider = InfoCommand.Version.class,
    sortOptions = false,
    description = "Evaluate model weights on a task's data: per client (federated) and pooled (centralized).",
    footer = {"", "Examples:",
        "  cohort evaluate --weights runs/20260101-120000/model.npz     # on the FEMNIST sample's test split",
        "  cohort evaluate --weights model.npz --task fashion-mnist --partition dirichlet:0.5 --per-client",
        "  cohort evaluate --weights model.npz --task shakespeare --data tinyshakespeare.txt --split train --json"})
final class EvaluateCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--weights", required = true, paramLabel = "FILE.npz",
      description = "The weights: a run directory's model.npz or a file of cohort train --export-weights.")
  Path weights;

  @CommandLine.Mixin
  DataOptions dataOptions;

  @Option(names = "--model", paramLabel = "MODEL", description = "The model the weights are of (cnn, mlp, "
      + "logreg). Default: the task's model that the weights fit.")
  String model;

  @Option(names = "--split", paramLabel = "SPLIT", description = "test or train. Default: ${DEFAULT-VALUE}.")
  String split = "test";

  @Option(names = "--seed", paramLabel = "S", description = "Seed of the partition (fashion-mnist, mnist-idx) and "
      + "of the ratings split: the --seed of the training run. Default: ${DEFAULT-VALUE}.")
  long seed = 0;

  @Option(names = "--per-client", description = "Also print each client's examples, loss and accuracy.")
  boolean perClient;

  @Option(names = "--json", description = "Print one JSON object instead of the table.")
  boolean json;

  @Override
  public Integer call() {
    Task task = dataOptions.task();
    Flags.choice("--split", split, List.of("test", "train"));
    if (model != null) {
      task.model(model);
    }
    dataOptions.checkApplicable();
    dataOptions.path();
    if (!Files.isRegularFile(weights)) {
      throw new Flags.FlagException("--weights (" + weights + ") is not a file");
    }
    Map<String, Tensor> w;
    try {
      w = Npz.read(weights);
    } catch (IOException | IllegalArgumentException e) {
      throw new UserFileException("--weights " + weights + ": cannot read it as .npz: " + e.getMessage(), e);
    }
    TrainData d = dataOptions.load(seed);
    List<String> tried = model != null ? List.of(model) : task.models();
    List<String> problems = new ArrayList<>();
    for (String m : tried) {
      Supplier<Sequential> architecture;
      try {
        architecture = TrainCommand.architecture(m, d, 0);
      } catch (Flags.FlagException e) {
        problems.add(m + ": " + e.getMessage());
        continue;
      }
      try {
        architecture.get().setWeights(w);
      } catch (IllegalArgumentException e) {
        problems.add(m + ": " + e.getMessage().split("; ")[0] + (e.getMessage().contains("; ") ? "; ..." : ""));
        continue;
      }
      FunctionalModel fm = TrainCommand.model(task.flag(), m, d, TrainCommand.withWeights(architecture, w));
      report(task, m, d, fm.newWorker());
      return 0;
    }
    throw new Flags.FlagException("--weights " + weights + " does not fit " + (model != null ? "--model " + model
        : "any model of --task " + task.flag()) + " on this data (" + d.inputShape() + " examples, " + d.classes()
        + (d.multiLabel() ? " tags" : " classes") + "): " + String.join("; ", problems));
  }

  private void report(Task task, String m, TrainData d, ModelWorker worker) {
    ClientData data = split.equals("test") ? d.test() : d.train();
    List<Evaluator.Client> clients = Evaluator.perClient(worker, d, data);
    double[] pooled = Evaluator.pooled(clients);
    double[] mean = Evaluator.meanOverClients(clients);
    List<Double> accuracies = new ArrayList<>();
    long examples = 0;
    for (Evaluator.Client c : clients) {
      examples += c.examples();
      if (c.examples() > 0) {
        accuracies.add(c.accuracy());
      }
    }
    accuracies.sort(null);
    double[] spread = accuracies.isEmpty() ? new double[] {Double.NaN, Double.NaN, Double.NaN}
        : new double[] {accuracies.get(0), accuracies.get((accuracies.size() - 1) / 2),
            accuracies.get(accuracies.size() - 1)};
    String metric = d.multiLabel() ? "precision at 1" : "accuracy";
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Json j = new Json().put("command", "evaluate").put("task", task.flag()).put("model", m)
          .put("weights", weights.toString()).put("split", split).put("clients", clients.size())
          .put("evaluated_clients", accuracies.size()).put("examples", examples)
          .metric("federated_mean_accuracy", mean[1]).metric("federated_mean_loss", mean[0])
          .metric("federated_min_accuracy", spread[0]).metric("federated_median_accuracy", spread[1])
          .metric("federated_max_accuracy", spread[2])
          .metric("centralized_accuracy", pooled[1]).metric("centralized_loss", pooled[0]);
      if (perClient) {
        List<String> rows = new ArrayList<>();
        for (Evaluator.Client c : clients) {
          rows.add(new Json().put("client", c.client()).put("examples", c.examples())
              .metric("loss", c.loss()).metric("accuracy", c.accuracy()).end());
        }
        j.putJson("per_client", "[" + String.join(",", rows) + "]");
      }
      out.println(j.end());
    } else {
      out.println(Output.row("weights", weights + " (" + m + ")"));
      out.println(Output.row("data", task.flag() + ": " + d.source() + ", " + split + " split"));
      if (perClient) {
        for (Evaluator.Client c : clients) {
          out.println(Output.row("  " + c.client(), c.examples() == 0 ? "no examples"
              : String.format(Locale.ROOT, "%,d examples, loss %.4f, %s %.2f %%", c.examples(), c.loss(), metric,
                  100 * c.accuracy())));
        }
      }
      out.println(Output.row("federated", String.format(Locale.ROOT, "mean over %d clients with examples (of %d):"
          + " %s %.2f %%, loss %.4f; client %s min %.2f / median %.2f / max %.2f %%", accuracies.size(),
          clients.size(), metric, 100 * mean[1], mean[0], metric, 100 * spread[0], 100 * spread[1],
          100 * spread[2])));
      out.println(Output.row("centralized", String.format(Locale.ROOT, "%,d examples pooled: %s %.2f %%, loss %.4f",
          examples, metric, 100 * pooled[1], pooled[0])));
    }
    out.flush();
  }
}
