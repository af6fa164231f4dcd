package dev.cohort.bench;

import static dev.cohort.core.Intrinsics.federatedBroadcast;
import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedMean;
import static dev.cohort.core.Intrinsics.federatedSum;
import static dev.cohort.core.Intrinsics.federatedZip;

import dev.cohort.core.Computation;
import dev.cohort.core.ContextStack;
import dev.cohort.core.Value;
import dev.cohort.core.compiler.Compiler;
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
 *       {@code f = x + model} (its struct parameter is read twice, each element once, so the data still streams);</li>
 *   <li>{@code fedavg}: FedAvg's round shape, several aggregations of one client work,
 *       {@code (model, data) -> <federated_mean(u[0], u[1]), federated_sum(u[2])>} with
 *       {@code u = federated_map(work, <federated_broadcast(model), data>)}, {@code work} returning
 *       {@code <update = model + x, weight, metrics>} for a float32[1024] (4 KiB) update, at 1,000, 10,000 and 100,000
 *       clients: the runtime evaluates both aggregations in one pass over the clients, so peak heap must not grow with
 *       clients; {@code fedavg-mrf} is the same computation compiled to MapReduceForm and back (one
 *       {@code federated_aggregate}), the workaround that was needed before.</li>
 * </ul>
 *
 * <p>Each scenario runs in a fresh JVM, once to warm up and once timed, at 1 and 2 threads. It reports the wall time
 * of the timed call and the peak heap (the sum of the heap pools' peak usage after a GC and a peak reset, an upper
 * bound on the heap in use at any moment, garbage included). To show that memory is bounded by the work in flight,
 * the big-values and two-params scenarios are then run again in a JVM whose heap is capped ({@code -Xmx}) at the
 * issue's bound of 10 x one client value x threads; they must complete. The fedavg scenario at 100,000 clients is run
 * again under {@code -Xmx}{@value #FEDAVG_XMX_MIB}{@code m}: holding its 100,000 updates (400 MiB) would not fit.
 *
 * <p>Run: {@code bench/run CoreRuntimeBench} ({@code BENCH_JAVA_OPTS} is passed to the parent JVM only).
 */
public final class CoreRuntimeBench {
  private static final int SCALAR_CLIENTS = 100_000;
  private static final int BIG_CLIENTS = 1_000;
  private static final int BIG_SIZE = 1 << 20;
  private static final int FEDAVG_SIZE = 1024;
  private static final int FEDAVG_XMX_MIB = 48;

  private CoreRuntimeBench() {}

  /** Runs every scenario in child JVMs and prints a table (or, with {@code --child}, one scenario). */
  public static void main(String[] args) throws Exception {
    if (args.length == 4 && args[0].equals("--child")) {
      child(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
      return;
    }
    System.out.printf(Locale.ROOT, "java %s, %d processors%n", Runtime.version(),
        Runtime.getRuntime().availableProcessors());
    System.out.printf(Locale.ROOT, "%-12s %7s %8s %10s %10s %12s %14s%n", "scenario", "threads", "clients",
        "value", "wall s", "us/client", "peak heap MiB");
    for (String scenario : List.of("many-clients", "big-values", "two-params")) {
      for (int threads : new int[] {1, 2}) {
        String line = runChild(scenario, threads, 0, null);
        System.out.println(line);
      }
    }
    for (String scenario : List.of("fedavg", "fedavg-mrf")) {
      for (int clients : new int[] {1_000, 10_000, 100_000}) {
        for (int threads : new int[] {1, 2}) {
          System.out.println(runChild(scenario, threads, clients, null));
        }
      }
    }
    System.out.println();
    for (String scenario : List.of("big-values", "two-params")) {
      for (int threads : new int[] {1, 2}) {
        long bound = 10L * BIG_SIZE * 4 * threads;
        int mib = (int) (bound >> 20);
        String line = runChild(scenario, threads, 0, mib);
        System.out.printf(Locale.ROOT, "%s under -Xmx%dm (10 x 4 MiB x %d threads): %s%n", scenario, mib, threads,
            line.isEmpty() ? "FAILED" : "completed: " + line.trim());
      }
    }
    for (int threads : new int[] {1, 2}) {
      String line = runChild("fedavg", threads, 100_000, FEDAVG_XMX_MIB);
      System.out.printf(Locale.ROOT, "fedavg, 100,000 clients x 4 KiB, under -Xmx%dm: %s%n", FEDAVG_XMX_MIB,
          line.isEmpty() ? "FAILED" : "completed: " + line.trim());
    }
  }

  private static String runChild(String scenario, int threads, int clients, Integer xmxMib) throws IOException,
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
    cmd.add(Integer.toString(clients));
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
  private static void child(String scenario, int threads, int fedAvgClients) {
    boolean fedAvg = scenario.startsWith("fedavg");
    boolean big = !scenario.equals("many-clients") && !fedAvg;
    int clients = fedAvg ? fedAvgClients : big ? BIG_CLIENTS : SCALAR_CLIENTS;
    TensorType type = big ? TensorType.of(DType.FLOAT32, BIG_SIZE) : TensorType.FLOAT32;
    Object[] args;
    Computation meanOfF;
    FederatedValue input = FederatedValue.atClients(clients, i -> fedAvg ? update(i) : member(big, i));
    if (fedAvg) {
      meanOfF = fedAvgRound();
      if (scenario.equals("fedavg-mrf")) {
        meanOfF = Compiler.toMapReduceForm(meanOfF).toComputation();
      }
      args = new Object[] {Tensor.zeros(DType.FLOAT32, Shape.of(FEDAVG_SIZE)), input};
    } else if (scenario.equals("two-params")) {
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
      Heap.collectAndResetPeak();
      long t0 = System.nanoTime();
      Object result = meanOfF.call(args);
      double seconds = (System.nanoTime() - t0) / 1e9;
      long peak = Heap.peak();
      if (!result.equals(warm)) {
        throw new IllegalStateException("two runs disagree");
      }
      System.out.printf(Locale.ROOT, "RESULT %-12s %7d %8d %10s %10.3f %12.2f %14.1f%n", scenario, threads, clients,
          fedAvg ? "f32[1024]" : big ? "f32[2^20]" : "f32", seconds, seconds * 1e6 / clients, peak / 1048576.0);
    }
  }

  /**
   * FedAvg's round over float32[{@value #FEDAVG_SIZE}] models: client work {@code <update = model + x, weight = 1 +
   * |x[0]|, metrics = <x[0], 1>>}, then the weighted mean of the updates and the sum of the metrics.
   */
  private static Computation fedAvgRound() {
    TensorType vec = TensorType.of(DType.FLOAT32, FEDAVG_SIZE);
    TensorType pair = TensorType.of(DType.FLOAT32, 2);
    Computation work = Computation.local("bench.fedavg_work", StructType.of(vec, vec),
        StructType.of(vec, TensorType.FLOAT32, pair), a -> {
          Tensor model = (Tensor) ((Struct) a).get(0);
          Tensor x = (Tensor) ((Struct) a).get(1);
          float first = x.floatData()[0];
          return Struct.of(model.add(x), Tensor.scalar(1f + Math.abs(first)), Tensor.of(new float[] {first, 1f}, 2));
        });
    return Computation.federated("fedavg_round", "model", FederatedType.atServer(vec), "data",
        FederatedType.atClients(vec), (model, data) -> {
          Value u = federatedMap(work, federatedZip(List.of(federatedBroadcast(model), data)));
          return List.of(federatedMean(u.get(0), u.get(1)), federatedSum(u.get(2)));
        });
  }

  /** Client {@code i}'s float32[{@value #FEDAVG_SIZE}] data for the fedavg scenarios. */
  private static Tensor update(int i) {
    float[] v = new float[FEDAVG_SIZE];
    float base = (i % 89) * 0.01f;
    for (int k = 0; k < v.length; k++) {
      v[k] = base + (k & 63) * 0.001f;
    }
    return Tensor.wrap(v, Shape.of(FEDAVG_SIZE));
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
