package dev.cohort.cli;

import dev.cohort.core.ContextStack;
import dev.cohort.core.runtime.InProcessContext;
import dev.cohort.learning.models.FunctionalModel;
import dev.cohort.learning.models.ModelWeights;
import dev.cohort.learning.templates.LearningProcess;
import dev.cohort.nn.Parameter;
import dev.cohort.nn.Sequential;
import dev.cohort.simulation.ClientSampler;
import dev.cohort.simulation.training.CheckpointException;
import dev.cohort.simulation.training.MetricsSink;
import dev.cohort.simulation.training.TensorBoardMetrics;
import dev.cohort.simulation.training.TrainingListener;
import dev.cohort.simulation.training.TrainingLoop;
import dev.cohort.tensor.Blas;
import dev.cohort.tensor.Tensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;

/**
 * One run of {@code cohort train}: cohort-simulation's {@link TrainingLoop} drives the rounds ({@link LearningRun})
 * with checkpoints and TensorBoard events; this prints the header, the progress and the per-round lines, keeps the
 * run directory's metric files, and writes the weights and the report at the end. Round {@code r}'s inputs depend
 * on the seed and {@code r} alone, so the results are the same bits at any thread count and after a resume. While
 * the rounds run, a shutdown hook (Ctrl-C) prints the newest checkpoint and the command that continues the run.
 */
final class Training {
  /** Checkpoints kept in the run directory: the newest few, in case the last one is damaged. */
  private static final int CHECKPOINTS_KEPT = 3;

  /**
   * Why a round's test figures are NaN (0 / 0): what the per-round line and the summary print instead of "NaN %".
   */
  private static final String NO_TEST_EXAMPLES = "no client has test examples";

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
  private final boolean resume;

  Training(CommandLine.Model.CommandSpec spec, TrainConfig config, TrainData data, Setup setup, RunDirectory dir,
      boolean resume) {
    this.resume = resume;
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
    LearningRun run = new LearningRun(config, data, setup);
    if (resume) {
      requireSameRun(run.fingerprint());
    } else {
      dir.writeConfig(config.toJson(run.fingerprint()));
    }
    if (!quiet) {
      header(population.size(), trainExamples, testExamples, parameters);
    }
    List<RunDirectory.Row> rows = new ArrayList<>();
    TrainingLoop.Result<Object> result;
    try (InProcessContext context = InProcessContext.builder().threads(config.threads()).build();
         ContextStack.Scope scope = ContextStack.install(context);
         Progress progress = Progress.start(quiet, config.rounds())) {
      Events events = new Events(rows, progress);
      TrainingLoop<Object> loop = TrainingLoop.builder(run, data.train(), setup.sampler(), config.rounds())
          .checkpoints(dir.checkpoints(), config.checkpointEvery(), CHECKPOINTS_KEPT)
          .sinks(events, new TensorBoardMetrics(dir.tensorboard())).listener(events).build();
      Thread interrupted = new Thread(() -> interrupted(events.checkpoint), "cohort train: interrupted");
      Runtime.getRuntime().addShutdownHook(interrupted);
      try {
        result = loop.run();
      } catch (CheckpointException e) {
        throw new UserFileException("--resume: " + e.getMessage(), e);
      } catch (UncheckedIOException e) {
        throw new UserFileException("--out " + dir.path() + ": " + e.getMessage() + ": " + e.getCause(), e);
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(interrupted);
        } catch (IllegalStateException shuttingDown) {
          // the hook runs: the JVM is stopping (Ctrl-C)
        }
      }
    }
    ModelWeights finalWeights = run.weights(result.state());
    setWeights(net, finalWeights);
    List<Path> written = new ArrayList<>(List.of(dir.config(), dir.csv(), dir.jsonl()));
    written.add(dir.writeWeights(net));
    if (config.exportWeights() != null) {
      written.add(RunDirectory.writeWeights(net, config.exportWeights(), "--export-weights"));
    }
    written.addAll(dir.writeReport(config, rows, parameters));
    written.add(dir.checkpoints());
    written.add(dir.tensorboard());
    double wall = (System.nanoTime() - start) / 1e9;
    summary(rows, written, wall);
    return 0;
  }

  /** A resumed run must be the run its directory holds: the same flags, {@code --threads} aside. */
  private void requireSameRun(String fingerprint) {
    String stored;
    try {
      stored = Files.readString(dir.config(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UserFileException(dir.config() + ": cannot read it: " + e, e);
    }
    if (!stored.contains(Json.field("fingerprint", fingerprint))) {
      throw new Flags.FlagException("--resume: " + dir.path() + " holds a run with other flags; resume it with the "
          + "flags of the command_line in " + dir.config() + " (only --threads may differ)");
    }
  }

  /** The shutdown hook's message (Ctrl-C): where the run stands and the command that continues it. */
  private void interrupted(Path checkpoint) {
    PrintWriter err = spec.commandLine().getErr();
    List<String> args = new ArrayList<>(config.commandLine());
    args.addAll(List.of("--out", dir.path().toString(), "--resume"));
    err.println();
    err.println("cohort train: interrupted; " + (checkpoint == null ? "no checkpoint was written yet"
        : "the last checkpoint is " + checkpoint) + "; continue with:");
    err.println("  cohort " + String.join(" ", args));
    err.flush();
  }

  /**
   * What the training loop reports: each round's row (to the metric files, the progress bar and the per-round
   * lines), the checkpoints, and the round a resumed run starts from (the rows the directory keeps). A round's row
   * is released before its checkpoint is written, so every checkpointed round has its row.
   */
  private final class Events implements TrainingListener, MetricsSink {
    private final List<RunDirectory.Row> rows;
    private final Progress progress;
    private volatile Path checkpoint;
    private long roundStart;

    Events(List<RunDirectory.Row> rows, Progress progress) {
      this.rows = rows;
      this.progress = progress;
    }

    @Override
    public void start(int firstRound) {
      rows.addAll(dir.start(firstRound));
      roundStart = System.nanoTime();
    }

    @Override
    public void release(int round, Map<String, Double> m) {
      long now = System.nanoTime();
      RunDirectory.Row row = new RunDirectory.Row(round, m.get("clients").intValue(), m.get("examples").longValue(),
          m.getOrDefault("train/loss", Double.NaN), m.getOrDefault("train/accuracy", Double.NaN),
          m.getOrDefault("evaluation/loss", Double.NaN), m.getOrDefault("evaluation/accuracy", Double.NaN),
          m.getOrDefault("epsilon", Double.NaN), m.get("bits_up").longValue(), m.get("bits_down").longValue(),
          (now - roundStart) / 1e9);
      rows.add(row);
      dir.append(row);
      progress.step(Double.isNaN(row.trainLoss()) ? "no clients"
          : String.format(Locale.ROOT, "loss %.3f", row.trainLoss()));
      if (!quiet && config.evaluates(round)) {
        progress.line(text, roundLine(row));
      }
    }

    @Override
    public void close() {}

    @Override
    public void resumed(int round, Path file) {
      checkpoint = file;
      progress.resumeAt(round);
      if (!quiet) {
        progress.line(text, "resumed after round " + round + " from " + file);
      }
    }

    @Override
    public void checkpointSkipped(Path file, String problem) {
      progress.line(spec.commandLine().getErr(), "cohort train: warning: skipped the unreadable checkpoint " + file
          + ": " + problem);
    }

    @Override
    public void checkpointWritten(int round, Path file) {
      checkpoint = file;
    }

    @Override
    public void roundDone(int round, int totalRounds, Map<String, Double> metrics, Duration took) {
      roundStart = System.nanoTime(); // the next round's time starts after this one's checkpoint
    }
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
        : String.format(Locale.ROOT, " (noise multiplier %s%s, clip %s, delta %s)", config.noiseMultiplier(),
            config.targetEpsilon() == null ? "" : " calibrated to epsilon " + config.targetEpsilon(), config.clip(),
            config.delta())) + (config.aggregator().equals("robust") ? (config.clip() == null
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
    sb.append(Double.isNaN(r.testAccuracy()) ? "  " + NO_TEST_EXAMPLES : String.format(Locale.ROOT,
        "  test loss %.4f  test accuracy %.2f %%", r.testLoss(), 100 * r.testAccuracy()));
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
          .metric("final_test_accuracy", last.testAccuracy()).metric("final_test_loss", last.testLoss());
      if (!Double.isNaN(last.epsilon())) {
        j.put("epsilon", last.epsilon()).put("delta", config.delta());
      }
      List<String> nan = j.nanKeys();
      if (!nan.isEmpty()) {
        spec.commandLine().getErr().println("cohort train: warning: " + String.join(", ", nan)
            + (nan.size() == 1 ? " is" : " are")
            + " NaN, written as null and listed under \"nan\" in the JSON summary: "
            + (Double.isNaN(last.testAccuracy()) ? NO_TEST_EXAMPLES
            : "the training diverged; try a smaller --client-lr"));
      }
      j.put("examples_trained", examples).put("bits_up", bitsUp).put("bits_down", bitsDown)
          .put("wall_seconds", wall).put("run_dir", dir.path().toString())
          .put("files", written.stream().map(Path::toString).toList())
          .putJson("evaluations", "[" + String.join(",", evaluations) + "]");
      spec.commandLine().getOut().println(j.end());
      spec.commandLine().getOut().flush();
    }
    PrintWriter w = text;
    w.println(Output.row("test accuracy", Double.isNaN(last.testAccuracy())
        ? String.format(Locale.ROOT, "none after %d rounds: %s", config.rounds(), NO_TEST_EXAMPLES)
        : String.format(Locale.ROOT, "%.2f %% (test loss %.4f) after %d rounds", 100 * last.testAccuracy(),
            last.testLoss(), config.rounds())));
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

  private static int digits(int n) {
    return Integer.toString(n).length();
  }
}
