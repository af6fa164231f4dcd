/**
 * The Federated Core: TFF's typed language for federated computations, in Java.
 *
 * <h2>Contents</h2>
 * <ul>
 *   <li>Placements and types: {@link dev.cohort.core.types.Placement}, {@link dev.cohort.core.types.Type} and its records
 *       ({@link dev.cohort.core.types.TensorType}, {@link dev.cohort.core.types.StructType},
 *       {@link dev.cohort.core.types.SequenceType}, {@link dev.cohort.core.types.FunctionType},
 *       {@link dev.cohort.core.types.FederatedType}, {@link dev.cohort.core.types.AbstractType},
 *       {@link dev.cohort.core.types.PlacementType}), printed in TFF's notation.</li>
 *   <li>Computations: {@link dev.cohort.core.Computation} (federated ones traced from Java lambdas over symbolic
 *       {@link dev.cohort.core.Value}s, local ones wrapping a {@link dev.cohort.core.ast.LocalFunction} registered in the
 *       {@link dev.cohort.core.ast.LocalRegistry}), and the intrinsics in {@link dev.cohort.core.Intrinsics}, catalogued
 *       by {@link dev.cohort.core.ast.IntrinsicDef}.</li>
 *   <li>Runtime values: {@link dev.cohort.tensor.Tensor}, {@link dev.cohort.core.values.Struct},
 *       {@link dev.cohort.core.values.Sequence}, {@link dev.cohort.core.values.FederatedValue}; conversion from Java values in
 *       {@link dev.cohort.core.Values}.</li>
 *   <li>Contexts: {@link dev.cohort.core.ContextStack} and {@link dev.cohort.core.ExecutionContext}.</li>
 *   <li>Errors: {@link dev.cohort.core.types.TypeMismatchException}.</li>
 * </ul>
 *
 * <p>Sub-packages: {@code ast} (the syntax tree), {@code runtime} (the in-process runtime), {@code serialization}
 * (the portable format's load errors; the format itself is written and read by {@link dev.cohort.core.Computation}),
 * {@code compiler} (rewrites and MapReduceForm).
 */
package dev.cohort.core;
