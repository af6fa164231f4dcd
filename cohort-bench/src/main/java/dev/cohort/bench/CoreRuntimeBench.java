package dev.cohort.bench;

import static dev.cohort.core.Intrinsics.federatedBroadcast;
import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedMean;

import dev.cohort.core.Computation;
import dev.cohort.core.ContextStack;
import dev.cohort.core.runtime.InProcessContext;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Overhead of the in-process runtime on {@code federated_mean(federated_map(f, x))} with a trivial {@code f}
 * ({@code x + 1}):
 *
 * <ul>
 *   <li>{@code many-clients}: 100,000 clients with a float32 scalar each (per-client overhead);</li>
 *   <li>{@code big-values}: 1,000 clients with a float32[1048576] (4 MiB) each (streaming: the members are produced
 *       on demand and folded into the mean, never held together);</li>
 *   <li>{@code two-params}: the same clients in TFF's round shape {@code <S@SERVER,{D}@CLIENTS>}, a computation of two
 *       parameters {@code (model, data) -> federated_mean(federated_map(f, <federated_broadcast(model), data>))} with
 *       {@code f = x + model} (its struct parameter is read twice, each element once, so the data still streams).</li>
 * </ul>
 *
 * <p>Each scenario runs in a fresh JVM, once to warm up and once timed, at 1 and 2 threads. It reports the wall time
 * of the timed call and the peak heap (the sum of the heap pools' peak usage after a GC and a peak reset, an upper
 * bound on the heap in use at any moment, garbage included). To show that memory is bounded by the work in flight,
 * the big-values and two-params scenarios are then run again in a JVM whose heap is capped ({@code -Xmx}) at the
 * issue's bound of 10 x one client value x threads; they must complete.
 *
 * <p>Run: {@code bench/run CoreRuntimeBench} ({@code BENCH_JAVA_OPTS} is passed to the parent JVM only).
 */
public final class CoreRuntimeBench {
  private static final int SCALAR_CLIENTS = 100_000;
  private static final int BIG_CLIENTS = 1_000;
  private static final int BIG_SIZE = 1 << 20;

  private CoreRuntimeBench() {}

  /** Runs every scenario in child JVMs and prints a table (or, with {@code --child}, one scenario). */
  public static void main(String[] args) throws Exception {
    if (args.length == 3 && args[0].equals("--child")) {
      child(args[1], Integer.parseInt(args[2]));
      return;
    }
    System.out.printf(Locale.ROOT, "java %s, %d processors%n", Runtime.version(),
        Runtime.getRuntime().availableProcessors());
    System.out.printf(Locale.ROOT, "%-12s %7s %8s %10s %10s %12s %14s%n", "scenario", "threads", "clients",
        "value", "wall s", "us/client", "peak heap MiB");
    for (String scenario : List.of("many-clients", "big-values", "two-params")) {
      for (int threads : new int[] {1, 2}) {
        String line = runChild(scenario, threads, null);
        System.out.println(line);
      }
    }
    System.out.println();
    for (String scenario : List.of("big-values", "two-params")) {
      for (int threads : new int[] {1, 2}) {
        long bound = 10L * BIG_SIZE * 4 * threads;
        int mib = (int) (bound >> 20);
        String line = runChild(scenario, threads, mib);
        System.out.printf(Locale.ROOT, "%s under -Xmx%dm (10 x 4 MiB x %d threads): %s%n", scenario, mib, threads,
            line.isEmpty() ? "FAILED" : "completed: " + line.trim());
      }
    }
  }

  private static String runChild(String scenario, int threads, Integer xmxMib) throws IOException,
      InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    if (xmxMib != null) {
      cmd.add("-Xmx" + xmxMib + "m");
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(CoreRuntimeBench.class.getName());
    cmd.add("--child");
    cmd.add(scenario);
    cmd.add(Integer.toString(threads));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    StringBuilder out = new StringBuilder();
    String result = "";
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (line.startsWith("RESULT ")) {
          result = line.substring("RESULT ".length());
        } else {
          out.append(line).append('\n');
        }
      }
    }
    int status = p.waitFor();
    if (status != 0 || result.isEmpty()) {
      System.out.print(out);
      return xmxMib != null ? "" : String.format(Locale.ROOT, "%-12s %7d  failed (exit %d)", scenario, threads,
          status);
    }
    return result;
  }

  @SuppressWarnings("try") // the scope is the point: it installs the context
  private static void child(String scenario, int threads) {
    boolean big = !scenario.equals("many-clients");
    int clients = big ? BIG_CLIENTS : SCALAR_CLIENTS;
    TensorType type = big ? TensorType.of(DType.FLOAT32, BIG_SIZE) : TensorType.FLOAT32;
    Object[] args;
    Computation meanOfF;
    FederatedValue input = FederatedValue.atClients(clients, i -> member(big, i));
    if (scenario.equals("two-params")) {
      Computation f = Computation.local("bench.plus_model", StructType.of(TensorType.FLOAT32, type), type,
          a -> ((Tensor) ((Struct) a).get(1)).add(((Tensor) ((Struct) a).get(0)).floatValue()));
      meanOfF = Computation.federated("mean_of_f", "model", FederatedType.atServer(TensorType.FLOAT32), "data",
          FederatedType.atClients(type),
          (model, data) -> federatedMean(federatedMap(f, List.of(federatedBroadcast(model), data))));
      args = new Object[] {1f, input};
    } else {
      Computation f = Computation.local("bench.plus_one", type, type, x -> ((Tensor) x).add(1f));
      meanOfF = Computation.federated("mean_of_f", FederatedType.atClients(type),
          x -> federatedMean(federatedMap(f, x)));
      args = new Object[] {input};
    }
    try (InProcessContext ctx = InProcessContext.builder().threads(threads).build();
         ContextStack.Scope s = ContextStack.install(ctx)) {
      Object warm = meanOfF.call(args);
      List<MemoryPoolMXBean> pools = new ArrayList<>();
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP) {
          pools.add(pool);
        }
      }
      System.gc();
      pools.forEach(MemoryPoolMXBean::resetPeakUsage);
      long t0 = System.nanoTime();
      Object result = meanOfF.call(args);
      double seconds = (System.nanoTime() - t0) / 1e9;
      long peak = 0;
      for (MemoryPoolMXBean pool : pools) {
        peak += pool.getPeakUsage().getUsed();
      }
      if (!result.equals(warm)) {
        throw new IllegalStateException("two runs disagree");
      }
      System.out.printf(Locale.ROOT, "RESULT %-12s %7d %8d %10s %10.3f %12.2f %14.1f%n", scenario, threads, clients,
          big ? "f32[2^20]" : "f32", seconds, seconds * 1e6 / clients, peak / 1048576.0);
    }
  }

  /** A deterministic member: client {@code i}'s value. */
  private static Tensor member(boolean big, int i) {
    if (!big) {
      return Tensor.scalar((float) (i % 1000));
    }
    float[] v = new float[BIG_SIZE];
    float base = (i % 97) * 0.01f;
    for (int k = 0; k < v.length; k++) {
      v[k] = base + (k & 1023);
    }
    return Tensor.wrap(v, Shape.of(BIG_SIZE));
  }
}
