/**
 * The Federated Core: TFF's typed language for federated computations, in Java. This package is the language users
 * write in; the packages it builds on hold the parts, each depending only on the ones before it:
 *
 * <ol>
 *   <li>{@code types}: placements and types ({@link dev.cohort.core.types.Type} and its records), printed and parsed
 *       in TFF's notation, and {@link dev.cohort.core.types.TypeAnalysis};</li>
 *   <li>{@code values}: runtime values ({@link dev.cohort.core.values.Struct},
 *       {@link dev.cohort.core.values.Sequence}, {@link dev.cohort.core.values.FederatedValue});</li>
 *   <li>{@code ast}: the syntax tree, the intrinsic catalogue with each intrinsic's typing rule
 *       ({@link dev.cohort.core.ast.IntrinsicDef}) and the local functions' registry;</li>
 *   <li>{@code serialization}: the portable, versioned binary format;</li>
 *   <li>this package;</li>
 *   <li>{@code compiler} (rewrites and MapReduceForm) and {@code runtime} (the in-process runtime), which use the
 *       language and which it does not import: the default context is found with {@link java.util.ServiceLoader}.</li>
 * </ol>
 *
 * <h2>Contents</h2>
 * <ul>
 *   <li>{@link dev.cohort.core.Computation}: federated computations traced from Java lambdas over symbolic
 *       {@link dev.cohort.core.Value}s, local ones wrapping a {@link dev.cohort.core.ast.LocalFunction}; calling,
 *       applying inside a trace, serializing.</li>
 *   <li>{@link dev.cohort.core.Intrinsics}: TFF's intrinsics, one static method each.</li>
 *   <li>{@link dev.cohort.core.Values}: conversion of Java values to runtime values of a type.</li>
 *   <li>{@link dev.cohort.core.ContextStack} and {@link dev.cohort.core.ExecutionContext}: where calls run.</li>
 * </ul>
 */
package dev.cohort.core;
