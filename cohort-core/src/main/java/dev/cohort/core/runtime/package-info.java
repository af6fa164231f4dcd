/**
 * The in-process runtime: {@link dev.cohort.core.runtime.InProcessContext} evaluates computations with a reference
 * interpreter and hands CLIENTS-placed work to a {@link dev.cohort.core.runtime.ClientExecutor} (the seam for
 * runtimes that leave the process); a failing client surfaces as a
 * {@link dev.cohort.core.runtime.ClientFailureException}.
 *
 * <h2>Streaming</h2>
 *
 * <p>The interpreter evaluates a computation's tree after {@link dev.cohort.core.ast.Inlining#inline} (once per tree
 * and call): nested computations are inlined into one block per federated computation, CLIENTS parameters and their
 * elements are read through block locals, so that the analysis below sees the dataflow across nested
 * {@code apply}s.
 *
 * <p>CLIENTS values are lazy: a {@code federated_map} result is a recipe that an aggregation evaluates per client
 * inside its fold, so map-then-aggregate holds only the clients in flight. When several aggregations read one lazy
 * CLIENTS value (FedAvg's update, weight and metrics from one client work; a mean and a sum of the same metrics; two
 * secure sums of one map), the interpreter finds the group before the computation runs: in each block, a local read
 * more than once whose every read is, directly or through per-client {@code federated_map}s (selections
 * {@code u.get(i)} trace to maps) and {@code federated_zip_at_clients}, a CLIENTS operand of
 * {@code federated_sum}, {@code federated_mean}, {@code federated_weighted_mean}, {@code federated_min},
 * {@code federated_max}, {@code federated_aggregate} or a secure sum, where no aggregation's other arguments depend
 * on another's result. It runs the group in one {@code ClientExecutor.fold} where the first aggregation is bound, or
 * later where the other parts of the aggregations' arguments are bound after it and nothing in between reads an
 * aggregation's result (a map of the group that nothing reads is not computed):
 * each client's task computes the shared member once, then each aggregation's per-client contribution (the maps and
 * zips leading to it, and the aggregation's own client part: the weight multiplication, the secure-sum bound check),
 * and the ordered step folds each contribution into that aggregation's accumulator in client order. Aggregations are
 * therefore split into contribution, ordered accumulation and finish; each keeps the float32 operations and order it
 * has alone, so results are bit-identical to evaluating the aggregations one by one, at any number of threads.
 *
 * <p>A lazy value read by anything else (returned, passed to a call that could not be inlined or to a function run
 * per client, zipped with another shared CLIENTS value, or aggregated where the group's rules do not hold) is computed once per client, in parallel, where it is bound and held while it is used.
 *
 * <p>Failures name the client and the intrinsic as without fusion: the intrinsic producing the shared value if
 * computing its member failed, a map or zip read by several aggregations if it failed, otherwise the aggregation
 * whose client part failed. Clients are visited in order, so the lowest failing client is the one reported.
 */
package dev.cohort.core.runtime;
