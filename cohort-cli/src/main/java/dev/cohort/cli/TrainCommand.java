package dev.cohort.cli;

import dev.cohort.aggregators.AggregationProcess;
import dev.cohort.aggregators.DifferentiallyPrivateFactory;
import dev.cohort.aggregators.MeanFactory;
import dev.cohort.aggregators.NormOrder;
import dev.cohort.aggregators.Recommended;
import dev.cohort.aggregators.Robust;
import dev.cohort.aggregators.UnweightedMeanFactory;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.learning.models.FunctionalModel;
import dev.cohort.learning.models.Loss;
import dev.cohort.learning.models.ModelWeights;
import dev.cohort.learning.models.SequentialModel;
import dev.cohort.learning.optimizers.Optimizer;
import dev.cohort.learning.templates.ClientWeighting;
import dev.cohort.learning.templates.ClientWorkProcess;
import dev.cohort.learning.templates.ClientWorks;
import dev.cohort.learning.templates.Communication;
import dev.cohort.learning.templates.DistributionProcess;
import dev.cohort.learning.templates.FinalizerProcess;
import dev.cohort.learning.templates.LearningProcess;
import dev.cohort.nn.Activation;
import dev.cohort.nn.Layers;
import dev.cohort.nn.Models;
import dev.cohort.nn.Sequential;
import dev.cohort.privacy.Calibrated;
import dev.cohort.privacy.Calibration;
import dev.cohort.privacy.RdpAccountant;
import dev.cohort.simulation.ClientSampler;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cohort train}: a federated training from the command line. Without flags it is the default job: FedAvg of
 * TFF's EMNIST CNN on the FEMNIST LEAF sample shipped in {@code data/femnist_leaf} (73 writers, 62 classes),
 * evaluated on the same writers' test split. It prints a header, a progress bar (plain lines when standard output
 * is not a terminal) and one line per evaluated round, and writes a run directory ({@link RunDirectory}).
 *
 * <p>Exit status: 2 for a flag, a value or a combination it rejects, data that is not where {@code --data} says, an
 * {@code --out} that already holds a run, or a {@code --resume} of a directory that holds none or one with other
 * flags; 1 for data, weights or checkpoints that cannot be read and output that cannot be written; 130 after
 * Ctrl-C.
 */
@Command(name = "train", mixinStandardHelpOptions = true, versionProvider = InfoCommand.Version.class,
    sortOptions = false,
    description = {"Train a model with federated learning and write a run directory with metrics, weights and a "
        + "report with plots.",
        "Without flags: FedAvg of a CNN on the FEMNIST sample in data/femnist_leaf (73 writers, 62 classes)."},
    footer = {"", "Examples:",
        "  cohort train                                   # FedAvg of a CNN on FEMNIST",
        "  cohort train --model logreg --rounds 20 --json # one JSON summary on stdout",
        "  # DP, the noise calibrated to (8, 1e-5) for 50 rounds of 40 of 73 clients:",
        "  cohort train --model logreg --rounds 50 --clients-per-round 40 \\",
        "      --aggregator dp --target-epsilon 8 --clip 0.5",
        "  cohort train --algorithm fedprox --prox-mu 0.1 --aggregator compression \\",
        "      --out runs/prox",
        "  # after Ctrl-C: the same flags and --resume continue from the last checkpoint",
        "  cohort train --algorithm fedprox --prox-mu 0.1 --aggregator compression \\",
        "      --out runs/prox --resume",
        "  cohort train --init-weights runs/prox/model.npz --server-optimizer adam \\",
        "      --server-lr 0.01",
        "  # other tasks (cohort data inspect shows their clients and label skew):",
        "  cohort train --task fashion-mnist --partition dirichlet:0.5 --num-clients 100",
        "  cohort train --task shakespeare --data tinyshakespeare.txt --rounds 20",
        "  cohort train --task ratings --data ratings.csv --columns userId,movieId,rating"})
final class TrainCommand implements Callable<Integer> {
  static final List<String> ALGORITHMS = List.of("fedavg", "fedavg-unweighted", "fedprox", "fedsgd", "mime-lite");
  static final List<String> OPTIMIZERS = List.of("sgd", "sgdm", "adam", "yogi", "adagrad");
  static final List<String> AGGREGATORS = List.of("mean", "robust", "dp", "secure", "compression");
  static final List<String> SAMPLINGS = List.of("uniform", "poisson");

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin
  DataOptions dataOptions;

  @Option(names = "--model", paramLabel = "MODEL", description = "cnn (TFF's EMNIST CNN; image tasks), mlp (two "
      + "hidden layers of 200), logreg. Default: the task's: cnn for femnist, fashion-mnist and mnist-idx, mlp for "
      + "shakespeare, logreg for stackoverflow-tags and ratings.")
  String model;

  @Option(names = "--algorithm", paramLabel = "ALG", description = "fedavg (weighted by examples), "
      + "fedavg-unweighted, fedprox (FedAvg with the proximal term of --prox-mu), fedsgd (one server step of the "
      + "clients' mean gradient), mime-lite (clients step with the client optimizer under the server's frozen "
      + "optimizer state). Default: fedavg, or fedavg-unweighted with --aggregator dp.")
  String algorithm;

  @Option(names = "--prox-mu", paramLabel = "MU", description = "With --algorithm fedprox: the proximal "
      + "strength mu of loss(w) + mu/2 ||w - w0||^2, >= 0 (0 is FedAvg). Default: 0.01.")
  Double proxMu;

  @Option(names = "--rounds", paramLabel = "N", description = "Rounds of training, >= 1. Default: ${DEFAULT-VALUE}.")
  int rounds = 100;

  @Option(names = "--clients-per-round", paramLabel = "K",
      description = "Clients sampled each round (the expected number with poisson). Default: ${DEFAULT-VALUE}.")
  int clientsPerRound = 10;

  @Option(names = "--clients", paramLabel = "ID,ID,...", split = ",",
      description = "A fixed cohort: these clients every round, instead of sampling.")
  List<String> clients;

  @Option(names = "--sampling", paramLabel = "HOW", description = "uniform (K distinct clients) or poisson (each "
      + "client with probability K / clients). Default: uniform, or poisson with --target-epsilon.")
  String sampling;

  @Option(names = "--epochs", paramLabel = "E", description =
      "Local epochs per round, >= 1. Default: ${DEFAULT-VALUE}.")
  int epochs = 1;

  @Option(names = "--batch-size", paramLabel = "B", description = "Local batch size, >= 1. Default: ${DEFAULT-VALUE}.")
  int batchSize = 20;

  @Option(names = "--no-shuffle", description = "Do not shuffle each client's examples every round.")
  boolean noShuffle;

  @Option(names = "--client-optimizer", paramLabel = "OPT",
      description = "sgd, sgdm (momentum 0.9), adam, yogi, adagrad. Default: sgd.")
  String clientOptimizer = "sgd";

  @Option(names = "--client-lr", paramLabel = "LR", description =
      "Client learning rate, > 0 (mime-lite's base optimizer's). Default: the task's (femnist 0.1, fashion-mnist "
      + "and mnist-idx 0.2, shakespeare 1, stackoverflow-tags 100, ratings 1).")
  Double clientLr;

  @Option(names = "--server-optimizer", paramLabel = "OPT",
      description = "sgd, sgdm (momentum 0.9), adam, yogi, adagrad. Default: sgd (at lr 1: plain FedAvg).")
  String serverOptimizer = "sgd";

  @Option(names = "--server-lr", paramLabel = "LR", description =
      "Server learning rate, > 0. Default: 1, or 0.1 with fedsgd (TFF's defaults).")
  Double serverLr;

  @Option(names = "--aggregator", paramLabel = "AGG", description = "mean, robust (TFF's robust aggregator: "
      + "zeroing and adaptive clipping), dp (Gaussian, fixed clip), secure (the mean summed by secure "
      + "aggregation, with zeroing and adaptive clipping), compression (8-bit quantised uploads above 20000 "
      + "elements, with zeroing and adaptive clipping). Default: mean.")
  String aggregator = "mean";

  @Option(names = "--noise-multiplier", paramLabel = "Z",
      description = "With --aggregator dp: the noise standard deviation over the clip, > 0 (this or "
          + "--target-epsilon is required).")
  Double noiseMultiplier;

  @Option(names = "--target-epsilon", paramLabel = "EPS", description = "With --aggregator dp: calibrate the "
      + "smallest noise multiplier whose (EPS, --delta)-DP holds after --rounds rounds at the run's sampling rate "
      + "(Poisson sampling, the default with this flag, or a fixed --clients cohort), > 0.")
  Double targetEpsilon;

  @Option(names = "--clip", paramLabel = "C", description = "With --aggregator dp: the L2 clip of each update "
      + "(default 1.0); with robust: a fixed clip instead of the adaptive one. > 0.")
  Double clip;

  @Option(names = "--delta", paramLabel = "D", description = "With --aggregator dp: the delta of the epsilon "
      + "reported (and of --target-epsilon), in (0, 1). Default: 1e-5.")
  Double delta;

  @Option(names = "--eval-every", paramLabel = "N", description = "Evaluate on the test split every N rounds (0: "
      + "only after the last). Default: ${DEFAULT-VALUE}.")
  int evalEvery = 10;

  @Option(names = "--seed", paramLabel = "S", description = "Seed of the initial weights, the sampling, the "
      + "shuffles and the noise. Default: ${DEFAULT-VALUE}.")
  long seed = 0;

  @Option(names = "--threads", paramLabel = "T", description = "Clients trained in parallel, >= 1 (the results are "
      + "the same bits at any number). Default: the available processors.")
  Integer threads;

  @Option(names = "--out", paramLabel = "DIR", description = "The run directory, new or empty. Default: "
      + "runs/<timestamp>.")
  Path out;

  @Option(names = "--checkpoint-every", paramLabel = "K", description = "Checkpoint the run in DIR/checkpoints "
      + "every K rounds and after the last, keeping the newest 3, >= 1. Default: ${DEFAULT-VALUE}.")
  int checkpointEvery = 10;

  @Option(names = "--resume", description = "Continue the run in --out DIR from its newest readable checkpoint, "
      + "with the same flags (--threads may differ); it ends with the same weights as a run never stopped.")
  boolean resume;

  @Option(names = "--init-weights", paramLabel = "FILE.npz", description = "Start from these weights (an .npz "
      + "of --export-weights or model.npz, for the same --model) instead of the seeded initialization.")
  Path initWeights;

  @Option(names = "--export-weights", paramLabel = "FILE.npz", description = "Also write the final weights here.")
  Path exportWeights;

  @Option(names = "--json", description = "Print one JSON summary on standard output at the end; everything else "
      + "goes to standard error.")
  boolean json;

  @Option(names = "--quiet", description = "Print no header, progress or per-round lines: only the final result.")
  boolean quiet;

  @Override
  public Integer call() {
    TrainConfig config = validate();
    TrainData loaded = load(config);
    config = calibrate(config, loaded.train().clientIds().size());
    Training.Setup setup = setup(config, loaded);
    RunDirectory dir = resume ? RunDirectory.reopen(config.out()) : RunDirectory.create(config.out(), "--out");
    return new Training(spec, config, loaded, setup, dir, resume).run();
  }

  /** Every flag checked on its own and against the others; the data-dependent checks follow in {@link #setup}. */
  TrainConfig validate() {
    Task t0 = dataOptions.task();
    String m = t0.model(model);
    dataOptions.checkApplicable();
    Flags.choice("--aggregator", aggregator, AGGREGATORS);
    boolean dp = aggregator.equals("dp");
    String alg = algorithm == null ? (dp ? "fedavg-unweighted" : "fedavg") : Flags.choice("--algorithm", algorithm,
        ALGORITHMS);
    if (dp && !alg.equals("fedavg-unweighted")) {
      throw new Flags.FlagException("--algorithm (" + alg + ") must be fedavg-unweighted with --aggregator dp: the "
          + "Gaussian mechanism averages clipped updates with equal weights");
    }
    if (alg.equals("fedavg-unweighted") && (aggregator.equals("secure") || aggregator.equals("compression"))) {
      throw new Flags.FlagException("--aggregator " + aggregator + " needs a weighted algorithm (fedavg, fedprox, "
          + "fedsgd, mime-lite): TFF's " + aggregator + " aggregator is a weighted mean");
    }
    if (alg.equals("fedprox")) {
      if (proxMu != null && !(proxMu >= 0 && Double.isFinite(proxMu))) {
        throw new Flags.FlagException("--prox-mu (" + proxMu + ") must be a finite number >= 0");
      }
    } else {
      Flags.notApplicable(spec, "--prox-mu", "with --algorithm " + alg + ": it is fedprox's proximal strength");
    }
    if (alg.equals("fedsgd")) {
      Flags.notApplicable(spec, "--client-optimizer", "with --algorithm fedsgd: clients take no local step");
      Flags.notApplicable(spec, "--client-lr", "with --algorithm fedsgd: clients take no local step");
    }
    String how = sampling != null ? Flags.choice("--sampling", sampling, SAMPLINGS)
        : targetEpsilon != null ? "poisson" : "uniform";
    Flags.choice("--client-optimizer", clientOptimizer, OPTIMIZERS);
    Flags.choice("--server-optimizer", serverOptimizer, OPTIMIZERS);
    atLeast("--rounds", rounds, 1);
    atLeast("--epochs", epochs, 1);
    atLeast("--batch-size", batchSize, 1);
    atLeast("--eval-every", evalEvery, 0);
    atLeast("--checkpoint-every", checkpointEvery, 1);
    double cLr = clientLr != null ? clientLr : t0.defaultLr();
    positive("--client-lr", cLr);
    double sLr = serverLr != null ? serverLr : alg.equals("fedsgd") ? 0.1 : 1.0;
    positive("--server-lr", sLr);
    int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
    atLeast("--threads", t, 1);
    if (clients != null) {
      Flags.notApplicable(spec, "--clients-per-round", "with --clients: the cohort is fixed");
      Flags.notApplicable(spec, "--sampling", "with --clients: the cohort is fixed");
      if (clients.isEmpty() || clients.stream().anyMatch(String::isEmpty)) {
        throw new Flags.FlagException("--clients (" + String.join(",", clients) + ") must be client ids separated "
            + "by commas, none empty");
      }
      if (new LinkedHashSet<>(clients).size() != clients.size()) {
        throw new Flags.FlagException("--clients (" + String.join(",", clients) + ") names a client twice");
      }
    } else {
      atLeast("--clients-per-round", clientsPerRound, 1);
    }
    if (dp) {
      if (noiseMultiplier == null && targetEpsilon == null) {
        throw new Flags.FlagException("--aggregator dp needs --noise-multiplier Z (e.g. 1.0), the noise standard "
            + "deviation over the clip, or --target-epsilon EPS to calibrate it");
      }
      if (noiseMultiplier != null && targetEpsilon != null) {
        throw new Flags.FlagException("--noise-multiplier and --target-epsilon exclude each other: "
            + "--target-epsilon calibrates the noise multiplier");
      }
      if (noiseMultiplier != null) {
        positive("--noise-multiplier", noiseMultiplier);
      } else {
        positive("--target-epsilon", targetEpsilon);
        if (how.equals("uniform") && clients == null) {
          throw new Flags.FlagException("--target-epsilon needs --sampling poisson or a fixed --clients cohort: "
              + "the calibration accounts Poisson-sampled rounds");
        }
      }
      if (delta != null && !(delta > 0 && delta < 1)) {
        throw new Flags.FlagException("--delta (" + delta + ") must be in (0, 1)");
      }
    } else {
      Flags.notApplicable(spec, "--noise-multiplier", "with --aggregator " + aggregator + ": it is the noise of "
          + "--aggregator dp");
      Flags.notApplicable(spec, "--target-epsilon", "with --aggregator " + aggregator + ": it calibrates the noise "
          + "of --aggregator dp");
      Flags.notApplicable(spec, "--delta", "with --aggregator " + aggregator + ": it is the delta of "
          + "--aggregator dp's epsilon");
      if (!aggregator.equals("robust")) {
        Flags.notApplicable(spec, "--clip", "with --aggregator " + aggregator + ": only robust and dp take a fixed "
            + "clip");
      }
    }
    if (clip != null) {
      positive("--clip", clip);
    }
    if (exportWeights != null && !exportWeights.getFileName().toString().endsWith(".npz")) {
      throw new Flags.FlagException("--export-weights (" + exportWeights + ") must be a file ending in .npz");
    }
    Path dataPath = dataOptions.path();
    if (initWeights != null) {
      if (!Files.isRegularFile(initWeights)) {
        throw new Flags.FlagException("--init-weights (" + initWeights + ") is not a file");
      }
      if (!initWeights.getFileName().toString().endsWith(".npz")) {
        throw new Flags.FlagException("--init-weights (" + initWeights + ") must be a file ending in .npz");
      }
    }
    if (resume && out == null) {
      throw new Flags.FlagException("--resume needs --out DIR: the run directory to continue");
    }
    Path outDir = out != null ? out : Path.of("runs",
        LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)));
    if (!resume) {
      RunDirectory.requireFresh(outDir, "--out");
    }
    return new TrainConfig(t0.flag(), dataPath, m, alg, rounds, clients == null ? clientsPerRound : clients.size(),
        clients == null ? null : List.copyOf(clients), clients == null ? how : "fixed", epochs, batchSize,
        !noShuffle, clientOptimizer, cLr, serverOptimizer, sLr, alg.equals("fedprox")
        ? (proxMu == null ? Double.valueOf(0.01) : proxMu) : null, aggregator, dp ? noiseMultiplier : null,
        dp ? targetEpsilon : null, dp && clip == null ? Double.valueOf(1.0) : clip,
        dp ? (delta == null ? Double.valueOf(1e-5) : delta) : null, evalEvery, checkpointEvery, seed, t, outDir,
        initWeights, exportWeights, dataOptions.partitionFlags(), dataOptions.columnsFlag());
  }

  private TrainData load(TrainConfig c) {
    return dataOptions.load(c.seed());
  }

  /** The process, sampler and model of a run, checked against the data (clients per round, --clients ids). */
  static Training.Setup setup(TrainConfig c, TrainData d) {
    List<String> population = d.train().clientIds();
    ClientSampler sampler;
    if (c.clients() != null) {
      List<String> unknown = new ArrayList<>(c.clients());
      unknown.removeAll(population);
      if (!unknown.isEmpty()) {
        throw new Flags.FlagException("--clients: no client '" + unknown.get(0) + "' among the " + population.size()
            + " clients of " + c.data() + " ('" + population.get(0) + "' .. '"
            + population.get(population.size() - 1) + "')");
      }
      sampler = ClientSampler.fixed(c.clients());
    } else {
      if (c.clientsPerRound() > population.size()) {
        throw new Flags.FlagException("--clients-per-round (" + c.clientsPerRound() + ") must be at most the "
            + population.size() + " clients of " + c.data());
      }
      sampler = c.sampling().equals("poisson")
          ? ClientSampler.poisson(population, (double) c.clientsPerRound() / population.size(), c.seed())
          : ClientSampler.uniform(population, c.clientsPerRound(), c.seed());
    }
    Supplier<Sequential> architecture = initialized(architecture(c.model(), d, c.seed()), c.initWeights());
    FunctionalModel fm = model(c.task(), c.model(), d, architecture);
    Optimizer client = optimizer(c.clientOptimizer(), c.clientLr());
    Optimizer server = optimizer(c.serverOptimizer(), c.serverLr());
    return new Training.Setup(fm, architecture, process(c, fm, client, server), sampler);
  }

  /**
   * The model {@code cli.<task>.<model>.x<shape>.classes<n>} training {@code architecture} on {@code d}'s batches:
   * softmax
   * cross-entropy and accuracy, or for multi-label data binary cross-entropy and precision at 1.
   */
  static FunctionalModel model(String task, String model, TrainData d, Supplier<Sequential> architecture) {
    // The name carries the shapes: it names the model's local function families, one per name in a JVM.
    StringBuilder name = new StringBuilder("cli." + task.replace('-', '_') + "." + model + ".x");
    for (int dim : d.inputShape().dims()) {
      name.append(name.charAt(name.length() - 1) == 'x' ? "" : "_").append(dim);
    }
    name.append(d.multiLabel() ? ".tags" : ".classes").append(d.classes());
    return SequentialModel.of(name.toString(), d.batchType(), architecture,
        d.multiLabel() ? Loss.BINARY_CROSSENTROPY_FROM_LOGITS : Loss.SPARSE_CATEGORICAL_CROSSENTROPY_FROM_LOGITS,
        d.accuracyMetric());
  }

  /**
   * The network of {@code model} on {@code d}'s examples, one logit per class; every call builds the same initial
   * weights from {@code seed}.
   *
   * @throws Flags.FlagException for cnn on data it does not fit (TFF's EMNIST CNN: 28x28x1 images, 10 or 62 classes)
   */
  static Supplier<Sequential> architecture(String model, TrainData d, long seed) {
    Shape in = d.inputShape();
    int classes = d.classes();
    if (model.equals("cnn") && (!in.equals(TrainData.IMAGE) || (classes != 10 && classes != 62))) {
      throw new Flags.FlagException("--model cnn is TFF's EMNIST CNN: 28x28x1 images of 10 or 62 classes, but --data"
          + " holds " + in + " examples of " + classes + " classes; use --model mlp or logreg");
    }
    return switch (model) {
      case "cnn" -> () -> Models.emnistCnn(classes == 10, seed);
      case "mlp" -> () -> Sequential.builder(in).seed(seed).add(Layers.flatten())
          .add(Layers.dense(200, Activation.RELU)).add(Layers.dense(200, Activation.RELU))
          .add(Layers.dense(classes)).build();
      case "logreg" -> () -> Sequential.builder(in).seed(seed).add(Layers.flatten())
          .add(Layers.dense(classes)).build();
      default -> throw new IllegalStateException("internal: model " + model + " passed validation");
    };
  }

  /** {@code architecture} starting from the weights in {@code file} (read and checked now), or as it is. */
  static Supplier<Sequential> initialized(Supplier<Sequential> architecture, Path file) {
    if (file == null) {
      return architecture;
    }
    Map<String, Tensor> weights;
    try {
      Sequential checked = architecture.get();
      checked.loadWeights(file); // reads the file once and checks it, the message naming the file
      weights = checked.weights();
    } catch (IOException | IllegalArgumentException e) {
      throw new UserFileException("--init-weights " + file + ": " + e.getMessage(), e);
    }
    return withWeights(architecture, weights);
  }

  /** {@code architecture}'s networks, each set to {@code weights} (which must fit it). */
  static Supplier<Sequential> withWeights(Supplier<Sequential> architecture, Map<String, Tensor> weights) {
    return () -> {
      Sequential net = architecture.get();
      net.setWeights(weights);
      return net;
    };
  }

  /** The optimizer {@code name} at {@code lr}: sgdm and the adaptive ones with their usual defaults. */
  static Optimizer optimizer(String name, double lr) {
    return switch (name) {
      case "sgd" -> Optimizer.sgdm(lr);
      case "sgdm" -> Optimizer.sgdm(lr, 0.9);
      case "adam" -> Optimizer.adam(lr);
      case "yogi" -> Optimizer.yogi(lr);
      case "adagrad" -> Optimizer.adagrad(lr);
      default -> throw new IllegalStateException("internal: optimizer " + name + " passed validation");
    };
  }

  /**
   * The learning process: the algorithm's client work (cohort-learning's, as its FedAvg, FedProx, FedSGD and
   * Mime-Lite compose them) around the aggregator of {@code --aggregator} (cohort-aggregators' recommended ones), the
   * server optimizer applying the aggregate; its metrics count the bits sent ({@link Communication#measured}).
   */
  static LearningProcess process(TrainConfig c, FunctionalModel model, Optimizer client, Optimizer server) {
    ModelWeights initial = model.initialWeights();
    StructType values = initial.trainableType();
    boolean weighted = !c.algorithm().equals("fedavg-unweighted");
    ClientWeighting weighting = weighted ? ClientWeighting.NUM_EXAMPLES : ClientWeighting.UNIFORM;
    ClientWorkProcess work = switch (c.algorithm()) {
      case "fedavg", "fedavg-unweighted" -> ClientWorkProcess.modelDelta(model, client, weighting);
      case "fedprox" -> ClientWorks.proximal(model, client, weighting, c.proxMu());
      case "fedsgd" -> ClientWorks.gradient(model);
      case "mime-lite" -> ClientWorks.mimeLite(model, client, weighting,
          new MeanFactory().create(values, TensorType.FLOAT32));
      default -> throw new IllegalStateException("internal: algorithm " + c.algorithm() + " passed validation");
    };
    AggregationProcess agg = switch (c.aggregator()) {
      case "mean" -> weighted ? new MeanFactory().create(values, TensorType.FLOAT32)
          : new UnweightedMeanFactory().create(values);
      case "robust" -> c.clip() == null
          ? (weighted ? Recommended.robust().create(values, TensorType.FLOAT32)
              : Recommended.robustUnweighted(true, true).create(values))
          : (weighted ? Robust.zeroing(Recommended.zeroingNorm(), NormOrder.LINF,
              Robust.clipping(c.clip(), new MeanFactory())).create(values, TensorType.FLOAT32)
              : Robust.zeroing(Recommended.zeroingNorm(), NormOrder.LINF,
                  Robust.clipping(c.clip(), new UnweightedMeanFactory())).create(values));
      case "dp" -> DifferentiallyPrivateFactory.gaussianFixed(c.noiseMultiplier(), c.clientsPerRound(), c.clip(),
          c.seed()).create(values);
      case "secure" -> Recommended.secure(true, true).create(values, TensorType.FLOAT32);
      case "compression" -> Recommended.compression(true, true, c.seed()).create(values, TensorType.FLOAT32);
      default -> throw new IllegalStateException("internal: aggregator " + c.aggregator() + " passed validation");
    };
    return Communication.measured(LearningProcess.composeLearningProcess(initial,
        DistributionProcess.broadcast(initial.type()), work, agg, FinalizerProcess.applyOptimizer(server,
            initial.type())));
  }

  /**
   * {@code c} with the noise multiplier of {@code --target-epsilon}: the smallest whose {@code --rounds} rounds,
   * each a Gaussian Poisson-sampled at {@code clientsPerRound / population} (1 for a fixed cohort), meet
   * (ε, δ) under the RDP accountant that {@link Training} reports ε with.
   */
  static TrainConfig calibrate(TrainConfig c, int population) {
    if (c.targetEpsilon() == null) {
      return c;
    }
    double q = c.clients() != null ? 1.0 : (double) c.clientsPerRound() / population;
    Flags.ParameterNames names = new Flags.ParameterNames().flag("targetEpsilon", "--target-epsilon")
        .flag("targetDelta", "--delta").flag("steps", "--rounds").words("samplingRate", "the sampling rate");
    Calibrated z = names.translating(() -> Calibration.noiseMultiplier(RdpAccountant.create(), q, c.rounds(),
        c.targetEpsilon(), c.delta()));
    return c.withNoiseMultiplier(z.noiseMultiplier());
  }

  private static void atLeast(String flag, long value, long min) {
    if (value < min) {
      throw new Flags.FlagException(flag + " (" + value + ") must be >= " + min);
    }
  }

  private static void positive(String flag, double value) {
    if (!(value > 0) || !Double.isFinite(value) || (float) value == Float.POSITIVE_INFINITY) {
      throw new Flags.FlagException(flag + " (" + value + ") must be a finite number > 0");
    }
  }
}
