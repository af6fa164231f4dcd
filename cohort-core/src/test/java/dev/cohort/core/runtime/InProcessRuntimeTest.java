package dev.cohort.core.runtime;

import static dev.cohort.core.Intrinsics.federatedAggregate;
import static dev.cohort.core.Intrinsics.federatedBroadcast;
import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedMax;
import static dev.cohort.core.Intrinsics.federatedMean;
import static dev.cohort.core.Intrinsics.federatedMin;
import static dev.cohort.core.Intrinsics.federatedSum;
import static dev.cohort.core.Intrinsics.sequenceMap;
import static dev.cohort.core.Intrinsics.sequenceReduce;
import static dev.cohort.core.Intrinsics.sequenceSum;
import static dev.cohort.core.types.TensorType.FLOAT32;
import static dev.cohort.core.types.TensorType.INT32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.Computation;
import dev.cohort.core.ContextStack;
import dev.cohort.core.LocalFamily;
import dev.cohort.core.ast.LocalFunction;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.FunctionType;
import dev.cohort.core.types.SequenceType;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.types.Type;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Sequence;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InProcessRuntimeTest {
  private static final TensorType VEC = TensorType.of(DType.FLOAT32, 16);

  @SuppressWarnings("try") // the scope is the point: it installs the context
  private static Object run(int threads, Computation c, Object... args) {
    try (InProcessContext ctx = InProcessContext.builder().threads(threads).build();
         ContextStack.Scope s = ContextStack.install(ctx)) {
      return c.call(args);
    }
  }

  private static Object server(Object result) {
    return ((FederatedValue) result).value();
  }

  /** {@code n} clients with float32[16] vectors whose sums are sensitive to the order of addition. */
  static FederatedValue clients(int n) {
    return FederatedValue.atClients(n, i -> {
      float[] v = new float[16];
      for (int k = 0; k < 16; k++) {
        v[k] = (float) Math.scalb(Math.sin(i * 31.0 + k), (i * 7 + k) % 24 - 12);
      }
      return Tensor.of(v, 16);
    });
  }

  @Test
  void aggregatesAreBitIdenticalAtOneTwoAndEightThreads() {
    Computation square = Computation.local("rt.square", VEC, VEC, x -> ((Tensor) x).mul((Tensor) x));
    Computation stats = Computation.federated("stats", FederatedType.atClients(VEC), x -> {
      var y = federatedMap(square, x);
      return List.of(federatedMean(y), federatedSum(x), federatedMin(x), federatedMax(y));
    });
    Object one = run(1, stats, clients(3000));
    Object two = run(2, stats, clients(3000));
    Object eight = run(8, stats, clients(3000));
    assertThat(two).isEqualTo(one);
    assertThat(eight).isEqualTo(one);
    // The sum is order-sensitive: summing in reverse client order gives different bits, so equality is meaningful.
    float[] forward = new float[16];
    float[] backward = new float[16];
    FederatedValue x = clients(3000);
    for (int i = 0; i < 3000; i++) {
      float[] a = ((Tensor) x.member(i)).floatData();
      float[] b = ((Tensor) x.member(2999 - i)).floatData();
      for (int k = 0; k < 16; k++) {
        forward[k] += a[k];
        backward[k] += b[k];
      }
    }
    Tensor sum = (Tensor) server(((Struct) one).get(1));
    assertThat(sum.floatData()).containsExactly(forward);
    assertThat(forward).isNotEqualTo(backward);
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 4})
  void mapThenAggregateStreamsWithABoundedNumberOfResultsInFlight(int threads) {
    AtomicInteger produced = new AtomicInteger();
    AtomicInteger consumed = new AtomicInteger();
    AtomicInteger maxInFlight = new AtomicInteger();
    AtomicInteger sourceCalls = new AtomicInteger();
    Computation work = replaceableLocal("rt.counted_work", FLOAT32, FLOAT32, x -> {
      int inFlight = produced.incrementAndGet() - consumed.get();
      maxInFlight.accumulateAndGet(inFlight, Math::max);
      spin(50); // slow enough (> 20 us) that the executor keeps one client per task
      return ((Tensor) x).add(1f);
    });
    // Accumulating is slower than the workers produce, so results would pile up without the bound on tasks in flight.
    Computation count = replaceableLocal("rt.counted_accumulate", StructType.of(FLOAT32, FLOAT32), FLOAT32, a -> {
      consumed.incrementAndGet();
      spin(100);
      return ((Tensor) ((Struct) a).get(0)).add((Tensor) ((Struct) a).get(1));
    });
    Computation identity = Computation.local("rt.identity_f32", FLOAT32, FLOAT32, a -> a);
    Computation plus = Computation.local("rt.plus_f32", StructType.of(FLOAT32, FLOAT32), FLOAT32,
        a -> ((Tensor) ((Struct) a).get(0)).add((Tensor) ((Struct) a).get(1)));
    Computation total = Computation.federated("total", FederatedType.atClients(FLOAT32),
        x -> federatedAggregate(federatedMap(work, x), 0f, count, plus, identity));
    FederatedValue input = FederatedValue.atClients(1000, i -> {
      sourceCalls.incrementAndGet();
      return Tensor.scalar(1f);
    });
    Object result = run(threads, total, input);
    assertThat(((Tensor) server(result)).floatValue()).isEqualTo(2000f);
    assertThat(sourceCalls.get()).isEqualTo(1000);
    assertThat(maxInFlight.get()).isLessThanOrEqualTo(2 * threads + 1);
  }

  /** Busy-waits {@code micros} microseconds. */
  private static void spin(long micros) {
    long until = System.nanoTime() + micros * 1000;
    while (System.nanoTime() < until) {
      Thread.onSpinWait();
    }
  }

  /**
   * Counts client members produced by a lazy source but not yet folded into an aggregate: the work in flight. The
   * mapping function is slow enough (> 20 us) that the executor keeps one client per task, and accumulating is slower
   * still, so results would pile up without the bound on tasks in flight.
   */
  private static final class InFlight {
    final AtomicInteger produced = new AtomicInteger();
    final AtomicInteger consumed = new AtomicInteger();
    final AtomicInteger max = new AtomicInteger();

    FederatedValue source(int clients) {
      return FederatedValue.atClients(clients, i -> {
        max.accumulateAndGet(produced.incrementAndGet() - consumed.get(), Math::max);
        return Tensor.scalar(1f);
      });
    }

    Computation slowPlus(String name) {
      return replaceableLocal(name, StructType.of(FLOAT32, FLOAT32), FLOAT32, a -> {
        spin(50);
        return ((Tensor) ((Struct) a).get(0)).add((Tensor) ((Struct) a).get(1));
      });
    }

    Computation countingAccumulate(String name) {
      return replaceableLocal(name, StructType.of(FLOAT32, FLOAT32), FLOAT32, a -> {
        consumed.incrementAndGet();
        spin(100);
        return ((Tensor) ((Struct) a).get(0)).add((Tensor) ((Struct) a).get(1));
      });
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 3})
  void aComputationWithSeveralParametersStreamsItsClientData(int threads) {
    InFlight counts = new InFlight();
    Computation work = counts.slowPlus("rt.two_param_work");
    Computation accumulate = counts.countingAccumulate("rt.two_param_accumulate");
    Computation identity = Computation.local("rt.two_param_identity", FLOAT32, FLOAT32, a -> a);
    // Both parameters are used, so the struct parameter _arg1 is read twice, but each of its elements once.
    Computation round = Computation.federated("round", "model", FederatedType.atServer(FLOAT32), "data",
        FederatedType.atClients(FLOAT32), (model, data) -> federatedAggregate(
            federatedMap(work, List.of(federatedBroadcast(model), data)), 0f, accumulate, work, identity));
    Object result = run(threads, round, 2f, counts.source(1000));
    assertThat(((Tensor) server(result)).floatValue()).isEqualTo(3000f);
    assertThat(counts.produced.get()).isEqualTo(1000);
    assertThat(counts.max.get()).isLessThanOrEqualTo(2 * threads + 1);
  }

  @Test
  void aStructReturnedByANestedComputationKeepsItsClientElementLazy() {
    InFlight counts = new InFlight();
    Computation work = counts.slowPlus("rt.nested_work");
    Computation accumulate = counts.countingAccumulate("rt.nested_accumulate");
    Computation identity = Computation.local("rt.nested_identity", FLOAT32, FLOAT32, a -> a);
    Computation pair = Computation.federated("pair", "model", FederatedType.atServer(FLOAT32), "data",
        FederatedType.atClients(FLOAT32), (model, data) -> List.of(federatedBroadcast(model), data));
    Computation round = Computation.federated("round", "model", FederatedType.atServer(FLOAT32), "data",
        FederatedType.atClients(FLOAT32), (model, data) -> {
          dev.cohort.core.Value p = pair.apply(model, data);
          return federatedAggregate(federatedMap(work, List.of(p.get(0), p.get(1))), 0f, accumulate, work, identity);
        });
    Object result = run(2, round, 2f, counts.source(1000));
    assertThat(((Tensor) server(result)).floatValue()).isEqualTo(3000f);
    assertThat(counts.max.get()).isLessThanOrEqualTo(2 * 2 + 1);
  }

  @Test
  void cheapClientsAreBatchedButStillBoundedAndInOrder() {
    AtomicInteger produced = new AtomicInteger();
    AtomicInteger consumed = new AtomicInteger();
    AtomicInteger maxInFlight = new AtomicInteger();
    Computation work = Computation.local("rt.cheap_work", INT32, INT32, x -> {
      maxInFlight.accumulateAndGet(produced.incrementAndGet() - consumed.get(), Math::max);
      return x;
    });
    Computation check = Computation.local("rt.in_order", StructType.of(INT32, INT32), INT32, a -> {
      int expected = ((Tensor) ((Struct) a).get(0)).intValue();
      int got = ((Tensor) ((Struct) a).get(1)).intValue();
      consumed.incrementAndGet();
      if (got != expected) {
        throw new IllegalStateException("client " + got + " accumulated at position " + expected);
      }
      return expected + 1;
    });
    Computation same = Computation.local("rt.same_i32", INT32, INT32, x -> x);
    Computation plus = Computation.local("rt.plus_i32", StructType.of(INT32, INT32), INT32,
        a -> ((Tensor) ((Struct) a).get(0)).add((Tensor) ((Struct) a).get(1)));
    Computation ordered = Computation.federated("ordered", FederatedType.atClients(INT32),
        x -> federatedAggregate(federatedMap(work, x), 0, check, plus, same));
    int clients = 200_000;
    Object result = run(2, ordered, FederatedValue.atClients(clients, Tensor::scalar));
    assertThat(server(result)).isEqualTo(Tensor.scalar(clients));
    // Tasks of up to 4096 cheap clients, at most 4 tasks in flight: bounded, and well below the number of clients.
    assertThat(maxInFlight.get()).isLessThanOrEqualTo(4 * 4096 + 1);
  }

  @Test
  void aLazyValueUsedTwiceIsComputedOncePerClient() {
    AtomicInteger calls = new AtomicInteger();
    Computation work = Computation.local("rt.counted_once", FLOAT32, FLOAT32, x -> {
      calls.incrementAndGet();
      return ((Tensor) x).mul(2f);
    });
    Computation both = Computation.federated("both", FederatedType.atClients(FLOAT32), x -> {
      var y = federatedMap(work, x);
      return List.of(federatedSum(y), federatedMean(y));
    });
    Object r = run(2, both, List.of(1f, 2f, 3f));
    assertThat(calls.get()).isEqualTo(3);
    assertThat(r.toString()).isEqualTo("<12.0,4.0>");
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 4})
  void aFailingClientFailsTheCallNamingItsIndexAndCause(int threads) {
    Computation work = Computation.local("rt.fails_on_7", FLOAT32, FLOAT32, x -> {
      if (((Tensor) x).floatValue() == 7f) {
        throw new IllegalStateException("sensor 7 is broken");
      }
      return x;
    });
    Computation mean = Computation.federated("mean_of_work", FederatedType.atClients(FLOAT32),
        x -> federatedMean(federatedMap(work, x)));
    FederatedValue input = FederatedValue.atClients(50, i -> Tensor.scalar((float) i));
    assertThatThrownBy(() -> run(threads, mean, input))
        .isInstanceOf(ClientFailureException.class)
        .hasMessage("federated_mean: client 7 of 50 failed: sensor 7 is broken")
        .satisfies(e -> {
          ClientFailureException f = (ClientFailureException) e;
          assertThat(f.client()).isEqualTo(7);
          assertThat(f.stage()).isEqualTo("federated_mean");
          assertThat(f.getCause()).isInstanceOf(IllegalStateException.class);
        });
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 4})
  void aFailureWhileASharedLazyValueIsComputedNamesTheIntrinsicThatProducesIt(int threads) {
    Computation work = Computation.local("rt.shared_fails_on_7", FLOAT32, FLOAT32, x -> {
      if (((Tensor) x).floatValue() == 7f) {
        throw new IllegalStateException("sensor 7 is broken");
      }
      return x;
    });
    // y is consumed by two aggregations, which run in one pass computing y's member once per client: a failure there
    // names the intrinsic that produces y, as when y was computed for every client where it is bound.
    Computation both = Computation.federated("both", FederatedType.atClients(FLOAT32), x -> {
      var y = federatedMap(work, x);
      return List.of(federatedSum(y), federatedMean(y));
    });
    FederatedValue input = FederatedValue.atClients(50, i -> Tensor.scalar((float) i));
    assertThatThrownBy(() -> run(threads, both, input))
        .isInstanceOf(ClientFailureException.class)
        .hasMessage("federated_map: client 7 of 50 failed: sensor 7 is broken");
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 4})
  void aVirtualMachineErrorInClientWorkIsRethrownUnwrapped(int threads) {
    OutOfMemoryError outOfMemory = new OutOfMemoryError("client 3 ran out of memory");
    Computation work = replaceableLocal("rt.out_of_memory_on_3", FLOAT32, FLOAT32, x -> {
      if (((Tensor) x).floatValue() == 3f) {
        throw outOfMemory;
      }
      return x;
    });
    Computation mean = Computation.federated("mean_of_oom", FederatedType.atClients(FLOAT32),
        x -> federatedMean(federatedMap(work, x)));
    FederatedValue input = FederatedValue.atClients(20, i -> Tensor.scalar((float) i));
    assertThatThrownBy(() -> run(threads, mean, input)).isSameAs(outOfMemory);
  }

  @Test
  void sequenceMapResultsAreComputedInsideTheCallOnce() {
    AtomicInteger calls = new AtomicInteger();
    Computation halve = Computation.local("rt.halve_counted", FLOAT32, FLOAT32, x -> {
      calls.incrementAndGet();
      if (((Tensor) x).floatValue() < 0) {
        throw new IllegalArgumentException("negative reading " + ((Tensor) x).floatValue());
      }
      return ((Tensor) x).mul(0.5f);
    });
    Computation halved = Computation.federated("halved", SequenceType.of(FLOAT32), s -> sequenceMap(halve, s));
    Sequence result = (Sequence) run(2, halved, List.of(2f, 4f, 6f));
    assertThat(calls.get()).isEqualTo(3);
    // Reading the result (twice) runs nothing more.
    assertThat(result.toList()).containsExactly(Tensor.scalar(1f), Tensor.scalar(2f), Tensor.scalar(3f));
    assertThat(result.toList()).hasSize(3);
    assertThat(calls.get()).isEqualTo(3);
    // A failure surfaces from the call itself, not when the caller reads the result.
    assertThatThrownBy(() -> run(2, halved, List.of(2f, -4f)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("negative reading -4.0");
    Computation perClient = Computation.federated("halved_at_clients",
        FederatedType.atClients(SequenceType.of(FLOAT32)), s -> sequenceMap(halve, s));
    assertThatThrownBy(() -> run(2, perClient, List.of(List.of(2f), List.of(1f, -4f))))
        .isInstanceOf(ClientFailureException.class)
        .hasMessage("federated_map: client 1 of 2 failed: negative reading -4.0");
    // A mapped sequence read twice in a computation is computed once.
    calls.set(0);
    Computation twice = Computation.federated("twice", SequenceType.of(FLOAT32), s -> {
      var h = sequenceMap(halve, s);
      return List.of(sequenceSum(h), sequenceReduce(h, 0f, Computation.local("rt.max_f32",
          StructType.of(FLOAT32, FLOAT32), FLOAT32,
          a -> ((Tensor) ((Struct) a).get(0)).maximum((Tensor) ((Struct) a).get(1)))));
    });
    assertThat(run(2, twice, List.of(2f, 4f, 6f)).toString()).isEqualTo("<6.0,3.0>");
    assertThat(calls.get()).isEqualTo(3);
  }

  @Test
  @SuppressWarnings("try") // the scope is the point: it installs the context
  void clientsCardinalityComesFromTheArgumentsAndMustAgree() {
    Computation sumBoth = Computation.federated("sum_both", "a", FederatedType.atClients(FLOAT32), "b",
        FederatedType.atClients(FLOAT32), (a, b) -> List.of(federatedSum(a), federatedSum(b)));
    assertThatThrownBy(() -> run(1, sumBoth, List.of(1f, 2f), List.of(1f, 2f, 3f)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("CLIENTS cardinality: argument.b has 3 members, but another CLIENTS argument has 2");
    Computation sumPlaced = Computation.federated("sum_placed", FederatedType.atClients(FLOAT32, true),
        x -> federatedSum(x));
    assertThatThrownBy(() -> run(1, sumPlaced, 2f))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("federated_sum: the number of CLIENTS is unknown");
    try (InProcessContext ctx = InProcessContext.builder().threads(2).defaultClients(5).build();
         ContextStack.Scope s = ContextStack.install(ctx)) {
      assertThat(server(sumPlaced.call(2f))).isEqualTo(Tensor.scalar(10f));
    }
  }

  @Test
  void aBoundOnTasksInFlightBelowOneIsRejected() {
    assertThatThrownBy(() -> InProcessContext.builder().maxInFlight(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxInFlight (0) must be >= 1");
    assertThatThrownBy(() -> InProcessContext.builder().threads(4).maxInFlight(3).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxInFlight (3) must be >= threads (4)");
  }

  @Test
  void wrongArgumentsAreRejectedBeforeAnythingRuns() {
    AtomicInteger calls = new AtomicInteger();
    Computation work = Computation.local("rt.never_runs", INT32, INT32, x -> {
      calls.incrementAndGet();
      return x;
    });
    Computation c = Computation.federated("c", FederatedType.atClients(INT32), x -> federatedSum(federatedMap(work, x)));
    assertThatThrownBy(() -> run(1, c, List.of(1, 2), List.of(3)))
        .hasMessage("computation 'c' of type ({int32}@CLIENTS -> int32@SERVER) takes 1 argument, got 2");
    assertThatThrownBy(() -> run(1, c, List.of(1, 2.5)))
        .hasMessage("argument of 'c'[client 1]: expected a value of type int32, found java.lang.Double 2.5");
    assertThatThrownBy(() -> run(1, c, FederatedValue.atServer(Tensor.scalar(1))))
        .hasMessage("argument of 'c': expected a value of type {int32}@CLIENTS, found a value placed at SERVER");
    Computation named = Computation.local("rt.named", StructType.named("a", INT32), INT32, s -> ((Struct) s).get("a"));
    assertThatThrownBy(() -> run(1, named, Struct.named("b", 1)))
        .hasMessage("argument of 'rt.named': element 0 is named 'b', but type <a=int32> names it 'a'");
    assertThat(calls.get()).isZero();
  }

  @Test
  void functionsReturnedAtRunTimeAreCalled() {
    Computation inner = Computation.federated("triple_after_sum", FLOAT32,
        x -> Computation.local("rt.triple", FLOAT32, FLOAT32, v -> ((Tensor) v).mul(3f)).apply(x));
    Computation chooser = Computation.local("rt.chooser", FLOAT32, FunctionType.of(FLOAT32, FLOAT32), x -> inner);
    Computation apply = Computation.federated("apply_chosen", FLOAT32, x -> chooser.apply(x).apply(x));
    assertThat(run(2, apply, 2f)).isEqualTo(Tensor.scalar(6f));
  }

  @Test
  void localResultsAreCheckedAgainstTheDeclaredType() {
    Computation liar = Computation.local("rt.liar", FLOAT32, FunctionType.of(null, FLOAT32).result(),
        x -> Tensor.scalar(1));
    assertThatThrownBy(() -> run(1, liar, 1f))
        .hasMessage("result of local computation 'rt.liar': expected a value of type float32, found a int32 scalar");
  }

  /**
   * A local computation under a fixed name that every run of a parameterized test defines again with a new function
   * (capturing that run's counters): a replaceable family, as the redefinition rules require.
   */
  private static Computation replaceableLocal(String name, Type parameter, Type result, LocalFunction function) {
    return LocalFamily.defineReplaceable(name, (type, parameters) -> function).at(parameter, result, Struct.empty());
  }
}
