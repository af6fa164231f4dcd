package dev.cohort.bench;

import dev.cohort.aggregators.AggregationProcess;
import dev.cohort.aggregators.Recommended;
import dev.cohort.core.ContextStack;
import dev.cohort.core.runtime.InProcessContext;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.RandomStream;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One round of the recommended aggregators over many large client updates: robust(dp(mean)) ({@code
 * Recommended.dp(1.0, n, zeroing = true)}, unweighted) and compression(mean) ({@code Recommended.compression(true,
 * true)}, weighted by 1), each over {@code n} lazily generated client updates of {@code size} float32 (uniform in
 * [-1, 1), keyed by client), for several {@code n}. It reports the round's time, clients per second, the peak heap
 * (the sum of the heap pools' peaks, garbage included, reset before each run) and the peak live heap (the largest
 * heap in use right after a garbage collection during the round, from the collectors' notifications): a streaming
 * aggregation's live heap stays flat as {@code n} grows, where holding the updates would need {@code n * size * 4}
 * bytes; the peak with garbage only shows how far the collector let the heap fill. The peer is the same
 * loop in PyTorch ({@code bench/torch_aggregators.py}: generate, zero, clip, accumulate, noise; and for compression
 * 8-bit stochastic quantisation of each update), run in the same process tree right after.
 *
 * <p>Run: {@code bench/run AggregatorBench [size=S] [n...]} (defaults: 1000000, then 250 and 1000 clients);
 * {@code --no-torch} skips the peer.
 */
public final class AggregatorBench {
  private AggregatorBench() {}

  /** Runs the table. */
  public static void main(String[] args) throws Exception {
    boolean torch = true;
    int size = 1_000_000;
    List<Integer> clients = new ArrayList<>();
    for (String a : args) {
      if (a.equals("--no-torch")) {
        torch = false;
      } else if (a.startsWith("size=")) {
        size = Integer.parseInt(a.substring(5));
      } else {
        clients.add(Integer.parseInt(a));
      }
    }
    if (clients.isEmpty()) {
      clients = List.of(250, 1000);
    }
    System.out.printf(Locale.ROOT, "update size %d float32, max heap %d MiB, %d processors%n", size,
        Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors());
    System.out.printf(Locale.ROOT, "%-22s %8s %10s %12s %14s %14s %8s%n", "aggregator", "clients", "round s",
        "clients/s", "peak heap MiB", "peak live MiB", "GCs");
    for (String name : List.of("robust(dp(mean))", "compression(mean)")) {
      for (int n : clients) {
        run(name, n, size);
      }
    }
    if (torch) {
      for (int n : clients) {
        Peer.print("bench/torch_aggregators.py", Integer.toString(n), Integer.toString(size));
      }
    }
  }

  @SuppressWarnings("try") // the scope installs the context
  private static void run(String name, int n, int size) {
    TensorType type = TensorType.of(DType.FLOAT32, size);
    boolean dp = name.startsWith("robust");
    AggregationProcess p = dp ? Recommended.dp(1.0, n, true, 42L).create(type)
        : Recommended.compression(true, true, 42L).create(type, TensorType.FLOAT32);
    Shape shape = Shape.of(size);
    try (InProcessContext context = InProcessContext.builder().build();
         ContextStack.Scope scope = ContextStack.install(context)) {
      Object state = p.initialize().call();
      FederatedValue updates = FederatedValue.atClients("bench updates", n,
          i -> RandomStream.of(7, i).uniform(shape, -1f, 1f));
      FederatedValue weights = FederatedValue.atClients("bench weights", n, i -> Tensor.scalar(1f));
      Heap.collectAndResetPeak();
      Heap.Live live = new Heap.Live();
      long t0 = System.nanoTime();
      Object out;
      try {
        out = dp ? p.next().call(state, updates) : p.next().call(state, updates, weights);
      } finally {
        live.close();
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      long peak = Heap.peak();
      if (out == null) {
        throw new IllegalStateException("no output");
      }
      System.out.printf(Locale.ROOT, "%-22s %8d %10.2f %12.1f %14d %14d %8d%n", name, n, seconds, n / seconds,
          peak >> 20, live.peak() >> 20, live.collections());
    }
  }
}
