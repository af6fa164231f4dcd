package dev.cohort.core.compiler;

import dev.cohort.core.Computation;

/**
 * Transformations of computations (TFF's compiler): rewriting intrinsics into more basic ones, and factoring a
 * one-round computation into a {@link MapReduceForm} that systems without the full language can run.
 */
public final class Compiler {
  private Compiler() {}

  /**
   * {@code computation} with {@code federated_mean}, {@code federated_weighted_mean}, {@code federated_sum},
   * {@code federated_min}, {@code federated_max} and {@code sequence_sum} replaced by bodies built from
   * {@code federated_aggregate}, {@code federated_map}, {@code federated_zip_at_clients}, {@code federated_apply},
   * {@code sequence_reduce} and generic arithmetic (see TFF's {@code replace_intrinsics_with_bodies}). The result
   * has the same type and computes the same values, bit for bit, in the in-process runtime.
   *
   * @throws CompilerException if a sum or extremum is over a type without a fully known shape (its zero cannot be
   *     written as a constant)
   */
  public static Computation reduceIntrinsics(Computation computation) {
    return Computation.of(computation.name(), new Rewrites().reduce(computation.expr()));
  }

  /**
   * The {@link MapReduceForm} of a computation with one broadcast/aggregate round.
   *
   * @throws CompilerException naming the construct that does not fit: a second round (a broadcast or a client value
   *     computed from an aggregate), {@code federated_select}, a result with an element that is not placed at
   *     SERVER (placed at CLIENTS, or not placed), or aggregation parameters that depend on the inputs
   */
  public static MapReduceForm toMapReduceForm(Computation computation) {
    return new MapReduceExtractor().extract(computation, reduceIntrinsics(computation));
  }
}
