/**
 * Loading errors of the portable, versioned binary form of computations:
 * {@link dev.cohort.core.serialization.ComputationFormatException}. Computations are written and read with
 * {@link dev.cohort.core.Computation#serialize()} and {@link dev.cohort.core.Computation#deserialize(byte[])} (or
 * {@code save} and {@code load}); the format is described there.
 */
package dev.cohort.core.serialization;
