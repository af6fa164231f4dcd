package dev.cohort.core.ast;

import dev.cohort.core.types.FunctionType;
import dev.cohort.core.values.Struct;

/**
 * Builds the Java body of a local function family at one concrete type and one set of parameters (see
 * {@link LocalRegistry}): a generic clipping function for any value type, an optimizer step for any weights type and
 * any hyper-parameters, an encoder with a capacity and a seed.
 *
 * <p>The parameters are a {@link Struct} of {@link dev.cohort.tensor.Tensor}s (strings included) and nested structs:
 * what a serialized computation writes and reads back. A factory must compute what its function does from the type
 * and the parameters alone, so that a computation loaded in another JVM computes what it computed where it was built;
 * it runs when a computation is built, written and loaded, so it should be cheap (defer heavy set-up into the function,
 * e.g. a {@code ThreadLocal}).
 */
@FunctionalInterface
public interface LocalFactory {
  /**
   * The function at {@code type} with {@code parameters}.
   *
   * @throws IllegalArgumentException (a {@link dev.cohort.core.types.TypeMismatchException} for a type) saying
   *     precisely what the family does not accept: which part of the type or which parameter, expected and found
   */
  LocalFunction create(FunctionType type, Struct parameters);
}
