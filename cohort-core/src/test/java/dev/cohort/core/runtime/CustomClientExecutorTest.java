package dev.cohort.core.runtime;

import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedMax;
import static dev.cohort.core.Intrinsics.federatedMean;
import static dev.cohort.core.Intrinsics.federatedMin;
import static dev.cohort.core.Intrinsics.federatedSum;
import static dev.cohort.core.types.TensorType.FLOAT32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.Computation;
import dev.cohort.core.ContextStack;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The runtime seam: a {@link ClientExecutor} written outside the runtime, plugged in through
 * {@link InProcessContext.Builder#clientExecutor}, runs real federated computations. It runs client tasks on its own
 * threads and in reverse order within each window, and the results are still bit-identical to the default executor's,
 * because the contract (accumulate on the calling thread, in client order) is all the interpreter relies on.
 */
class CustomClientExecutorTest {
  private static final TensorType VEC = TensorType.of(DType.FLOAT32, 16);

  /**
   * A conforming executor unlike the in-process one: for each window of {@code window} consecutive clients, it
   * submits the tasks to its own pool from the last client to the first, waits for all of them, and then accumulates
   * their results on the calling thread in client order, so at most {@code window} results are held. It records, per
   * fold, the stage and the clients in the order their tasks started, and the threads that ran them.
   */
  private static final class ReversingExecutor implements ClientExecutor {
    /** One call of {@link #fold}: its stage, number of clients, and the clients in the order their tasks ran. */
    record Fold(String stage, int clients, List<Integer> ran) {}

    private static final ThreadLocal<Boolean> OWN_THREAD = ThreadLocal.withInitial(() -> false);

    private final int threads;
    private final int window;
    private final ExecutorService pool;
    final List<Fold> folds = Collections.synchronizedList(new ArrayList<>());
    final Set<String> threadNames = ConcurrentHashMap.newKeySet();
    volatile boolean closed;

    ReversingExecutor(int threads, int window) {
      this.threads = threads;
      this.window = window;
      AtomicInteger n = new AtomicInteger();
      this.pool = Executors.newFixedThreadPool(threads, r -> {
        Thread t = new Thread(() -> {
          OWN_THREAD.set(true);
          r.run();
        }, "reversing-client-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
    }

    @Override
    public <T, A> A fold(String stage, int clients, ClientTask<? extends T> task, A initial,
        BiFunction<A, ? super T, A> accumulate) {
      Fold record = new Fold(stage, clients, Collections.synchronizedList(new ArrayList<>()));
      folds.add(record);
      ClientTask<T> recorded = i -> {
        record.ran().add(i);
        threadNames.add(Thread.currentThread().getName());
        return task.run(i);
      };
      A acc = initial;
      for (int start = 0; start < clients; start += window) {
        int end = Math.min(clients, start + window);
        List<T> results = OWN_THREAD.get()
            ? runInline(stage, clients, recorded, start, end)
            : runOnPool(stage, clients, recorded, start, end);
        for (int i = start; i < end; i++) {
          try {
            acc = accumulate.apply(acc, results.get(i - start));
          } catch (ClientFailureException | VirtualMachineError e) {
            throw e;
          } catch (RuntimeException e) {
            throw new ClientFailureException(stage, i, clients, e);
          }
        }
      }
      return acc;
    }

    /** Nested work (a fold started by one of this executor's tasks) runs on the task's thread, also in reverse. */
    private <T> List<T> runInline(String stage, int clients, ClientTask<T> task, int start, int end) {
      List<T> results = new ArrayList<>(Collections.nCopies(end - start, null));
      Throwable firstFailure = null;
      int failed = -1;
      for (int i = end - 1; i >= start; i--) {
        try {
          results.set(i - start, task.run(i));
        } catch (VirtualMachineError e) {
          throw e;
        } catch (Exception e) {
          firstFailure = e;
          failed = i;
        }
      }
      if (firstFailure != null) {
        throw failure(stage, failed, clients, firstFailure);
      }
      return results;
    }

    private <T> List<T> runOnPool(String stage, int clients, ClientTask<T> task, int start, int end) {
      List<Future<T>> futures = new ArrayList<>(Collections.nCopies(end - start, null));
      for (int i = end - 1; i >= start; i--) {
        int client = i;
        futures.set(i - start, pool.submit(() -> task.run(client)));
      }
      List<T> results = new ArrayList<>(end - start);
      try {
        for (int i = start; i < end; i++) {
          try {
            results.add(futures.get(i - start).get());
          } catch (ExecutionException e) {
            throw failure(stage, i, clients, e.getCause());
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(stage + ": interrupted while waiting for client results", e);
      } finally {
        futures.forEach(f -> f.cancel(true));
      }
      return results;
    }

    /** The lowest failing client's failure, as the contract asks (a VirtualMachineError is rethrown as it is). */
    private static RuntimeException failure(String stage, int client, int clients, Throwable cause) {
      if (cause instanceof VirtualMachineError e) {
        throw e;
      }
      return cause instanceof ClientFailureException cf ? cf
          : new ClientFailureException(stage, client, clients, cause);
    }

    @Override
    public int parallelism() {
      return threads;
    }

    @Override
    public void close() {
      closed = true;
      pool.shutdownNow();
    }
  }

  @SuppressWarnings("try") // the scope is the point: it installs the context
  private static Object run(InProcessContext context, Computation c, Object... args) {
    try (InProcessContext ctx = context; ContextStack.Scope s = ContextStack.install(ctx)) {
      return c.call(args);
    }
  }

  @Test
  void aCustomExecutorRunningClientsOutOfOrderOnItsOwnThreadsGivesTheDefaultExecutorsBits() {
    Computation square = Computation.local("custom_exec.square", VEC, VEC, x -> ((Tensor) x).mul((Tensor) x));
    Computation stats = Computation.federated("stats", FederatedType.atClients(VEC), x -> {
      var y = federatedMap(square, x);
      return List.of(federatedMean(y), federatedSum(x), federatedMin(x), federatedMax(y), y);
    });
    FederatedValue data = InProcessRuntimeTest.clients(1000);
    Object expected = run(InProcessContext.builder().threads(1).build(), stats, data);
    Object fourThreads = run(InProcessContext.builder().threads(4).build(), stats, data);

    ReversingExecutor custom = new ReversingExecutor(3, 64);
    try {
      InProcessContext context = InProcessContext.builder().clientExecutor(custom).build();
      assertThat(context.threads()).isEqualTo(3);
      Object actual = run(context, stats, data);

      assertThat(actual).isEqualTo(expected).isEqualTo(fourThreads);
      // The sum is order-sensitive, so equal bits mean the accumulation kept client order.
      float[] forward = new float[16];
      float[] backward = new float[16];
      FederatedValue x = data;
      for (int i = 0; i < 1000; i++) {
        float[] a = ((Tensor) x.member(i)).floatData();
        float[] b = ((Tensor) x.member(999 - i)).floatData();
        for (int k = 0; k < 16; k++) {
          forward[k] += a[k];
          backward[k] += b[k];
        }
      }
      assertThat(((Tensor) ((FederatedValue) ((Struct) actual).get(1)).value()).floatData()).containsExactly(forward);
      assertThat(forward).isNotEqualTo(backward);

      // The work really went through the custom executor: every fold ran each client once, not in client order, on
      // the executor's own threads.
      assertThat(custom.folds).isNotEmpty();
      for (ReversingExecutor.Fold f : custom.folds) {
        List<Integer> ran = List.copyOf(f.ran());
        assertThat(ran).as(f.stage()).containsExactlyInAnyOrderElementsOf(
            IntStream.range(0, f.clients()).boxed().toList());
        assertThat(ran).as(f.stage()).isNotEqualTo(IntStream.range(0, f.clients()).boxed().toList());
      }
      assertThat(custom.folds.stream().mapToInt(ReversingExecutor.Fold::clients).distinct()).containsExactly(1000);
      assertThat(custom.threadNames).isNotEmpty().allMatch(name -> name.startsWith("reversing-client-"));
      // The context does not own an executor it was given: closing the context (run's try) left it open.
      assertThat(custom.closed).isFalse();
    } finally {
      custom.close();
    }
  }

  @Test
  void aClientFailureThroughTheCustomExecutorNamesTheSameClientAsTheDefaultExecutor() {
    Computation sensor = Computation.local("custom_exec.sensor", FLOAT32, FLOAT32, x -> {
      float v = ((Tensor) x).floatValue();
      if (v == 1f || v == 3f) {
        throw new IllegalStateException("sensor " + (int) v + " is broken");
      }
      return x;
    });
    Computation mean = Computation.federated("mean_of_sensors", FederatedType.atClients(FLOAT32),
        x -> federatedMean(federatedMap(sensor, x)));
    FederatedValue readings = FederatedValue.atClients(10, i -> Tensor.scalar((float) i));
    String expected = catchFailure(InProcessContext.builder().threads(1).build(), mean, readings);
    assertThat(expected).isEqualTo("federated_mean: client 1 of 10 failed: sensor 1 is broken");
    try (ReversingExecutor custom = new ReversingExecutor(2, 4)) {
      // The first window runs clients 3, 2, 1, 0 in that order: client 3 fails first, but the lowest failing client
      // is reported, as by the default executor.
      assertThat(catchFailure(InProcessContext.builder().clientExecutor(custom).build(), mean, readings))
          .isEqualTo(expected);
    }
  }

  private static String catchFailure(InProcessContext context, Computation c, Object arg) {
    Throwable[] thrown = new Throwable[1];
    assertThatThrownBy(() -> run(context, c, arg)).isInstanceOf(ClientFailureException.class)
        .satisfies(t -> thrown[0] = t);
    return thrown[0].getMessage();
  }
}
