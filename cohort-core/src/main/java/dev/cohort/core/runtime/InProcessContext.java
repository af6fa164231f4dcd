package dev.cohort.core.runtime;

import dev.cohort.core.Computation;
import dev.cohort.core.ExecutionContext;
import dev.cohort.core.Values;
import dev.cohort.core.ast.Expr;
import dev.cohort.core.types.FederatedType;
import dev.cohort.core.types.Placement;
import dev.cohort.core.types.StructType;
import dev.cohort.core.types.Type;
import dev.cohort.core.values.FederatedValue;
import dev.cohort.core.values.Struct;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Runs computations in this JVM: the reference interpreter for the language, with CLIENTS-placed work handed to a
 * {@link ClientExecutor} (by default a bounded pool of {@code threads} workers).
 *
 * <ul>
 *   <li>The number of CLIENTS is taken from the arguments (every CLIENTS argument with one member per client must
 *       have the same number), else from {@link Builder#defaultClients(int)}.</li>
 *   <li>Aggregations stream: {@code federated_mean(federated_map(f, x))} computes each client's {@code f} on a worker
 *       and folds it into the running sum, with at most {@code 2 * threads} client tasks in flight (cheap clients with
 *       small results are batched into one task).</li>
 *   <li>Results are bit-identical at any number of threads: accumulation follows client order.</li>
 *   <li>A client whose work throws fails the call with a {@link ClientFailureException} naming it.</li>
 * </ul>
 *
 * <pre>{@code
 * try (InProcessContext ctx = InProcessContext.builder().threads(8).build();
 *      ContextStack.Scope s = ContextStack.install(ctx)) {
 *   Object mean = getAverageTemperature.call(List.of(68.5, 70.3, 69.8));
 * }
 * }</pre>
 */
public final class InProcessContext implements ExecutionContext, AutoCloseable {
  private final ClientExecutor executor;
  private final boolean ownsExecutor;
  private final int defaultClients;
  private final Map<String, Object> data;
  private volatile boolean closed;

  private InProcessContext(Builder b) {
    this.ownsExecutor = b.executor == null;
    this.executor = b.executor != null ? b.executor
        : ClientExecutor.inProcess(b.threads, b.maxInFlight > 0 ? b.maxInFlight : 2 * b.threads);
    this.defaultClients = b.defaultClients;
    this.data = Map.copyOf(b.data);
  }

  /** A builder with one thread per available processor and no default number of clients. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The factory of the default context ({@link dev.cohort.core.ContextStack#defaultContext()}), registered in
   * {@code META-INF/services}: an in-process context with the builder's defaults.
   */
  public static final class DefaultFactory implements ExecutionContext.DefaultFactory {
    /** For {@link java.util.ServiceLoader}. */
    public DefaultFactory() {}

    @Override
    public ExecutionContext create() {
      return builder().build();
    }
  }

  /** Configures an {@link InProcessContext}. */
  public static final class Builder {
    private int threads = Runtime.getRuntime().availableProcessors();
    private int maxInFlight;
    private int defaultClients = -1;
    private ClientExecutor executor;
    private final Map<String, Object> data = new HashMap<>();

    private Builder() {}

    /** Worker threads for client work (default: available processors); 1 runs everything on the caller. */
    public Builder threads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("threads (" + threads + ") must be >= 1");
      }
      this.threads = threads;
      return this;
    }

    /**
     * The most client tasks in flight at once (default {@code 2 * threads}; at least {@code threads}).
     *
     * @throws IllegalArgumentException if {@code maxInFlight < 1} (and, when built, if it is below the threads)
     */
    public Builder maxInFlight(int maxInFlight) {
      if (maxInFlight < 1) {
        throw new IllegalArgumentException("maxInFlight (" + maxInFlight + ") must be >= 1");
      }
      this.maxInFlight = maxInFlight;
      return this;
    }

    /** The number of CLIENTS when no argument says (needed e.g. to sum a value placed at all clients). */
    public Builder defaultClients(int clients) {
      if (clients < 0) {
        throw new IllegalArgumentException("defaultClients (" + clients + ") must be >= 0");
      }
      this.defaultClients = clients;
      return this;
    }

    /** Runs client work on {@code executor} instead of an owned thread pool (the executor is not closed). */
    public Builder clientExecutor(ClientExecutor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** Makes {@code value} available to {@code Data} nodes with this URI. */
    public Builder data(String uri, Object value) {
      data.put(Objects.requireNonNull(uri, "uri"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** The context. */
    public InProcessContext build() {
      return new InProcessContext(this);
    }
  }

  /** The number of worker threads. */
  public int threads() {
    return executor.parallelism();
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalStateException if this context is closed
   */
  @Override
  public Object invoke(Computation computation, Object argument) {
    if (closed) {
      throw new IllegalStateException("cannot call '" + computation.name() + "': this InProcessContext is closed");
    }
    Type parameter = computation.typeSignature().parameter();
    Object arg = null;
    int clients = defaultClients;
    if (parameter != null) {
      arg = Values.conform(argument, parameter, "argument of '" + computation.name() + "'");
      int inferred = cardinality(arg, parameter, -1, "argument");
      if (inferred >= 0) {
        clients = inferred;
      }
    }
    Interpreter in = new Interpreter(executor, clients, data);
    Expr root = in.analyze(computation.expr());
    analyzeFunctions(in, arg);
    Object fn = in.eval(root, Env.EMPTY);
    Object result = in.apply(fn, arg);
    return in.materialize(result, true, "result of '" + computation.name() + "'");
  }

  private static void analyzeFunctions(Interpreter in, Object value) {
    if (value instanceof Computation c) {
      in.analyze(c.expr());
    } else if (value instanceof Struct s) {
      for (Object v : s.values()) {
        analyzeFunctions(in, v);
      }
    }
  }

  /** The common number of members of the CLIENTS values in {@code value}, or {@code found} if there are none. */
  private static int cardinality(Object value, Type type, int found, String path) {
    if (type instanceof FederatedType f && f.placement() == Placement.CLIENTS && value instanceof FederatedValue v
        && !v.isAllEqual()) {
      if (found >= 0 && v.size() != found) {
        throw new IllegalArgumentException("CLIENTS cardinality: " + path + " has " + v.size()
            + " members, but another CLIENTS argument has " + found);
      }
      return v.size();
    }
    if (type instanceof StructType st && value instanceof Struct s) {
      for (int i = 0; i < st.size(); i++) {
        found = cardinality(s.get(i), st.type(i), found, path + (st.name(i) != null ? "." + st.name(i) : "[" + i + "]"));
      }
    }
    return found;
  }

  /** Shuts down the owned thread pool (an executor given to the builder is left open); later calls fail. */
  @Override
  public void close() {
    closed = true;
    if (ownsExecutor) {
      executor.close();
    }
  }
}
