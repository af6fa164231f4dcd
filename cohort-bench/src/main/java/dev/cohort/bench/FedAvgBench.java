package dev.cohort.bench;

import dev.cohort.core.ContextStack;
import dev.cohort.core.runtime.InProcessContext;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Struct;
import dev.cohort.learning.algorithms.FedAvg;
import dev.cohort.learning.models.FunctionalModel;
import dev.cohort.learning.models.Loss;
import dev.cohort.learning.models.SequentialModel;
import dev.cohort.learning.optimizers.Optimizer;
import dev.cohort.learning.templates.LearningProcess;
import dev.cohort.nn.Activation;
import dev.cohort.nn.Layers;
import dev.cohort.nn.Models;
import dev.cohort.nn.Sequential;
import dev.cohort.simulation.ClientData;
import dev.cohort.simulation.ClientSampler;
import dev.cohort.simulation.Dataset;
import dev.cohort.simulation.datasets.LeafJson;
import dev.cohort.tensor.Blas;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * FedAvg rounds against a plain PyTorch FedAvg loop, on the FEMNIST LEAF sample shipped in {@code data/femnist_leaf}
 * (73 writers, 62 classes), in one run.
 *
 * <p>{@code bench/run FedAvgBench [--rounds R] [--warmup W] [--repeats K] [--models logreg,mlp,cnn] [--no-torch]
 * [--rounds-only]}: for logistic regression 784→62, the MLP 784-200-200-62 and TFF's FedAvg CNN with a 62-way head, weighted FedAvg with
 * 10 clients per round drawn by {@code ClientSampler.uniform} (seed 0), one epoch of plain SGD at learning rate 0.05
 * in batches of 20, no shuffling, server SGD at learning rate 1. Cohort trains on 2 client threads; then
 * {@code bench/torch_fedavg.py} (Debian's python3-torch via /usr/bin/python3) runs the same rounds (the same clients,
 * from the same initial weights) with 2 worker processes of one thread each. Both run {@code W} warm-up rounds
 * (default 200, which the JIT compiler needs to reach steady state on 2 busy cores; the CNN a twentieth of them, at
 * least 3; each repetition prints both sides' warm-up seconds) and then {@code R} timed rounds
 * (default 40; the CNN an eighth of them, at least 3); the tables give the median round's seconds, client updates
 * per second and examples per second (a round's examples over its median time), and the training loss of the last
 * round, which agrees between the two when they run the same algorithm. The two alternate {@code K} times
 * ({@code --repeats}, default 5) and each reports its best repetition, so that load from other
 * processes affects both alike.
 *
 * <p>Then the runtime's per-client overhead (a round of 100 clients with empty datasets, unweighted FedAvg, since
 * no client has an example to weigh by) and the peak live heap of CNN rounds against clients per round, measured in
 * a child JVM with a 256 MiB heap as the largest heap occupancy after any garbage collection during the round
 * ({@code --rounds-only} skips these two).
 */
public final class FedAvgBench {
  private static final int CLIENTS_PER_ROUND = 10;
  private static final int BATCH = 20;
  private static final double LEARNING_RATE = 0.05;
  private static final long SEED = 0;
  private static final int THREADS = 2;
  private static final Path DATA = Path.of("data", "femnist_leaf");
  private static final StructType SPEC = StructType.named("x", TensorType.of(DType.FLOAT32, TensorType.UNKNOWN, 28,
      28, 1), "y", TensorType.of(DType.INT32, TensorType.UNKNOWN));
  private static final String CHILD_HEAP = "256m";

  private FedAvgBench() {}

  /** The network of {@code model} on {@code [28, 28, 1]} images, 62 logits; the same initial weights every call. */
  static Supplier<Sequential> architecture(String model) {
    return switch (model) {
      case "logreg" -> () -> Sequential.builder(Shape.of(28, 28, 1)).seed(SEED).add(Layers.flatten())
          .add(Layers.dense(62)).build();
      case "mlp" -> () -> Sequential.builder(Shape.of(28, 28, 1)).seed(SEED).add(Layers.flatten())
          .add(Layers.dense(200, Activation.RELU)).add(Layers.dense(200, Activation.RELU)).add(Layers.dense(62))
          .build();
      case "cnn" -> () -> Models.emnistCnn(false, SEED);
      default -> throw new IllegalArgumentException("unknown model " + model + "; expected logreg, mlp or cnn");
    };
  }

  static FunctionalModel model(String name) {
    return SequentialModel.of("bench.fedavg." + name, SPEC, architecture(name),
        Loss.SPARSE_CATEGORICAL_CROSSENTROPY_FROM_LOGITS);
  }

  /** Every writer's training examples, read once: {@code <x=float32[n,28,28,1],y=int32[n]>} by client id. */
  static Map<String, Struct> load() {
    ClientData train = LeafJson.femnist(DATA).train();
    Map<String, Struct> clients = new LinkedHashMap<>();
    for (String id : train.clientIds()) {
      Dataset d = train.dataset(id);
      int n = (int) d.count();
      if (n == 0) {
        continue;
      }
      Struct all = (Struct) d.batch(n).iterator().next();
      clients.put(id, Struct.named("x", ((Tensor) all.get("pixels")).reshape(n, 28, 28, 1), "y", all.get("label")));
    }
    return clients;
  }

  /** The round's client datasets: each client's examples in order, batched by 20. */
  static FederatedValue roundData(Map<String, Struct> clients, List<String> ids) {
    return FederatedValue.atClients(ids.size(), i -> Dataset.fromTensorSlices(clients.get(ids.get(i))).batch(BATCH));
  }

  /**
   * Timed rounds of one framework: seconds of each timed round, examples of each, last round's loss, and the seconds
   * of all warm-up rounds together. The rates use the median round, which other processes' load disturbs less than
   * the mean.
   */
  record Run(double[] seconds, long[] examples, double lastLoss, double warmupSeconds) {
    double secondsPerRound() {
      double[] sorted = seconds.clone();
      Arrays.sort(sorted);
      int n = sorted.length;
      return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    double updatesPerSecond() {
      return CLIENTS_PER_ROUND / secondsPerRound();
    }

    double examplesPerSecond() {
      return (double) Arrays.stream(examples).sum() / examples.length / secondsPerRound();
    }
  }

  @SuppressWarnings("try") // the scope is the point: it installs the context
  static Run cohort(String name, Map<String, Struct> clients, List<List<String>> schedule, int warmup) {
    LearningProcess fedAvg = FedAvg.weighted(model(name), Optimizer.sgdm(LEARNING_RATE), Optimizer.sgdm(1.0));
    int timed = schedule.size() - warmup;
    double[] seconds = new double[timed];
    long[] examples = new long[timed];
    double loss = Double.NaN;
    double warming = 0;
    try (InProcessContext context = InProcessContext.builder().threads(THREADS).build();
         ContextStack.Scope scope = ContextStack.install(context)) {
      Object state = fedAvg.initialize().call();
      for (int r = 0; r < schedule.size(); r++) {
        long t0 = System.nanoTime();
        Struct out = (Struct) fedAvg.next().call(state, roundData(clients, schedule.get(r)));
        double elapsed = (System.nanoTime() - t0) / 1e9;
        state = out.get("state");
        Struct train = (Struct) ((Struct) ((Struct) ((FederatedValue) out.get("metrics")).value())
            .get("client_work")).get("train");
        loss = ((Tensor) train.get("loss")).floatValue();
        if (r < warmup) {
          warming += elapsed;
        } else {
          seconds[r - warmup] = elapsed;
          examples[r - warmup] = ((Tensor) train.get("num_examples")).longValue();
        }
      }
    }
    return new Run(seconds, examples, loss, warming);
  }

  static Run torch(String name, Path schedule, Path init, int warmup) throws IOException, InterruptedException {
    String json = Peer.lastLine("PyTorch FedAvg", "bench/torch_fedavg.py", "--data", DATA.toString(), "--model",
        name, "--schedule", schedule.toString(), "--init", init.toString(), "--warmup", Integer.toString(warmup),
        "--workers", Integer.toString(THREADS));
    double[] seconds = numbers(json, "round_seconds");
    double[] losses = numbers(json, "losses");
    double[] examples = numbers(json, "examples");
    long[] timedExamples = new long[seconds.length];
    for (int i = 0; i < seconds.length; i++) {
      timedExamples[i] = (long) examples[warmup + i];
    }
    return new Run(seconds, timedExamples, losses[losses.length - 1], numbers(json, "warmup_seconds")[0]);
  }

  private static double[] numbers(String json, String key) {
    Matcher m = Pattern.compile("\"" + key + "\": \\[([^\\]]*)\\]").matcher(json);
    if (!m.find()) {
      throw new IllegalStateException("PyTorch's output has no " + key + ": " + json);
    }
    return Arrays.stream(m.group(1).split(",")).map(String::trim).mapToDouble(Double::parseDouble).toArray();
  }

  /** Seconds per client of a round of {@code clients} clients with empty datasets (unweighted FedAvg). */
  @SuppressWarnings("try")
  static double emptyClientSeconds(String name, int clients, int rounds) {
    FunctionalModel model = model(name);
    LearningProcess fedAvg = FedAvg.unweighted(model, Optimizer.sgdm(LEARNING_RATE), Optimizer.sgdm(1.0));
    FederatedValue empty = FederatedValue.atClients(clients, i -> Dataset.empty(SPEC));
    double best = Double.MAX_VALUE;
    try (InProcessContext context = InProcessContext.builder().threads(THREADS).build();
         ContextStack.Scope scope = ContextStack.install(context)) {
      Object state = fedAvg.initialize().call();
      for (int r = 0; r < rounds; r++) {
        long t0 = System.nanoTime();
        state = ((Struct) fedAvg.next().call(state, empty)).get("state");
        best = Math.min(best, (System.nanoTime() - t0) / 1e9);
      }
    }
    return best / clients;
  }

  /**
   * In the child JVM: for each clients-per-round count, CNN rounds on that many sampled clients; prints
   * {@code heap <clients> <peak bytes> <collections>} lines.
   */
  @SuppressWarnings("try")
  static void heapChild(int[] counts) throws InterruptedException {
    Map<String, Struct> clients = load();
    List<String> population = new ArrayList<>(clients.keySet());
    LearningProcess fedAvg = FedAvg.weighted(model("cnn"), Optimizer.sgdm(LEARNING_RATE), Optimizer.sgdm(1.0));
    Heap.Live watch = new Heap.Live();
    try (InProcessContext context = InProcessContext.builder().threads(THREADS).build();
         ContextStack.Scope scope = ContextStack.install(context)) {
      Object state = fedAvg.initialize().call();
      state = ((Struct) fedAvg.next().call(state, roundData(clients, population.subList(0, 2)))).get("state");
      for (int count : counts) {
        ClientSampler sampler = ClientSampler.uniform(population, count, SEED);
        System.gc();
        Thread.sleep(200); // let the notifications of that collection arrive before the reset
        watch.reset();
        state = ((Struct) fedAvg.next().call(state, roundData(clients, sampler.sample(1)))).get("state");
        Thread.sleep(200);
        System.out.printf(Locale.ROOT, "heap %d %d %d%n", count, watch.peak(), watch.collections());
      }
    }
  }

  private static List<long[]> heapInChild(int[] counts) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!a.startsWith("-Xmx") && !a.startsWith("-Xms")) {
        cmd.add(a);
      }
    }
    cmd.addAll(List.of("-Xmx" + CHILD_HEAP, "-cp", System.getProperty("java.class.path"),
        FedAvgBench.class.getName(), "--heap-child"));
    for (int c : counts) {
      cmd.add(Integer.toString(c));
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("the heap measurement's JVM (-Xmx" + CHILD_HEAP + ") failed:\n" + out);
    }
    List<long[]> rows = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (line.startsWith("heap ")) {
        String[] f = line.trim().split(" ");
        rows.add(new long[] {Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])});
      }
    }
    return rows;
  }

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--heap-child")) {
      heapChild(Arrays.stream(args, 1, args.length).mapToInt(Integer::parseInt).toArray());
      return;
    }
    int rounds = 40;
    int warmup = 200;
    boolean torch = true;
    boolean roundsOnly = false;
    int repeats = 5;
    List<String> models = List.of("logreg", "mlp", "cnn");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--models" -> models = List.of(args[++i].split(","));
        case "--no-torch" -> torch = false;
        case "--rounds-only" -> roundsOnly = true;
        case "--repeats" -> repeats = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + "; expected --rounds R, --warmup W, --repeats K, --models logreg,mlp,cnn, --no-torch or --rounds-only");
      }
    }
    System.out.println("BLAS: " + Blas.describe());
    System.out.println("Java: " + Runtime.version() + ", " + Runtime.getRuntime().availableProcessors()
        + " processors; Cohort on " + THREADS + " client threads, PyTorch on " + THREADS + " processes x 1 thread");
    Map<String, Struct> clients = load();
    List<String> population = new ArrayList<>(clients.keySet());
    ClientSampler sampler = ClientSampler.uniform(population, CLIENTS_PER_ROUND, SEED);
    Path dir = Files.createTempDirectory("cohort-fedavg-bench");
    System.out.println("data: " + DATA + ", " + population.size() + " writers");

    Map<String, Run[]> results = new LinkedHashMap<>();
    try {
      for (String name : models) {
        int timed = name.equals("cnn") ? Math.max(3, rounds / 8) : rounds;
        int warm = name.equals("cnn") ? Math.max(3, warmup / 20) : warmup;
        List<List<String>> schedule = new ArrayList<>();
        StringBuilder lines = new StringBuilder();
        for (int r = 1; r <= warm + timed; r++) {
          List<String> ids = sampler.sample(r);
          schedule.add(ids);
          lines.append(String.join(" ", ids)).append('\n');
        }
        Path schedulePath = dir.resolve(name + "_schedule.txt");
        Files.writeString(schedulePath, lines);
        Path init = dir.resolve(name + "_init.npz");
        architecture(name).get().saveWeights(init);
        Run ours = null;
        Run theirs = null;
        for (int rep = 0; rep < repeats; rep++) {
          Run c = cohort(name, clients, schedule, warm);
          Run t = torch ? torch(name, schedulePath, init, warm) : null;
          System.out.printf(Locale.ROOT, "%s, repetition %d: Cohort %.4f s/round (last loss %.5f; %d warm-up rounds in"
              + " %.2f s)%s%n", name, rep + 1, c.secondsPerRound(), c.lastLoss(), warm, c.warmupSeconds(),
              t == null ? "" : String.format(Locale.ROOT, ", PyTorch %.4f s/round (last loss %.5f; warm-up %.2f s)",
                  t.secondsPerRound(), t.lastLoss(), t.warmupSeconds()));
          ours = ours == null || c.secondsPerRound() < ours.secondsPerRound() ? c : ours;
          theirs = t != null && (theirs == null || t.secondsPerRound() < theirs.secondsPerRound()) ? t : theirs;
        }
        results.put(name, new Run[] {ours, theirs});
      }
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }

    if (roundsOnly) {
      printRounds(results);
      return;
    }
    double logregOverhead = emptyClientSeconds("logreg", 100, 20);
    double cnnOverhead = emptyClientSeconds("cnn", 100, 5);
    int[] counts = {5, 10, 20, 40, 73};
    List<long[]> heap = heapInChild(counts);

    printRounds(results);
    System.out.println();
    System.out.println("| runtime overhead, round of 100 clients with empty datasets (best of rounds) | µs per client |");
    System.out.println("|---|---|");
    System.out.printf(Locale.ROOT, "| logistic regression (31,806 parameters) | %.1f |%n", logregOverhead * 1e6);
    System.out.printf(Locale.ROOT, "| CNN (1,690,046 parameters) | %.1f |%n", cnnOverhead * 1e6);
    System.out.println();
    System.out.println("| CNN round, -Xmx" + CHILD_HEAP + " | peak heap after GC during the round, MiB "
        + "| collections |");
    System.out.println("|---|---|---|");
    for (long[] row : heap) {
      System.out.printf(Locale.ROOT, "| %d clients | %.1f | %d |%n", row[0], row[1] / 1048576.0, row[2]);
    }
  }

  private static void printRounds(Map<String, Run[]> results) {
    System.out.println();
    System.out.println("| FedAvg round, 10 clients, batch 20 | Cohort s/round (median) | PyTorch s/round (median) | Cohort client updates/s"
        + " | PyTorch client updates/s | Cohort / PyTorch | Cohort examples/s | PyTorch examples/s | last-round loss"
        + " Cohort / PyTorch |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    for (Map.Entry<String, Run[]> e : results.entrySet()) {
      Run c = e.getValue()[0];
      Run t = e.getValue()[1];
      String label = switch (e.getKey()) {
        case "logreg" -> "logistic regression 784-62";
        case "mlp" -> "MLP 784-200-200-62";
        default -> "TFF's FedAvg CNN, 62 classes";
      };
      if (t == null) {
        System.out.printf(Locale.ROOT, "| %s (%d rounds) | %.4f | - | %.1f | - | - | %.0f | - | %.5f / - |%n", label,
            c.seconds().length, c.secondsPerRound(), c.updatesPerSecond(), c.examplesPerSecond(), c.lastLoss());
      } else {
        System.out.printf(Locale.ROOT, "| %s (%d rounds) | %.4f | %.4f | %.1f | %.1f | %.2fx | %.0f | %.0f | %.5f /"
                + " %.5f |%n", label, c.seconds().length, c.secondsPerRound(), t.secondsPerRound(),
            c.updatesPerSecond(), t.updatesPerSecond(), c.updatesPerSecond() / t.updatesPerSecond(),
            c.examplesPerSecond(), t.examplesPerSecond(), c.lastLoss(), t.lastLoss());
      }
    }
  }
}
