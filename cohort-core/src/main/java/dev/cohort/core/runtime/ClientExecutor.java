package dev.cohort.core.runtime;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BiFunction;

/**
 * How CLIENTS-placed work runs: the one seam between the language and the machines. The interpreter hands every
 * per-client computation to {@link #fold}: "run {@code task} for clients 0..n-1 and fold the results, in client
 * order, into an accumulator". The in-process implementation ({@link #inProcess}) runs tasks on a bounded thread
 * pool; implementations that ship work to gRPC workers or Spark executors implement the same method.
 *
 * <p>Contract: {@code accumulate} is applied on the calling thread, to results in increasing client index, exactly
 * once per client, so the result does not depend on the parallelism. At most a bounded number of task results may be
 * held at once, so memory does not grow with the number of clients. A task that throws fails the fold with a
 * {@link ClientFailureException} naming the client (a {@code ClientFailureException} that the task or the
 * accumulation throws itself is rethrown as it is: the interpreter throws one to name the intrinsic when one fold
 * runs several); no further results are accumulated.
 */
public interface ClientExecutor extends AutoCloseable {

  /** Per-client work: computes client {@code client}'s result. Runs on a worker thread; must be thread-safe. */
  @FunctionalInterface
  interface ClientTask<T> {
    /** The result for client {@code client}. */
    T run(int client) throws Exception;
  }

  /**
   * Runs {@code task} for clients {@code 0..clients-1} and folds their results into {@code initial} in client order.
   *
   * @param stage what the work is for, used in failure messages (e.g. {@code federated_mean})
   * @throws ClientFailureException if a task or the accumulation of its result throws (a
   *     {@link VirtualMachineError} is rethrown as it is)
   */
  <T, A> A fold(String stage, int clients, ClientTask<? extends T> task, A initial,
      BiFunction<A, ? super T, A> accumulate);

  /** The results of {@code task} for every client, in client order. */
  default <T> List<T> collect(String stage, int clients, ClientTask<? extends T> task) {
    List<T> out = new ArrayList<>(clients);
    fold(stage, clients, task, out, (list, r) -> {
      list.add(r);
      return list;
    });
    return Collections.unmodifiableList(out);
  }

  /** How many tasks run at once. */
  int parallelism();

  /** Releases threads or connections; the executor is unusable afterwards. */
  @Override
  void close();

  /**
   * An in-process executor with {@code threads} worker threads (daemon, started on demand and ended when idle) and
   * at most {@code 2 * threads} tasks in flight (a task is one client, or a batch of consecutive cheap clients with
   * small results). With one thread, tasks run on the calling thread.
   */
  static ClientExecutor inProcess(int threads) {
    return new InProcessClientExecutor(threads, 2 * threads);
  }

  /** An in-process executor with an explicit bound on tasks in flight ({@code >= threads}). */
  static ClientExecutor inProcess(int threads, int maxInFlight) {
    return new InProcessClientExecutor(threads, maxInFlight);
  }
}
