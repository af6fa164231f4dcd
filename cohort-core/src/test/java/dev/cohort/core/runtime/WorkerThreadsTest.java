package dev.cohort.core.runtime;

import static dev.cohort.core.Intrinsics.federatedMap;
import static dev.cohort.core.Intrinsics.federatedSum;
import static dev.cohort.core.types.TensorType.FLOAT32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.Computation;
import dev.cohort.core.ContextStack;
import dev.cohort.core.ExecutionContext;
import dev.cohort.core.LocalFamily;
import dev.cohort.core.ast.LocalFunction;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.Type;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Struct;
import dev.cohort.tensor.Tensor;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Worker threads of in-process contexts do not outlive their use: closed, idle, or replaced as the default. */
class WorkerThreadsTest {
  private final Set<Thread> workers = ConcurrentHashMap.newKeySet();

  /** Sums 200 slow clients in the current context, recording the worker threads that ran them. */
  private void runOnWorkers() {
    Computation record = replaceableLocal("threads.record", FLOAT32, FLOAT32, x -> {
      if (Thread.currentThread().getName().startsWith("cohort-clients-")) {
        workers.add(Thread.currentThread());
      }
      long until = System.nanoTime() + 50_000;
      while (System.nanoTime() < until) {
        Thread.onSpinWait();
      }
      return x;
    });
    Computation sum = Computation.federated("sum_recorded", FederatedType.atClients(FLOAT32),
        x -> federatedSum(federatedMap(record, x)));
    assertThat(((FederatedValue) sum.call(FederatedValue.atClients(200, i -> Tensor.scalar(1f)))).value())
        .isEqualTo(Tensor.scalar(200f));
    assertThat(workers).isNotEmpty().allMatch(Thread::isDaemon);
  }

  private void assertWorkersEnd() throws InterruptedException {
    for (Thread t : workers) {
      t.join(10_000);
    }
    assertThat(workers).noneMatch(Thread::isAlive);
  }

  @Test
  @SuppressWarnings("try") // the scope is the point: it installs the context
  void closingAContextEndsItsWorkerThreads() throws InterruptedException {
    try (InProcessContext ctx = InProcessContext.builder().threads(2).build();
         ContextStack.Scope s = ContextStack.install(ctx)) {
      runOnWorkers();
    }
    assertWorkersEnd();
  }

  @Test
  @SuppressWarnings("try") // the scope is the point: it installs the context
  void idleWorkerThreadsEndWithoutAClose() throws InterruptedException {
    InProcessContext neverClosed = InProcessContext.builder().threads(2).build();
    try (ContextStack.Scope s = ContextStack.install(neverClosed)) {
      runOnWorkers();
    }
    assertWorkersEnd();
    // The context still works: new workers start with new work.
    workers.clear();
    try (ContextStack.Scope s = ContextStack.install(neverClosed)) {
      runOnWorkers();
    }
  }

  @Test
  @SuppressWarnings("try") // the scope is the point: it installs the context
  void replacingTheBuiltInDefaultContextClosesItAndEndsItsWorkerThreads() throws InterruptedException {
    ContextStack.setDefault(null);
    ExecutionContext builtIn = ContextStack.defaultContext();
    Assumptions.assumeTrue(((InProcessContext) builtIn).threads() > 1, "one processor: the default runs on the caller");
    runOnWorkers();
    InProcessContext mine = InProcessContext.builder().threads(2).build();
    try {
      ContextStack.setDefault(mine);
      assertThat(ContextStack.defaultContext()).isSameAs(mine);
      assertWorkersEnd();
      try (ContextStack.Scope s = ContextStack.install(builtIn)) {
        assertThatThrownBy(this::runOnWorkers)
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("cannot call 'sum_recorded': this InProcessContext is closed");
      }
      // A context given to setDefault belongs to the caller: replacing it does not close it.
      ContextStack.setDefault(null);
      workers.clear();
      try (ContextStack.Scope s = ContextStack.install(mine)) {
        runOnWorkers();
      }
      assertThat(ContextStack.defaultContext()).isNotSameAs(builtIn).isInstanceOf(InProcessContext.class);
    } finally {
      mine.close();
    }
  }

  /**
   * A local computation under a fixed name that every run of a parameterized test defines again with a new function
   * (capturing that run's counters): a replaceable family, as the redefinition rules require.
   */
  private static Computation replaceableLocal(String name, Type parameter, Type result, LocalFunction function) {
    return LocalFamily.defineReplaceable(name, (type, parameters) -> function).at(parameter, result, Struct.empty());
  }
}
