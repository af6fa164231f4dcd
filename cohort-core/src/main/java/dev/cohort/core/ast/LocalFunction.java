package dev.cohort.core.ast;

/**
 * The Java body of a local computation (the counterpart of a {@code tff.tensorflow.computation}): a function over
 * non-federated runtime values.
 *
 * <p>The argument is the runtime value of the declared parameter type: a {@link dev.cohort.tensor.Tensor}, a
 * {@link dev.cohort.core.values.Struct} (named as the parameter type names it; several parameters arrive as one
 * struct), or a {@link dev.cohort.core.values.Sequence}; {@code null} when the computation takes no parameter. The
 * result may be any Java value that {@code dev.cohort.core.Values.conform} accepts for the declared result type. The function runs on worker threads, possibly
 * concurrently: it must be thread-safe and must not modify its argument.
 */
@FunctionalInterface
public interface LocalFunction {
  /** Computes the result for {@code argument}. */
  Object apply(Object argument) throws Exception;
}
