/**
 * The Federated Core: TFF's typed language for federated computations, in Java.
 *
 * <h2>Contents</h2>
 * <ul>
 *   <li>Placements and types: {@link dev.cohort.core.Placement}, {@link dev.cohort.core.Type} and its records
 *       ({@link dev.cohort.core.TensorType}, {@link dev.cohort.core.StructType},
 *       {@link dev.cohort.core.SequenceType}, {@link dev.cohort.core.FunctionType},
 *       {@link dev.cohort.core.FederatedType}, {@link dev.cohort.core.AbstractType},
 *       {@link dev.cohort.core.PlacementType}), printed in TFF's notation.</li>
 *   <li>Computations: {@link dev.cohort.core.Computation} (federated ones traced from Java lambdas over symbolic
 *       {@link dev.cohort.core.Value}s, local ones wrapping a {@link dev.cohort.core.LocalFunction} registered in the
 *       {@link dev.cohort.core.LocalRegistry}), and the intrinsics in {@link dev.cohort.core.Intrinsics}, catalogued
 *       by {@link dev.cohort.core.IntrinsicDef}.</li>
 *   <li>Runtime values: {@link dev.cohort.tensor.Tensor}, {@link dev.cohort.core.Struct},
 *       {@link dev.cohort.core.Sequence}, {@link dev.cohort.core.FederatedValue}; conversion from Java values in
 *       {@link dev.cohort.core.Values}.</li>
 *   <li>Contexts: {@link dev.cohort.core.ContextStack} and {@link dev.cohort.core.ExecutionContext}.</li>
 *   <li>Errors: {@link dev.cohort.core.TypeMismatchException}.</li>
 * </ul>
 *
 * <p>Sub-packages: {@code ast} (the syntax tree), {@code runtime} (the in-process runtime), {@code serialization}
 * (the portable format's load errors; the format itself is written and read by {@link dev.cohort.core.Computation}),
 * {@code compiler} (rewrites and MapReduceForm).
 */
package dev.cohort.core;
