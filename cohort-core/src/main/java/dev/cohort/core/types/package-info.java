/**
 * Placements and types of the Federated Core, printed and parsed in TFF's notation: {@link dev.cohort.core.types.Type}
 * and its records ({@link dev.cohort.core.types.TensorType}, {@link dev.cohort.core.types.StructType},
 * {@link dev.cohort.core.types.SequenceType}, {@link dev.cohort.core.types.FunctionType},
 * {@link dev.cohort.core.types.FederatedType}, {@link dev.cohort.core.types.AbstractType},
 * {@link dev.cohort.core.types.PlacementType}), {@link dev.cohort.core.types.Placement}, the predicates of
 * {@link dev.cohort.core.types.TypeAnalysis}, and {@link dev.cohort.core.types.TypeMismatchException}. The bottom
 * layer of the core: it depends on nothing else in it.
 */
package dev.cohort.core.types;
