package dev.cohort.bench;

import dev.cohort.core.values.Struct;
import dev.cohort.simulation.ClientData;
import dev.cohort.simulation.Dataset;
import dev.cohort.simulation.Partitioner;
import dev.cohort.simulation.datasets.Idx;
import dev.cohort.simulation.datasets.LeafJson;
import dev.cohort.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Loading and iterating federated data with cohort-simulation: the FEMNIST LEAF sample the repository ships
 * ({@code data/femnist_leaf}, 73 writers, gzip JSON) and Fashion-MNIST's 60,000 training images (gzip IDX, from
 * Debian's {@code dataset-fashion-mnist} or {@code ../shared/data/fashion_mnist}, as the tutorials find it). For each
 * step it reports the wall time, examples per second, the peak heap (the heap pools' peaks, garbage included, reset
 * after a collection before the step) and the bytes the step allocated per example (HotSpot's per-thread counter,
 * {@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}); for the batch passes it also reports the bytes
 * per example beyond the batches' own storage, which is what per-example objects would show up in.
 *
 * <p>Steps: {@code femnist load} (the index scan of {@link LeafJson#femnist}: every file parsed once), {@code femnist
 * clients} (every train client's dataset in batches of 20, each read from its file), {@code fmnist read}
 * ({@link Idx#read} of the training split), {@code fmnist tensors} (the pixels as float32), {@code fmnist batches}
 * (one pass in batches of 20), {@code fmnist clients} (a Dirichlet(0.5) partition into 100 clients, each client's
 * dataset shuffled with a 100-example buffer and batched by 20). Each iteration step runs {@code passes} times after
 * one warm-up and reports the best. The peer is the same work in Python ({@code bench/torch_client_data.py}:
 * {@code json} and {@code numpy} for the files, {@code torch.utils.data.DataLoader} for the batches), run right after
 * in the same process tree.
 *
 * <p>Run: {@code bench/run ClientDataBench [--passes N] [--no-torch]} from the repository root.
 */
public final class ClientDataBench {
  private static final int BATCH = 20;
  private static final Path FEMNIST = Path.of("data", "femnist_leaf");
  private static final List<Path> FASHION = List.of(Path.of("/usr/share/datasets/fashion-mnist"),
      Path.of("..", "shared", "data", "fashion_mnist"));
  private static final String IMAGES = "train-images-idx3-ubyte.gz";
  private static final String LABELS = "train-labels-idx1-ubyte.gz";

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private ClientDataBench() {}

  /** Runs the table. */
  public static void main(String[] args) throws Exception {
    boolean torch = true;
    int passes = 3;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--no-torch" -> torch = false;
        case "--passes" -> passes = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + " (expected --passes N, --no-torch)");
      }
    }
    Path fashion = FASHION.stream().filter(d -> Files.isRegularFile(d.resolve(IMAGES))).findFirst()
        .orElseThrow(() -> new IllegalStateException("Fashion-MNIST's " + IMAGES + " not found in " + FASHION
            + "; apt-get install dataset-fashion-mnist"));
    System.out.printf(Locale.ROOT, "cohort: max heap %d MiB, %d processors, batches of %d, best of %d passes%n",
        Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors(), BATCH, passes);
    System.out.printf(Locale.ROOT, "%-16s %9s %9s %12s %10s %12s %14s%n", "step", "examples", "s", "examples/s",
        "peak MiB", "B/example", "B/ex. extra");

    ClientData.Split[] femnist = new ClientData.Split[1];
    long leafExamples = step("femnist load", 1, null, () -> {
      femnist[0] = LeafJson.femnist(FEMNIST);
      return count(femnist[0].train()) + count(femnist[0].test());
    });
    if (leafExamples != 10_621 + 1_216) {
      throw new IllegalStateException("the FEMNIST sample has " + leafExamples + " examples, SOURCE.md says 11837");
    }
    ClientData train = femnist[0].train();
    step("femnist clients", passes, 28 * 28 * 4 + 4, () -> {
      long n = 0;
      for (String id : train.clientIds()) {
        n += drain(train.dataset(id).batch(BATCH));
      }
      return n;
    });

    Idx.Examples[] idx = new Idx.Examples[1];
    step("fmnist read", 1, null, () -> {
      idx[0] = Idx.read(fashion.resolve(IMAGES), fashion.resolve(LABELS));
      return idx[0].count();
    });
    Struct[] tensors = new Struct[1];
    step("fmnist tensors", 1, null, () -> {
      tensors[0] = idx[0].struct();
      return idx[0].count();
    });
    Dataset all = Dataset.fromTensorSlices(tensors[0]);
    step("fmnist batches", passes, 28 * 28 * 4 + 4, () -> drain(all.batch(BATCH)));
    ClientData clients = Partitioner.dirichlet(100, 0.5, 2026).partition(idx[0].labelArray())
        .toClientData(tensors[0]);
    step("fmnist clients", passes, 28 * 28 * 4 + 4, () -> {
      long n = 0;
      for (int k = 0; k < clients.size(); k++) {
        n += drain(clients.dataset(clients.clientIds().get(k)).shuffle(100, 2026, 1, k).batch(BATCH));
      }
      return n;
    });
    if (torch) {
      Peer.print("bench/torch_client_data.py", FEMNIST.toString(), fashion.resolve(IMAGES).toString(),
          fashion.resolve(LABELS).toString(), Integer.toString(BATCH));
    }
  }

  /**
   * Runs {@code work} once to warm up when it is repeated, then {@code passes} times, and prints the best pass.
   *
   * @param storage the bytes of one example in a batch (its tensors' data), or null for a step that is no batch pass
   */
  private static long step(String name, int passes, Integer storage, LongSupplier work) {
    if (passes > 1) {
      work.getAsLong();
    }
    long thread = Thread.currentThread().getId();
    double best = Double.MAX_VALUE;
    long bestAllocated = 0;
    long peak = 0;
    long n = 0;
    for (int p = 0; p < passes; p++) {
      Heap.collectAndResetPeak();
      long before = THREADS.getThreadAllocatedBytes(thread);
      long t0 = System.nanoTime();
      n = work.getAsLong();
      double s = (System.nanoTime() - t0) / 1e9;
      long allocated = THREADS.getThreadAllocatedBytes(thread) - before;
      peak = Math.max(peak, Heap.peak());
      if (s < best) {
        best = s;
        bestAllocated = allocated;
      }
    }
    double perExample = (double) bestAllocated / n;
    // A batch of b examples holds b rows of each tensor plus a 16-byte header per array.
    String extra = storage == null ? "-"
        : String.format(Locale.ROOT, "%.2f", perExample - storage - 2 * 16.0 / BATCH);
    System.out.printf(Locale.ROOT, "%-16s %9d %9.3f %12.0f %10d %12.1f %14s%n", name, n, best, n / best,
        peak >> 20, perExample, extra);
    return n;
  }

  private static long count(ClientData data) {
    long n = 0;
    for (String id : data.clientIds()) {
      n += data.dataset(id).count();
    }
    return n;
  }

  /** The examples in a pass over {@code batches}, touching each batch's last label. */
  private static long drain(Dataset batches) {
    long n = 0;
    for (Object b : batches) {
      Tensor label = (Tensor) ((Struct) b).get("label");
      int[] v = label.intData();
      if (v[v.length - 1] < 0) {
        throw new IllegalStateException("negative label");
      }
      n += v.length;
    }
    return n;
  }
}
