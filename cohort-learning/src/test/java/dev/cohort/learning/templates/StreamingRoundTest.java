package dev.cohort.learning.templates;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.core.Computation;
import dev.cohort.core.ContextStack;
import dev.cohort.core.compiler.Compiler;
import dev.cohort.core.runtime.ClientExecutor;
import dev.cohort.core.runtime.InProcessContext;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.TensorType;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Sequence;
import dev.cohort.core.values.Struct;
import dev.cohort.learning.algorithms.FedAvg;
import dev.cohort.learning.models.FunctionalModel;
import dev.cohort.learning.models.Loss;
import dev.cohort.learning.models.Metric;
import dev.cohort.learning.models.SequentialModel;
import dev.cohort.learning.optimizers.Optimizer;
import dev.cohort.nn.Layers;
import dev.cohort.nn.Sequential;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.RandomStream;
import dev.cohort.tensor.Shape;
import dev.cohort.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * A FedAvg round composed from its templates (distributor, client work, aggregator, finalizer: nested computations)
 * streams over lazy clients: the runtime inlines the nested computations, so the client outputs that the client work's
 * metrics and the aggregator's sums read are computed once per client inside one fold and never held for all clients.
 */
class StreamingRoundTest {
  private static final StructType SPEC = StructType.named("x", TensorType.of(DType.FLOAT32, TensorType.UNKNOWN, 2),
      "y", TensorType.of(DType.INT32, TensorType.UNKNOWN, 1));

  private static FunctionalModel model() {
    return SequentialModel.of("test.streaming.logistic", SPEC,
        () -> Sequential.builder(Shape.of(2)).seed(5).add(Layers.dense(2)).build(),
        Loss.SPARSE_CATEGORICAL_CROSSENTROPY_FROM_LOGITS, Metric.sparseCategoricalAccuracy());
  }

  /** Client {@code c}'s data: one batch of {@code 1 + c % 5} points labelled by the sign of their first coordinate. */
  private static Sequence client(int c) {
    RandomStream random = RandomStream.of(20260426, c);
    int n = 1 + c % 5;
    float[] x = new float[n * 2];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      x[2 * i] = (float) random.nextGaussian();
      x[2 * i + 1] = (float) random.nextGaussian();
      y[i] = x[2 * i] > 0 ? 1 : 0;
    }
    return Sequence.of(List.of(Struct.named("x", Tensor.wrap(x, Shape.of(n, 2)), "y", Tensor.wrap(y, Shape.of(n, 1)))));
  }

  /**
   * The default in-process executor, recording every fold and the most client results held at once: a task's result
   * is held from when the task returns until the fold has accumulated it, a collected result until the collection
   * returns (the caller then holds them all).
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
  private static Object round(ClientExecutor executor, Computation next, Object state, Object data) {
    try (InProcessContext ctx = InProcessContext.builder().clientExecutor(executor).build();
         ContextStack.Scope s = ContextStack.install(ctx)) {
      return next.call(state, data);
    }
  }

  @SuppressWarnings("try")
  private static Object initialState(LearningProcess process) {
    try (InProcessContext ctx = InProcessContext.builder().threads(1).build();
         ContextStack.Scope s = ContextStack.install(ctx)) {
      return process.initialize().call();
    }
  }

  @Test
  void fedAvgRoundOverFiveThousandLazyClientsHoldsAtMostTheClientsInFlight() {
    int clients = 5_000;
    LearningProcess fedAvg = FedAvg.weighted(model(), Optimizer.sgdm(0.1));
    Object state = initialState(fedAvg);
    AtomicInteger reads = new AtomicInteger();
    FederatedValue data = FederatedValue.atClients(clients, c -> {
      reads.incrementAndGet();
      // Clients cheaper than ~20 us are batched by the executor (up to 4,096 results, 1 MiB, per task), which this
      // bound would count as held; a client that takes 50 us is run and folded one at a time.
      long until = System.nanoTime() + 50_000;
      while (System.nanoTime() < until) {
        Thread.onSpinWait();
      }
      return client(c);
    });
    // The reference: the round compiled to MapReduceForm (one client computation, one federated_aggregate), which
    // evaluates every client's work once and folds it in client order without fusion.
    Object expected;
    try (Recording executor = new Recording(1)) {
      expected = round(executor, Compiler.toMapReduceForm(fedAvg.next()).toComputation(), state, data);
    }
    for (int threads : new int[] {1, 3}) {
      reads.set(0);
      try (Recording executor = new Recording(threads)) {
        Object out = round(executor, fedAvg.next(), state, data);
        assertThat(out).isEqualTo(expected);
        // Before inlining, the client work's output crossed the call of its next and was collected for all clients.
        assertThat(executor.folds).containsExactly(new Recording.Fold(
            "federated_sum + federated_sum + federated_sum + federated_sum", clients, false));
        assertThat(executor.peak.get()).isLessThanOrEqualTo(2 * threads);
        assertThat(reads.get()).isEqualTo(clients);
      }
    }
  }
}
