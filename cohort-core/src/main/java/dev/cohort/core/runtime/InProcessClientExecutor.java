package dev.cohort.core.runtime;

import java.util.ArrayDeque;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * Runs client tasks on a fixed pool and folds results strictly in client order through a bounded window: task
 * {@code i + maxInFlight} is submitted only after result {@code i} has been accumulated, so at most
 * {@code maxInFlight} results exist at once whatever the number of clients. Folds started from a worker thread
 * (nested client work) run inline on that thread.
 */
final class InProcessClientExecutor implements ClientExecutor {
  private static final ThreadLocal<Boolean> IN_WORKER = ThreadLocal.withInitial(() -> false);
  private static final AtomicInteger POOLS = new AtomicInteger();

  private final int threads;
  private final int maxInFlight;
  private final ExecutorService pool;

  InProcessClientExecutor(int threads, int maxInFlight) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads (" + threads + ") must be >= 1");
    }
    if (maxInFlight < threads) {
      throw new IllegalArgumentException("maxInFlight (" + maxInFlight + ") must be >= threads (" + threads + ")");
    }
    this.threads = threads;
    this.maxInFlight = maxInFlight;
    if (threads == 1) {
      this.pool = null;
    } else {
      int id = POOLS.incrementAndGet();
      AtomicInteger n = new AtomicInteger();
      this.pool = Executors.newFixedThreadPool(threads, r -> {
        Thread t = new Thread(() -> {
          IN_WORKER.set(true);
          r.run();
        }, "cohort-clients-" + id + "-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
    }
  }

  @Override
  public int parallelism() {
    return threads;
  }

  @Override
  public <T, A> A fold(String stage, int clients, ClientTask<? extends T> task, A initial,
      BiFunction<A, ? super T, A> accumulate) {
    A acc = initial;
    if (pool == null || clients <= 1 || IN_WORKER.get()) {
      for (int i = 0; i < clients; i++) {
        T r;
        try {
          r = task.run(i);
        } catch (Exception | Error e) {
          throw failure(stage, i, clients, e);
        }
        acc = accumulate(stage, i, clients, acc, r, accumulate);
      }
      return acc;
    }
    ArrayDeque<Future<? extends T>> window = new ArrayDeque<>(maxInFlight);
    int next = 0;
    try {
      for (int i = 0; i < clients; i++) {
        while (next < clients && window.size() < maxInFlight) {
          int c = next++;
          window.add(pool.submit(() -> task.run(c)));
        }
        T r;
        try {
          r = window.poll().get();
        } catch (ExecutionException e) {
          throw failure(stage, i, clients, e.getCause());
        } catch (CancellationException e) {
          throw failure(stage, i, clients, e);
        }
        acc = accumulate(stage, i, clients, acc, r, accumulate);
      }
      return acc;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(stage + ": interrupted while waiting for client results", e);
    } finally {
      for (Future<? extends T> f : window) {
        f.cancel(true);
      }
    }
  }

  private static <T, A> A accumulate(String stage, int i, int clients, A acc, T r,
      BiFunction<A, ? super T, A> accumulate) {
    try {
      return accumulate.apply(acc, r);
    } catch (ClientFailureException e) {
      throw e;
    } catch (RuntimeException | Error e) {
      throw failure(stage, i, clients, e);
    }
  }

  private static RuntimeException failure(String stage, int i, int clients, Throwable cause) {
    if (cause instanceof ClientFailureException cf) {
      return cf;
    }
    return new ClientFailureException(stage, i, clients, cause);
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }
}
