/**
 * Learning algorithms, TFF's {@code tff.learning.algorithms}: each a short composition of the templates returning a
 * {@link dev.cohort.learning.templates.LearningProcess}, one file per algorithm
 * ({@link dev.cohort.learning.algorithms.FedAvg}).
 */
package dev.cohort.learning.algorithms;
