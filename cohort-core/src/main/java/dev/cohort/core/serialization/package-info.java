/**
 * The portable, versioned binary form of computations: {@link dev.cohort.core.serialization.ComputationFormat} (the
 * codec of a name and an expression, its layout and its limits) and
 * {@link dev.cohort.core.serialization.ComputationFormatException} (why a file could not be loaded). Users write and
 * read computations with {@link dev.cohort.core.Computation#serialize()} and
 * {@link dev.cohort.core.Computation#deserialize(byte[])} (or {@code save} and {@code load}).
 */
package dev.cohort.core.serialization;
