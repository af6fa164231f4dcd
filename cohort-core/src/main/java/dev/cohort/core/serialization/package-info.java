/**
 * The portable, versioned binary form of computations: {@link dev.cohort.core.serialization.ComputationFormat}
 * writes and reads a name and an expression, and fails with
 * {@link dev.cohort.core.serialization.ComputationFormatException}. Users reach it through
 * {@link dev.cohort.core.Computation#serialize()} and {@link dev.cohort.core.Computation#deserialize(byte[])} (or
 * {@code save} and {@code load}).
 */
package dev.cohort.core.serialization;
