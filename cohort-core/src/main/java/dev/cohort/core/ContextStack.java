package dev.cohort.core;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.ServiceLoader;

/**
 * The per-thread stack of contexts that decides what calling a computation or an intrinsic does. While the body of
 * {@link Computation#federated} runs, a tracing context is on top: intrinsics and calls build the computation.
 * Otherwise calls go to the innermost installed {@link ExecutionContext}, or to the default one: the one
 * {@link ExecutionContext.DefaultFactory} found with {@link ServiceLoader} makes (Cohort's in-process runtime, using
 * all cores, whose idle workers end), replaceable with {@link #setDefault}.
 *
 * <pre>{@code
 * try (ContextStack.Scope s = ContextStack.install(InProcessContext.builder().threads(2).build())) {
 *   Object result = computation.call(args);
 * }
 * }</pre>
 */
public final class ContextStack {
  private static final ThreadLocal<Deque<Object>> STACK = ThreadLocal.withInitial(ArrayDeque::new);
  private static volatile ExecutionContext defaultContext;
  /** The default this class created (and closes when it is replaced), or null. Guarded by the class. */
  private static ExecutionContext ownedDefault;

  private ContextStack() {}

  /** An installed context; closing it uninstalls it. Scopes must be closed in reverse order of installation. */
  public interface Scope extends AutoCloseable {
    /** Uninstalls the context. */
    @Override
    void close();
  }

  /** Installs {@code context} on this thread until the returned scope is closed. */
  public static Scope install(ExecutionContext context) {
    return push(Objects.requireNonNull(context, "context"));
  }

  static Scope install(Trace trace) {
    return push(trace);
  }

  private static Scope push(Object entry) {
    Deque<Object> stack = STACK.get();
    stack.push(entry);
    return () -> {
      if (stack.peek() != entry) {
        throw new IllegalStateException("context scopes closed out of order: close the innermost scope first");
      }
      stack.pop();
    };
  }

  /** The innermost installed execution context on this thread, or the default one. */
  public static ExecutionContext current() {
    for (Object o : STACK.get()) {
      if (o instanceof ExecutionContext c) {
        return c;
      }
    }
    return defaultContext();
  }

  /**
   * The default execution context: unless replaced with {@link #setDefault}, the one the first
   * {@link ExecutionContext.DefaultFactory} on the class path creates on first use. Cohort's (from
   * {@code dev.cohort.core.runtime}) is an in-process runtime with one worker per core, whose workers are daemon
   * threads that start with work and end when idle, so the default holds no threads between calls.
   *
   * @throws IllegalStateException if no factory is installed and no default was set
   */
  public static ExecutionContext defaultContext() {
    ExecutionContext c = defaultContext;
    if (c == null) {
      synchronized (ContextStack.class) {
        c = defaultContext;
        if (c == null) {
          ownedDefault = ServiceLoader.load(ExecutionContext.DefaultFactory.class,
                  ExecutionContext.class.getClassLoader()).findFirst()
              .orElseThrow(() -> new IllegalStateException("no default execution context is installed: no "
                  + ExecutionContext.DefaultFactory.class.getName() + " was found with ServiceLoader (is"
                  + " cohort-core's META-INF/services on the class path?); install a context with"
                  + " ContextStack.install(context) or ContextStack.setDefault(context)"))
              .create();
          c = ownedDefault;
          defaultContext = c;
        }
      }
    }
    return c;
  }

  /**
   * Replaces the default execution context for all threads; {@code null} restores the built-in one (created again on
   * first use). A built-in default being replaced is closed, failing calls that still run on it; a context given
   * here is never closed by this class.
   */
  public static void setDefault(ExecutionContext context) {
    ExecutionContext replaced;
    synchronized (ContextStack.class) {
      replaced = ownedDefault;
      ownedDefault = null;
      defaultContext = context;
    }
    if (replaced instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException("closing the replaced default context failed: " + e.getMessage(), e);
      }
    }
  }

  /** The trace being built on this thread, if the innermost context is a tracing one. */
  static Trace currentTrace() {
    Object top = STACK.get().peek();
    return top instanceof Trace t ? t : null;
  }
}
