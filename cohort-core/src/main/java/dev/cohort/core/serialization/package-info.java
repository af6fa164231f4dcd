/**
 * The portable, versioned binary form of computations ({@link dev.cohort.core.serialization.ComputationFormat}) and
 * its load errors ({@link dev.cohort.core.serialization.ComputationFormatException}).
 */
package dev.cohort.core.serialization;
