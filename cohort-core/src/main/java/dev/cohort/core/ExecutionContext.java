package dev.cohort.core;

/**
 * Evaluates computations: what {@link Computation#call} reaches outside tracing. The in-process runtime
 * ({@link dev.cohort.core.runtime.InProcessContext}) is one; runtimes that leave the process implement the same
 * interface. Install one for a scope with {@link ContextStack#install(ExecutionContext)}.
 */
public interface ExecutionContext {
  /**
   * Evaluates {@code computation} on {@code argument}, a Java value for its parameter (see {@link Values}), or
   * null if it takes none. The result is complete when this returns: CLIENTS-placed values come back materialized,
   * one member per client, and sequences as lists.
   */
  Object invoke(Computation computation, Object argument);

  /**
   * Makes the built-in default context, found with {@link java.util.ServiceLoader}: the language does not import
   * its runtime, so the runtime registers its factory in {@code META-INF/services} instead. Cohort's in-process
   * runtime provides one; a deployment may provide another (the first found is used).
   */
  interface DefaultFactory {
    /**
     * A new default context. If it is {@link AutoCloseable}, {@link ContextStack#setDefault} closes it when it is
     * replaced.
     */
    ExecutionContext create();
  }
}
