package dev.cohort.core.runtime;

import static dev.cohort.core.Intrinsics.federatedBroadcast;
import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedMean;
import static dev.cohort.core.Intrinsics.federatedSecureSum;
import static dev.cohort.core.Intrinsics.federatedSecureSumBitwidth;
import static dev.cohort.core.Intrinsics.federatedSum;
import static dev.cohort.core.Intrinsics.federatedZip;
import static dev.cohort.core.types.TensorType.FLOAT32;
import static dev.cohort.core.types.TensorType.INT32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.Computation;
import dev.cohort.core.ContextStack;
import dev.cohort.core.Value;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Several aggregations of one lazy CLIENTS value run in one pass over the clients ({@link Fusion}): memory stays
 * bounded by the work in flight, results keep the bits of the aggregations evaluated one by one, and failures name
 * the client and the intrinsic as before.
 */
class FusedAggregationTest {
  private static final TensorType VEC = TensorType.of(DType.FLOAT32, 16);
  private static final StructType OUTPUT = StructType.of(VEC, FLOAT32, TensorType.of(DType.FLOAT32, 2));

  /**
   * The default in-process executor, recording every fold (stage and clients) and the most client results held at
   * once: a task's result is held from when the task returns until the fold has accumulated it, and a collected
   * result until the collection returns (the caller then holds them all).
   */
  private static final class Recording implements ClientExecutor {
    record Fold(String stage, int clients, boolean collect) {}

    final ClientExecutor inner;
    final List<Fold> folds = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger held = new AtomicInteger();
    final AtomicInteger peak = new AtomicInteger();

    Recording(int threads) {
      inner = ClientExecutor.inProcess(threads);
    }

    private <T> ClientTask<T> counted(ClientTask<T> task) {
      return i -> {
        T r = task.run(i);
        peak.accumulateAndGet(held.incrementAndGet(), Math::max);
        return r;
      };
    }

    @Override
    public <T, A> A fold(String stage, int clients, ClientTask<? extends T> task, A initial,
        BiFunction<A, ? super T, A> accumulate) {
      folds.add(new Fold(stage, clients, false));
      return inner.<T, A>fold(stage, clients, counted(task::run), initial, (a, r) -> {
        A next = accumulate.apply(a, r);
        held.decrementAndGet();
        return next;
      });
    }

    @Override
    public <T> List<T> collect(String stage, int clients, ClientTask<? extends T> task) {
      folds.add(new Fold(stage, clients, true));
      List<T> out = inner.<T>collect(stage, clients, counted(task::run));
      held.addAndGet(-out.size());
      return out;
    }

    @Override
    public int parallelism() {
      return inner.parallelism();
    }

    @Override
    public void close() {
      inner.close();
    }
  }

  @SuppressWarnings("try") // the scope is the point: it installs the context
  private static Object run(ClientExecutor executor, Computation c, Object... args) {
    try (InProcessContext ctx = InProcessContext.builder().clientExecutor(executor).build();
         ContextStack.Scope s = ContextStack.install(ctx)) {
      return c.call(args);
    }
  }

  private static Object run(int threads, Computation c, Object... args) {
    try (ClientExecutor executor = ClientExecutor.inProcess(threads)) {
      return run(executor, c, args);
    }
  }

  private static Object server(Object v) {
    return ((FederatedValue) v).value();
  }

  /** Busy-waits {@code micros} microseconds. */
  private static void spin(long micros) {
    long until = System.nanoTime() + micros * 1000;
    while (System.nanoTime() < until) {
      Thread.onSpinWait();
    }
  }

  /** Client vectors whose sums depend on the order of addition. */
  private static FederatedValue data(int n) {
    return FederatedValue.atClients(n, i -> {
      float[] v = new float[16];
      for (int k = 0; k < 16; k++) {
        v[k] = (float) Math.scalb(Math.sin(i * 31.0 + k), (i * 7 + k) % 24 - 12);
      }
      return Tensor.of(v, 16);
    });
  }

  /**
   * FedAvg-shaped client work: {@code <update = model + x, weight = 1 + 3 |x[0]|, metrics = <x[0], weight>>}; counts
   * its calls, takes {@code micros} (so that the executor keeps one client per task) and, if {@code failing >= 0},
   * fails for that client's data.
   */
  private static Computation work(String name, AtomicInteger calls, long micros, int failing) {
    return Computation.local(name, StructType.of(VEC, VEC), OUTPUT, a -> {
      calls.incrementAndGet();
      spin(micros);
      Tensor model = (Tensor) ((Struct) a).get(0);
      Tensor x = (Tensor) ((Struct) a).get(1);
      float first = x.floatData()[0];
      if (failing >= 0 && x.equals(data(failing + 1).member(failing))) {
        throw new IllegalStateException("client " + failing + " diverged");
      }
      float weight = 1f + Math.abs(first) * 3f;
      return Struct.of(model.add(x), Tensor.scalar(weight), Tensor.of(new float[] {first, weight}, 2));
    });
  }

  private static Computation fedAvg(Computation work) {
    return Computation.federated("fed_avg", "model", FederatedType.atServer(VEC), "data",
        FederatedType.atClients(VEC), (model, data) -> {
          Value u = federatedMap(work, federatedZip(List.of(federatedBroadcast(model), data)));
          return List.of(federatedMean(u.get(0), u.get(1)), federatedSum(u.get(2)));
        });
  }

  private static final Tensor MODEL = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
      16);

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 4})
  void fedAvgOverTenThousandLazyClientsHoldsAtMostTheTasksInFlight(int threads) {
    AtomicInteger calls = new AtomicInteger();
    Computation round = fedAvg(work("fused.fedavg_work_" + threads, calls, 50, -1));
    try (Recording executor = new Recording(threads)) {
      Object result = run(executor, round, MODEL, data(10_000));
      assertThat(calls.get()).isEqualTo(10_000);
      // Without fusion, u is collected for all 10,000 clients before the mean and the sum read it.
      assertThat(executor.peak.get()).isLessThanOrEqualTo(2 * threads);
      assertThat(executor.folds).containsExactly(
          new Recording.Fold("federated_weighted_mean + federated_sum", 10_000, false));
      assertThat(((Struct) result).size()).isEqualTo(2);
    }
  }

  /** The same round without fusion: u is also returned, so it is computed for all clients where it is bound. */
  private static Computation fedAvgWithUReturned(Computation work) {
    return Computation.federated("fed_avg_unfused", "model", FederatedType.atServer(VEC), "data",
        FederatedType.atClients(VEC), (model, data) -> {
          Value u = federatedMap(work, federatedZip(List.of(federatedBroadcast(model), data)));
          return List.of(federatedMean(u.get(0), u.get(1)), federatedSum(u.get(2)), u);
        });
  }

  @Test
  void fusedResultsHaveTheBitsOfEachAggregationAloneAtOneTwoAndEightThreads() {
    AtomicInteger calls = new AtomicInteger();
    Computation work = work("fused.bits_work", calls, 0, -1);
    Computation meanAlone = Computation.federated("mean_alone", "model", FederatedType.atServer(VEC), "data",
        FederatedType.atClients(VEC), (model, data) -> {
          Value u = federatedMap(work, federatedZip(List.of(federatedBroadcast(model), data)));
          return List.of(federatedMean(u.get(0), u.get(1)), u);
        });
    Computation sumAlone = Computation.federated("sum_alone", "model", FederatedType.atServer(VEC), "data",
        FederatedType.atClients(VEC), (model, data) -> federatedSum(
            federatedMap(work, federatedZip(List.of(federatedBroadcast(model), data))).get(2)));
    int n = 3000;
    Object mean = server(((Struct) run(1, meanAlone, MODEL, data(n))).get(0));
    Object sum = server(run(1, sumAlone, MODEL, data(n)));
    // The sum of the metrics, in client order in float32: the reference for the sum, and order-sensitive.
    float[] forward = new float[2];
    float[] backward = new float[2];
    for (int i = 0; i < n; i++) {
      float a = ((Tensor) data(n).member(i)).floatData()[0];
      float b = ((Tensor) data(n).member(n - 1 - i)).floatData()[0];
      forward[0] += a;
      forward[1] += 1f + Math.abs(a) * 3f;
      backward[0] += b;
      backward[1] += 1f + Math.abs(b) * 3f;
    }
    assertThat(((Tensor) sum).floatData()).containsExactly(forward);
    assertThat(forward).isNotEqualTo(backward);
    for (int threads : new int[] {1, 2, 8}) {
      Struct fused = (Struct) run(threads, fedAvg(work), MODEL, data(n));
      assertThat(server(fused.get(0))).as("mean at %d threads", threads).isEqualTo(mean);
      assertThat(server(fused.get(1))).as("sum at %d threads", threads).isEqualTo(sum);
      Struct unfused = (Struct) run(threads, fedAvgWithUReturned(work), MODEL, data(n));
      assertThat(unfused.get(0)).isEqualTo(fused.get(0));
      assertThat(unfused.get(1)).isEqualTo(fused.get(1));
    }
  }

  /** {@code <a = x mod 1000, b = x mod 2^20>} of an int32 client value. */
  private static Computation residues(String name, AtomicInteger calls, long micros) {
    return Computation.local(name, INT32, StructType.of(INT32, INT32), x -> {
      calls.incrementAndGet();
      spin(micros);
      int v = ((Tensor) x).intValue();
      return Struct.of(Tensor.scalar(Math.floorMod(v, 1000)), Tensor.scalar(Math.floorMod(v, 1 << 20)));
    });
  }

  private static FederatedValue ints(int n) {
    return FederatedValue.atClients(n, i -> Tensor.scalar(i * 7919 + 13));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3})
  void twoSecureSumsOverOneMapStreamAndMatchEachAlone(int threads) {
    AtomicInteger calls = new AtomicInteger();
    Computation parts = residues("fused.residues_" + threads, calls, 50);
    Computation both = Computation.federated("two_secure_sums", FederatedType.atClients(INT32), x -> {
      Value u = federatedMap(parts, x);
      return List.of(federatedSecureSum(u.get(0), 999), federatedSecureSumBitwidth(u.get(1), 20));
    });
    Computation first = Computation.federated("secure_sum_alone", FederatedType.atClients(INT32),
        x -> federatedSecureSum(federatedMap(parts, x).get(0), 999));
    Computation second = Computation.federated("bitwidth_alone", FederatedType.atClients(INT32),
        x -> federatedSecureSumBitwidth(federatedMap(parts, x).get(1), 20));
    int n = 5000;
    Struct result;
    try (Recording executor = new Recording(threads)) {
      result = (Struct) run(executor, both, ints(n));
      assertThat(calls.get()).isEqualTo(n);
      assertThat(executor.peak.get()).isLessThanOrEqualTo(2 * threads);
      assertThat(executor.folds).containsExactly(
          new Recording.Fold("federated_secure_sum + federated_secure_sum_bitwidth", n, false));
    }
    long a = 0;
    long b = 0;
    for (int i = 0; i < n; i++) {
      a += Math.floorMod(i * 7919 + 13, 1000);
      b += Math.floorMod(i * 7919 + 13, 1 << 20);
    }
    assertThat(server(result.get(0))).isEqualTo(server(run(threads, first, ints(n)))).isEqualTo(
        Tensor.scalar((int) a));
    assertThat(server(result.get(1))).isEqualTo(server(run(threads, second, ints(n)))).isEqualTo(
        Tensor.scalar((int) b));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 4})
  void aFailingClientInsideTheFusedPassNamesTheIntrinsicAndTheClient(int threads) {
    // The source's client work fails: reported against the intrinsic that produces the shared value.
    Computation failingWork = work("fused.failing_work_" + threads, new AtomicInteger(), 0, 37);
    assertThatThrownBy(() -> run(threads, fedAvg(failingWork), MODEL, data(100)))
        .isInstanceOf(ClientFailureException.class)
        .hasMessage("federated_map: client 37 of 100 failed: client 37 diverged");

    // A consumer's own client part fails (a bound check): reported against that consumer, the lowest client first.
    Computation parts = residues("fused.bounded_" + threads, new AtomicInteger(), 0);
    Computation tight = Computation.federated("tight_bounds", FederatedType.atClients(INT32), x -> {
      Value u = federatedMap(parts, x);
      return List.of(federatedSecureSum(u.get(0), 990), federatedSecureSumBitwidth(u.get(1), 16));
    });
    FederatedValue values = FederatedValue.atClients(50, i -> Tensor.scalar(i == 20 ? 70_000 : i == 30 ? 995 : i));
    assertThatThrownBy(() -> run(threads, tight, values))
        .isInstanceOf(ClientFailureException.class)
        .hasMessage("federated_secure_sum_bitwidth: client 20 of 50 failed: federated_secure_sum_bitwidth: input 70000"
            + " (element 0 of tensor 0) is outside [0, 65535] (2^bitwidth - 1)")
        .satisfies(e -> assertThat(((ClientFailureException) e).stage()).isEqualTo("federated_secure_sum_bitwidth"));

    // A per-client map read by one aggregation fails: reported against that aggregation, as when it streams alone.
    Computation broken = Computation.local("fused.broken_metric_" + threads, TensorType.of(DType.FLOAT32, 2),
        FLOAT32, m -> {
          float weight = ((Tensor) m).floatData()[1];
          if (weight == 1f + Math.abs(((Tensor) data(100).member(61)).floatData()[0]) * 3f) {
            throw new IllegalStateException("metric of client 61 is broken");
          }
          return Tensor.scalar(weight);
        });
    Computation work = work("fused.plain_work_" + threads, new AtomicInteger(), 0, -1);
    Computation round = Computation.federated("fed_avg_broken_metric", "model", FederatedType.atServer(VEC), "data",
        FederatedType.atClients(VEC), (model, data) -> {
          Value u = federatedMap(work, federatedZip(List.of(federatedBroadcast(model), data)));
          return List.of(federatedMean(u.get(0), u.get(1)), federatedSum(federatedMap(broken, u.get(2))));
        });
    assertThatThrownBy(() -> run(threads, round, MODEL, data(100)))
        .isInstanceOf(ClientFailureException.class)
        .hasMessage("federated_sum: client 61 of 100 failed: metric of client 61 is broken");
  }

  @Test
  void aSharedValueAlsoUsedByANonAggregationIsStillComputedOncePerClient() {
    AtomicInteger calls = new AtomicInteger();
    Computation work = work("fused.returned_work", calls, 0, -1);
    try (Recording executor = new Recording(2)) {
      Struct result = (Struct) run(executor, fedAvgWithUReturned(work), MODEL, data(500));
      assertThat(calls.get()).isEqualTo(500);
      assertThat(((FederatedValue) result.get(2)).size()).isEqualTo(500);
      // u is collected where it is bound (the caller needs it whole), then each aggregation reads the members.
      assertThat(executor.folds.get(0)).isEqualTo(new Recording.Fold("federated_map", 500, true));
      assertThat(executor.peak.get()).isEqualTo(500);
    }
  }

  @Test
  void anAggregationThatReadsAnotherOnesResultIsNotFusedWithIt() {
    AtomicInteger calls = new AtomicInteger();
    Computation work = work("fused.dependent_work", calls, 0, -1);
    Computation scale = Computation.local("fused.scale", StructType.of(FLOAT32, FLOAT32), FLOAT32,
        a -> ((Tensor) ((Struct) a).get(0)).mul((Tensor) ((Struct) a).get(1)));
    Computation dependent = Computation.federated("dependent", "model", FederatedType.atServer(VEC), "data",
        FederatedType.atClients(VEC), (model, data) -> {
          Value u = federatedMap(work, federatedZip(List.of(federatedBroadcast(model), data)));
          Value total = federatedSum(u.get(1));
          Value scaled = federatedMap(scale, federatedZip(List.of(u.get(1), federatedBroadcast(total))));
          return List.of(total, federatedSum(scaled));
        });
    Struct r = (Struct) run(2, dependent, MODEL, data(200));
    assertThat(calls.get()).isEqualTo(200);
    float total = 0;
    for (int i = 0; i < 200; i++) {
      total += 1f + Math.abs(((Tensor) data(200).member(i)).floatData()[0]) * 3f;
    }
    float scaled = 0;
    for (int i = 0; i < 200; i++) {
      scaled += (1f + Math.abs(((Tensor) data(200).member(i)).floatData()[0]) * 3f) * total;
    }
    assertThat(server(r.get(0))).isEqualTo(Tensor.scalar(total));
    assertThat(server(r.get(1))).isEqualTo(Tensor.scalar(scaled));
  }

  /** The client work's output, returned from a nested computation that also sums part of it. */
  private static Computation nestedRound(Computation work) {
    Computation clientWork = Computation.federated("client_work", "model", FederatedType.atServer(VEC), "data",
        FederatedType.atClients(VEC), (model, data) -> {
          Value u = federatedMap(work, federatedZip(List.of(federatedBroadcast(model), data)));
          return List.of(u, federatedSum(u.get(2)));
        });
    Computation aggregate = Computation.federated("aggregate", "u", FederatedType.atClients(OUTPUT),
        u -> federatedMean(u.get(0), u.get(1)));
    return Computation.federated("nested_round", "model", FederatedType.atServer(VEC), "data",
        FederatedType.atClients(VEC), (model, data) -> {
          Value trained = clientWork.apply(model, data);
          return List.of(aggregate.apply(trained.get(0)), trained.get(1));
        });
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3})
  void aggregationsInNestedComputationsOfOneClientValueRunInOnePass(int threads) {
    AtomicInteger calls = new AtomicInteger();
    Computation work = work("fused.nested_work_" + threads, calls, 50, -1);
    Object expected = run(1, fedAvg(work), MODEL, data(2_000));
    calls.set(0);
    try (Recording executor = new Recording(threads)) {
      Object result = run(executor, nestedRound(work), MODEL, data(2_000));
      // Without inlining, u crosses the call of client_work and is collected for all clients.
      assertThat(executor.folds).containsExactly(
          new Recording.Fold("federated_sum + federated_weighted_mean", 2_000, false));
      assertThat(executor.peak.get()).isLessThanOrEqualTo(2 * threads);
      assertThat(calls.get()).isEqualTo(2_000);
      Struct r = (Struct) result;
      Struct e = (Struct) expected;
      assertThat(r.get(0)).isEqualTo(e.get(0));
      assertThat(r.get(1)).isEqualTo(e.get(1));
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3})
  void aggregationsOfAComputationsClientsParameterRunInOnePass(int threads) {
    Computation c = Computation.federated("parameter_source", "x", FederatedType.atClients(VEC),
        x -> List.of(federatedSum(x), federatedMean(x)));
    AtomicInteger reads = new AtomicInteger();
    FederatedValue lazy = FederatedValue.atClients(3_000, i -> {
      reads.incrementAndGet();
      spin(50); // so that the executor keeps one client per task
      return data(i + 1).member(i);
    });
    try (Recording executor = new Recording(threads)) {
      Struct result = (Struct) run(executor, c, lazy);
      assertThat(executor.folds).containsExactly(new Recording.Fold("federated_sum + federated_mean", 3_000, false));
      assertThat(executor.peak.get()).isLessThanOrEqualTo(2 * threads);
      assertThat(reads.get()).isEqualTo(3_000);
      // Without parameter sources, x is materialized for all clients on entry. Each aggregation alone (a computation reading x once) gives the same bits.
      Computation sum = Computation.federated("sum_alone", "x", FederatedType.atClients(VEC), x -> federatedSum(x));
      Computation mean = Computation.federated("mean_alone", "x", FederatedType.atClients(VEC), x -> federatedMean(x));
      assertThat(result.get(0)).isEqualTo(run(1, sum, lazy));
      assertThat(result.get(1)).isEqualTo(run(1, mean, lazy));
    }
  }

  private static final Computation ADD = Computation.local("fused.add", StructType.of(VEC, VEC), VEC,
      a -> ((Tensor) ((Struct) a).get(0)).add((Tensor) ((Struct) a).get(1)));

  /** A consumer bound before a part of another consumer's argument (a broadcast), optionally also returning u. */
  private static Computation lateBroadcast(Computation work, boolean returnU) {
    return Computation.federated("late_broadcast", "model", FederatedType.atServer(VEC), "data",
        FederatedType.atClients(VEC), (model, data) -> {
          Value u = federatedMap(work, federatedZip(List.of(federatedBroadcast(model), data)));
          Value metrics = federatedSum(u.get(2));
          Value again = federatedBroadcast(model);
          Value shifted = federatedSum(federatedMap(ADD, federatedZip(List.of(u.get(0), again))));
          return returnU ? List.of(metrics, shifted, u) : List.of(metrics, shifted);
        });
  }

  @Test
  void aPassRunsOnceThePartsOfItsArgumentsBoundAfterTheFirstAggregationAre() {
    AtomicInteger calls = new AtomicInteger();
    Computation work = work("fused.late_work", calls, 50, -1);
    try (Recording executor = new Recording(2)) {
      Struct result = (Struct) run(executor, lateBroadcast(work, false), MODEL, data(1_000));
      assertThat(executor.folds).containsExactly(new Recording.Fold("federated_sum + federated_sum", 1_000, false));
      assertThat(executor.peak.get()).isLessThanOrEqualTo(4);
      Struct unfused = (Struct) run(2, lateBroadcast(work, true), MODEL, data(1_000));
      assertThat(result.get(0)).isEqualTo(unfused.get(0));
      assertThat(result.get(1)).isEqualTo(unfused.get(1));
    }
  }
}
