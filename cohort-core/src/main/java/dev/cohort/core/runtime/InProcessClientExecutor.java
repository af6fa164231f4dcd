package dev.cohort.core.runtime;

import dev.cohort.core.values.Struct;
import dev.cohort.tensor.DType;
import dev.cohort.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * Runs client tasks on a fixed pool and folds results strictly in client order through a bounded window of at most
 * {@code maxInFlight} tasks: task {@code k + maxInFlight} is submitted only after task {@code k}'s results have been
 * accumulated, so memory does not grow with the number of clients.
 *
 * <p>A task covers one client, or a run of consecutive clients when clients are cheap: after each task the chunk
 * doubles (up to {@value #MAX_CHUNK} clients) while a client took under {@value #FAST_NANOS} ns and a chunk's results
 * stay under {@value #MAX_CHUNK_BYTES} bytes. This amortizes the hand-off between threads (microseconds) over
 * trivial clients without holding more than a megabyte of small results; clients that take longer, or produce large
 * values, stay one per task. Chunking changes only how work is scheduled, never the order of accumulation.
 *
 * <p>Folds started from a worker thread (nested client work) run inline on that thread. Worker threads are daemon
 * threads, started when work arrives and ended after {@value #IDLE_SECONDS} s without work, so an executor that is
 * never closed holds no threads while idle.
 */
final class InProcessClientExecutor implements ClientExecutor {
  static final int MAX_CHUNK = 4096;
  static final long FAST_NANOS = 20_000;
  static final long MAX_CHUNK_BYTES = 1 << 20;
  /** Seconds an idle worker thread lives before it ends (a new one starts with the next work). */
  static final long IDLE_SECONDS = 1;

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
      ThreadPoolExecutor executor = new ThreadPoolExecutor(threads, threads, IDLE_SECONDS, TimeUnit.SECONDS,
          new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(() -> {
              IN_WORKER.set(true);
              r.run();
            }, "cohort-clients-" + id + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
          });
      executor.allowCoreThreadTimeOut(true);
      this.pool = executor;
    }
  }

  @Override
  public int parallelism() {
    return threads;
  }

  /** The results of a run of consecutive clients. */
  private record Chunk(int start, Object[] results, long nanos) {}

  /** A client's failure inside a chunk, carrying its index to the folding thread. */
  private static final class ChunkFailure extends RuntimeException {
    final int client;

    ChunkFailure(int client, Throwable cause) {
      super(cause);
      this.client = client;
    }
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
        } catch (VirtualMachineError e) {
          throw e;
        } catch (Exception | Error e) {
          throw failure(stage, i, clients, e);
        }
        acc = accumulate(stage, i, clients, acc, r, accumulate);
      }
      return acc;
    }
    ArrayDeque<Future<Chunk>> window = new ArrayDeque<>(maxInFlight);
    int next = 0;
    int chunk = 1;
    int done = 0;
    try {
      while (done < clients) {
        while (next < clients && window.size() < maxInFlight) {
          int start = next;
          int length = Math.min(chunk, clients - next);
          next += length;
          window.add(pool.submit(() -> runChunk(task, start, length)));
        }
        Chunk c;
        try {
          c = window.poll().get();
        } catch (ExecutionException e) {
          if (e.getCause() instanceof ChunkFailure f) {
            throw failure(stage, f.client, clients, f.getCause());
          }
          throw failure(stage, done, clients, e.getCause());
        } catch (CancellationException e) {
          throw failure(stage, done, clients, e);
        }
        for (int k = 0; k < c.results().length; k++) {
          @SuppressWarnings("unchecked")
          T r = (T) c.results()[k];
          c.results()[k] = null;
          acc = accumulate(stage, c.start() + k, clients, acc, r, accumulate);
          done++;
        }
        if (chunk < MAX_CHUNK && c.nanos() < FAST_NANOS * c.results().length
            && 2L * chunk * bytes(c) <= MAX_CHUNK_BYTES) {
          chunk *= 2;
        }
      }
      return acc;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(stage + ": interrupted while waiting for client results", e);
    } finally {
      for (Future<Chunk> f : window) {
        f.cancel(true);
      }
    }
  }

  private static Chunk runChunk(ClientTask<?> task, int start, int length) {
    Object[] results = new Object[length];
    long t0 = System.nanoTime();
    for (int k = 0; k < length; k++) {
      try {
        results[k] = task.run(start + k);
      } catch (VirtualMachineError e) {
        throw e;
      } catch (Exception | Error e) {
        throw new ChunkFailure(start + k, e);
      }
    }
    return new Chunk(start, results, System.nanoTime() - t0);
  }

  /** An estimate of one result's size from the chunk's first result (tensors by their data; others as 1 KiB). */
  private static long bytes(Chunk c) {
    return c.results().length == 0 ? 0 : estimate(c.results()[0]);
  }

  private static long estimate(Object o) {
    if (o instanceof Tensor t) {
      return 64L + (long) t.size() * (t.dtype() == DType.STRING ? 32 : Math.max(1, t.dtype().byteSize()));
    }
    if (o instanceof Struct s) {
      long n = 32;
      for (Object v : s.values()) {
        n += estimate(v);
      }
      return n;
    }
    return 1024;
  }

  private static <T, A> A accumulate(String stage, int i, int clients, A acc, T r,
      BiFunction<A, ? super T, A> accumulate) {
    try {
      return accumulate.apply(acc, r);
    } catch (ClientFailureException | VirtualMachineError e) {
      throw e;
    } catch (RuntimeException | Error e) {
      throw failure(stage, i, clients, e);
    }
  }

  /**
   * The exception that fails the fold for {@code cause}: a {@link ClientFailureException} naming the client, or the
   * cause itself if it already is one. A {@link VirtualMachineError} (out of memory, stack overflow) is not the
   * client's failure: it is rethrown as it is.
   */
  private static RuntimeException failure(String stage, int i, int clients, Throwable cause) {
    if (cause instanceof VirtualMachineError e) {
      throw e;
    }
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
