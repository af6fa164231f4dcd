package dev.cohort.cli;

import dev.cohort.core.ContextStack;
import dev.cohort.core.runtime.InProcessContext;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Struct;
import dev.cohort.learning.models.BatchOutput;
import dev.cohort.learning.models.FunctionalModel;
import dev.cohort.learning.models.ModelWeights;
import dev.cohort.learning.models.ModelWorker;
import dev.cohort.learning.templates.LearningProcess;
import dev.cohort.nn.Parameter;
import dev.cohort.nn.Sequential;
import dev.cohort.privacy.DpEvent;
import dev.cohort.privacy.NeighboringRelation;
import dev.cohort.privacy.RdpAccountant;
import dev.cohort.simulation.ClientSampler;
import dev.cohort.simulation.Dataset;
import dev.cohort.simulation.training.Metrics;
import dev.cohort.tensor.Blas;
import dev.cohort.tensor.Tensor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;

/**
 * One run of {@code cohort train}: the rounds, the evaluations, the output and the run directory. Round {@code r}
 * (1-based) trains the clients {@code sampler.sample(r)}; each shuffles its examples keyed on (seed, r, client), so
 * a round's inputs depend on the seed and the round alone, and the results are the same bits at any thread count.
 */
final class Training {
  /** Evaluation batch size: forward passes only, so larger than training's. */
  private static final int EVAL_BATCH = 256;

  /**
   * What a run trains.
   *
   * @param model the model
   * @param architecture builds the model's network (for writing weights)
   * @param process the learning process
   * @param sampler who takes part in each round
   */
  record Setup(FunctionalModel model, Supplier<Sequential> architecture, LearningProcess process,
      ClientSampler sampler) {}

  private final CommandLine.Model.CommandSpec spec;
  private final TrainConfig config;
  private final TrainData data;
  private final Setup setup;
  private final RunDirectory dir;
  private final PrintWriter text;
  private final boolean quiet;

  Training(CommandLine.Model.CommandSpec spec, TrainConfig config, TrainData data, Setup setup, RunDirectory dir) {
    this.spec = spec;
    this.config = config;
    this.data = data;
    this.setup = setup;
    this.dir = dir;
    boolean json = spec.commandLine().getParseResult().hasMatchedOption("--json");
    this.text = json ? spec.commandLine().getErr() : spec.commandLine().getOut();
    this.quiet = spec.commandLine().getParseResult().hasMatchedOption("--quiet");
  }

  @SuppressWarnings("try") // the scope is the point: it installs the context the rounds run in
  int run() {
    long start = System.nanoTime();
    List<String> population = data.train().clientIds();
    long trainExamples = TrainData.examples(data.train(), population);
    long testExamples = TrainData.examples(data.test(), data.test().clientIds());
    Sequential net = setup.architecture().get();
    long parameters = net.parameterCount();
    long trainable = setup.model().initialWeights().trainable().values().stream()
        .mapToLong(t -> ((Tensor) t).size()).sum();
    // Each client receives the float32 model, and with Mime-Lite also the server's optimizer state.
    long downloadBits = 32L * parameters * (config.algorithm().equals("mime-lite") ? 1 + optimizerSlots() : 1);
    dir.writeConfig(config.toJson());
    if (!quiet) {
      header(population.size(), trainExamples, testExamples, parameters);
    }
    List<RunDirectory.Row> rows = new ArrayList<>();
    ModelWorker evaluator = setup.model().newWorker();
    Object state;
    try (InProcessContext context = InProcessContext.builder().threads(config.threads()).build();
         ContextStack.Scope scope = ContextStack.install(context);
         Progress progress = Progress.start(quiet, config.rounds())) {
      state = setup.process().initialize().call();
      for (int round = 1; round <= config.rounds(); round++) {
        long t0 = System.nanoTime();
        List<String> ids = setup.sampler().sample(round);
        double trainLoss = Double.NaN;
        double trainAccuracy = Double.NaN;
        long examples = 0;
        long clientBits = 32L * trainable;
        if (!ids.isEmpty()) { // Poisson sampling can draw nobody: the round then changes nothing
          Struct out = (Struct) setup.process().next().call(state, roundData(ids, round));
          state = out.get("state");
          Struct train = (Struct) ((Struct) ((Struct) ((FederatedValue) out.get("metrics")).value())
              .get("client_work")).get("train");
          trainLoss = scalar(train.get("loss"));
          trainAccuracy = scalar(train.get("sparse_categorical_accuracy"));
          examples = (long) scalar(train.get("num_examples"));
          clientBits = uploadBits(Metrics.flatten(out.get("metrics")), trainable);
        }
        double testLoss = Double.NaN;
        double testAccuracy = Double.NaN;
        if (config.evaluates(round)) {
          double[] eval = evaluate(evaluator, weights(state));
          testLoss = eval[0];
          testAccuracy = eval[1];
        }
        double epsilon = config.noiseMultiplier() == null ? Double.NaN : epsilon(round, population.size());
        RunDirectory.Row row = new RunDirectory.Row(round, ids.size(), examples, trainLoss, trainAccuracy, testLoss,
            testAccuracy, epsilon, clientBits * ids.size(), downloadBits * ids.size(),
            (System.nanoTime() - t0) / 1e9);
        rows.add(row);
        dir.append(row);
        progress.step(Double.isNaN(trainLoss) ? "no clients" : String.format(Locale.ROOT, "loss %.3f", trainLoss));
        if (!quiet && config.evaluates(round)) {
          progress.line(text, roundLine(row));
        }
      }
    }
    ModelWeights finalWeights = weights(state);
    setWeights(net, finalWeights);
    List<Path> written = new ArrayList<>(List.of(dir.config(), dir.csv(), dir.jsonl()));
    written.add(dir.writeWeights(net));
    if (config.exportWeights() != null) {
      written.add(RunDirectory.writeWeights(net, config.exportWeights(), "--export-weights"));
    }
    written.addAll(dir.writeReport(config, rows, parameters));
    double wall = (System.nanoTime() - start) / 1e9;
    summary(rows, written, wall);
    return 0;
  }

  private void header(int clients, long trainExamples, long testExamples, long parameters) {
    text.println(Output.row("task", config.task() + ": " + data.source()));
    text.println(Output.row("data", String.format(Locale.ROOT, "%d clients, %,d train / %,d test examples, %d "
        + "classes", clients, trainExamples, testExamples, data.classes())));
    text.println(Output.row("model", String.format(Locale.ROOT, "%s, %,d parameters", config.model(), parameters)));
    String who = config.clients() != null ? "the fixed cohort of " + config.clients().size() + " clients"
        : config.clientsPerRound() + " clients per round (" + config.sampling() + ")";
    text.println(Output.row("algorithm", String.format(Locale.ROOT, "%s: %d rounds, %s, %d epoch%s of batch %d%s",
        config.algorithm(), config.rounds(), who, config.epochs(), config.epochs() == 1 ? "" : "s",
        config.batchSize(), config.shuffle() ? "" : " (not shuffled)")));
    text.println(Output.row("optimizers", String.format(Locale.ROOT, "client %s lr %s, server %s lr %s",
        config.clientOptimizer(), config.clientLr(), config.serverOptimizer(), config.serverLr())));
    text.println(Output.row("aggregator", config.aggregator() + (config.noiseMultiplier() == null ? ""
        : String.format(Locale.ROOT, " (noise multiplier %s, clip %s, delta %s)", config.noiseMultiplier(),
            config.clip(), config.delta())) + (config.aggregator().equals("robust") ? (config.clip() == null
        ? " (zeroing at the adaptive 0.98 quantile, clipping at the adaptive 0.8 quantile)"
        : " (zeroing at the adaptive 0.98 quantile, clipping at " + config.clip() + ")") : "")));
    text.println(Output.row("blas", Blas.describe()));
    text.println(Output.row("threads", Integer.toString(config.threads())));
    text.println(Output.row("seed", Long.toString(config.seed())));
    text.println(Output.row("output", dir.path().toString()));
    text.flush();
  }

  private String roundLine(RunDirectory.Row r) {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "round %" + digits(config.rounds()) + "d/%d",
        r.round(), config.rounds()));
    if (!Double.isNaN(r.trainLoss())) {
      sb.append(String.format(Locale.ROOT, "  train loss %.4f", r.trainLoss()));
    }
    sb.append(String.format(Locale.ROOT, "  test loss %.4f  test accuracy %.2f %%", r.testLoss(),
        100 * r.testAccuracy()));
    if (!Double.isNaN(r.epsilon())) {
      sb.append(String.format(Locale.ROOT, "  ε %s", GuaranteeOutput.epsilon(r.epsilon())));
    }
    sb.append(String.format(Locale.ROOT, "  %.1f s", r.seconds()));
    return sb.toString();
  }

  private void summary(List<RunDirectory.Row> rows, List<Path> written, double wall) {
    RunDirectory.Row last = rows.get(rows.size() - 1);
    long examples = rows.stream().mapToLong(RunDirectory.Row::examples).sum();
    long bitsUp = rows.stream().mapToLong(RunDirectory.Row::bitsUp).sum();
    long bitsDown = rows.stream().mapToLong(RunDirectory.Row::bitsDown).sum();
    if (spec.commandLine().getParseResult().hasMatchedOption("--json")) {
      List<String> evaluations = new ArrayList<>();
      for (RunDirectory.Row r : rows) {
        if (!Double.isNaN(r.testAccuracy())) {
          evaluations.add(r.toJson());
        }
      }
      Json j = new Json().put("command", "train").put("task", config.task()).put("model", config.model())
          .put("algorithm", config.algorithm()).put("aggregator", config.aggregator()).put("rounds", config.rounds())
          .put("final_test_accuracy", last.testAccuracy()).put("final_test_loss", last.testLoss());
      if (!Double.isNaN(last.epsilon())) {
        j.put("epsilon", last.epsilon()).put("delta", config.delta());
      }
      j.put("examples_trained", examples).put("bits_up", bitsUp).put("bits_down", bitsDown)
          .put("wall_seconds", wall).put("run_dir", dir.path().toString())
          .put("files", written.stream().map(Path::toString).toList())
          .putJson("evaluations", "[" + String.join(",", evaluations) + "]");
      spec.commandLine().getOut().println(j.end());
      spec.commandLine().getOut().flush();
    }
    PrintWriter w = text;
    w.println(Output.row("test accuracy", String.format(Locale.ROOT, "%.2f %% (test loss %.4f) after %d rounds",
        100 * last.testAccuracy(), last.testLoss(), config.rounds())));
    if (!Double.isNaN(last.epsilon())) {
      w.println(Output.row("privacy", String.format(Locale.ROOT, "(%s, %s)-DP", GuaranteeOutput.epsilon(
          last.epsilon()), config.delta())));
    }
    w.println(Output.row("trained", String.format(Locale.ROOT, "%,d examples; %.1f MB up, %.1f MB down",
        examples, bitsUp / 8e6, bitsDown / 8e6)));
    w.println(Output.row("wall time", String.format(Locale.ROOT, "%.1f s", wall)));
    w.println(Output.row("written", written.get(0).toString()));
    for (Path p : written.subList(1, written.size())) {
      w.println(Output.row("", p.toString()));
    }
    w.flush();
  }

  /** Round {@code round}'s client datasets: each client's examples shuffled on (seed, round, client), batched. */
  private FederatedValue roundData(List<String> ids, int round) {
    return FederatedValue.atClients("round " + round + " client datasets", ids.size(), i -> {
      Dataset d = data.train().dataset(ids.get(i));
      if (config.shuffle()) {
        d = d.shuffle((int) Math.max(1, d.count()), config.seed(), round,
            data.train().clientIds().indexOf(ids.get(i)));
      }
      return d.repeat(config.epochs()).batch(config.batchSize());
    });
  }

  private ModelWeights weights(Object state) {
    Object member = state instanceof FederatedValue f ? f.value() : state;
    Object w = setup.process().getModelWeights().call(member);
    return ModelWeights.fromValue(w instanceof FederatedValue f ? f.value() : w);
  }

  /** Loss and accuracy over every test example of every client (pooled). */
  private double[] evaluate(ModelWorker worker, ModelWeights weights) {
    worker.setWeights(weights);
    double lossSum = 0;
    long correct = 0;
    long n = 0;
    for (String id : data.test().clientIds()) {
      for (Object element : data.test().dataset(id).batch(EVAL_BATCH)) {
        Struct batch = (Struct) element;
        BatchOutput out = worker.forwardPass(batch, false, null);
        long[] predicted = out.predictions().argmax(1).longData();
        int[] labels = ((Tensor) batch.get("y")).intData();
        for (int i = 0; i < predicted.length; i++) {
          correct += predicted[i] == labels[i] ? 1 : 0;
        }
        lossSum += (double) out.loss().floatValue() * out.numExamples();
        n += out.numExamples();
      }
    }
    return new double[] {lossSum / n, (double) correct / n};
  }

  private double epsilon(int round, int population) {
    DpEvent gaussian = DpEvent.gaussian(config.noiseMultiplier());
    DpEvent each = switch (config.sampling()) {
      case "uniform" -> DpEvent.sampledWithoutReplacement(population, config.clientsPerRound(), gaussian);
      case "poisson" -> DpEvent.poissonSampled((double) config.clientsPerRound() / population, gaussian);
      default -> gaussian; // a fixed cohort: no amplification by sampling
    };
    // Fixed-size sampling is accounted under replace-one neighbours, as dp_accounting requires; the others under
    // add-or-remove-one, the accountant's default.
    RdpAccountant accountant = config.sampling().equals("uniform")
        ? RdpAccountant.builder().neighboringRelation(NeighboringRelation.REPLACE_ONE).build() : RdpAccountant.create();
    return accountant.compose(each, round).epsilon(config.delta()).epsilon();
  }

  /**
   * The bits one client uploads: what the aggregator measures ({@code client_bits} of a compressing sum), else
   * {@code trainable} float32 values; Mime-Lite clients also send their full gradient.
   */
  private long uploadBits(Map<String, Double> metrics, long trainable) {
    long update = 32L * trainable;
    for (Map.Entry<String, Double> m : metrics.entrySet()) {
      if (m.getKey().endsWith("/client_bits")) {
        update = m.getValue().longValue();
      }
    }
    return config.algorithm().equals("mime-lite") ? update + 32L * trainable : update;
  }

  /** Copies of the weights the client optimizer keeps (Mime-Lite broadcasts them): momentum 1, Adam's moments 2. */
  private int optimizerSlots() {
    return switch (config.clientOptimizer()) {
      case "sgd" -> 0;
      case "sgdm", "adagrad" -> 1;
      default -> 2;
    };
  }

  private static void setWeights(Sequential net, ModelWeights weights) {
    List<Tensor> trainable = new ArrayList<>();
    for (Object t : weights.trainable().values()) {
      trainable.add((Tensor) t);
    }
    List<Tensor> nonTrainable = new ArrayList<>();
    for (Object t : weights.nonTrainable().values()) {
      nonTrainable.add((Tensor) t);
    }
    int ti = 0;
    int ni = 0;
    for (Parameter p : net.parameters()) {
      p.set(p.trainable() ? trainable.get(ti++) : nonTrainable.get(ni++));
    }
  }

  private static double scalar(Object t) {
    return ((Tensor) t).getDouble();
  }

  private static int digits(int n) {
    return Integer.toString(n).length();
  }
}
